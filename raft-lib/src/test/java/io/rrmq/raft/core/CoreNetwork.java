package io.rrmq.raft.core;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.RaftMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.IntStream;

/**
 * A few {@link RaftCore}s wired by hand for scenario tests: messages are delivered only when a test
 * says so, storage writes complete at once, and links can be cut. Deterministic: one seed drives
 * every election timeout.
 */
final class CoreNetwork {
    final Map<Integer, RaftCore> cores = new HashMap<>();
    final Map<Integer, List<LogEntry>> applied = new HashMap<>();
    final Map<Integer, List<RaftMessage>> sent = new HashMap<>();
    private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
    private final Set<Integer> isolated = new HashSet<>();
    private final List<Integer> ids;
    private final RaftConfig config;
    private final long seed;
    private Predicate<RaftMessage> dropFilter = m -> false;

    CoreNetwork(int size, RaftConfig config, long seed) {
        this.ids = IntStream.range(0, size).boxed().toList();
        this.config = config;
        this.seed = seed;
        for (int id : ids) {
            restart(id, HardState.INITIAL, List.of());
        }
    }

    static RaftConfig config() {
        return RaftConfig.defaults();
    }

    /** Replaces node {@code id} with a fresh core recovered from the given durable state. */
    void restart(int id, HardState hardState, List<LogEntry> log) {
        cores.put(id, new RaftCore(id, ids, config, hardState, log, new Random(seed * 31 + id)));
        applied.put(id, new ArrayList<>());
        sent.put(id, new ArrayList<>());
    }

    RaftCore core(int id) {
        return cores.get(id);
    }

    void isolate(int id) {
        isolated.add(id);
    }

    void heal() {
        isolated.clear();
    }

    void dropWhen(Predicate<RaftMessage> filter) {
        this.dropFilter = filter;
    }

    /** Collects every node's output: writes complete at once, messages join the network. */
    void flush() {
        for (int id : ids) {
            RaftCore core = cores.get(id);
            Ready ready = core.takeReady();
            if (ready.hasWrites()) {
                core.onPersisted(ready.persistSeq());
                Ready again = core.takeReady(); // a leader may commit once its own write is durable
                applied.get(id).addAll(again.committed());
                enqueue(id, again.messages());
            }
            applied.get(id).addAll(ready.committed());
            enqueue(id, ready.messages());
        }
    }

    private void enqueue(int from, List<RaftMessage> messages) {
        sent.get(from).addAll(messages);
        for (RaftMessage m : messages) {
            if (!isolated.contains(m.from()) && !isolated.contains(m.to()) && !dropFilter.test(m)) {
                inFlight.add(m);
            }
        }
    }

    /** Delivers messages (and the answers they cause) until the network is quiet. */
    void deliverAll() {
        flush();
        int guard = 0;
        while (!inFlight.isEmpty()) {
            if (++guard > 1_000_000) {
                throw new IllegalStateException("network does not quiesce");
            }
            RaftMessage m = inFlight.poll();
            cores.get(m.to()).step(m);
            flush();
        }
    }

    /** Drops every message in flight. */
    void dropInFlight() {
        flush();
        inFlight.clear();
    }

    void tick(int id, int times) {
        for (int i = 0; i < times; i++) {
            cores.get(id).tick();
        }
    }

    /** Makes {@code id} time out and campaign, then lets the election run to completion. */
    void elect(int id) {
        RaftCore core = cores.get(id);
        long term = core.term();
        int guard = 0;
        while (core.role() != Role.LEADER) {
            core.tick();
            deliverAll();
            if (++guard > 10 * config.electionTicks()) {
                throw new IllegalStateException("node " + id + " failed to become leader after term " + term);
            }
        }
    }

    /** Ticks every node {@code times} times, delivering after each round. */
    void tickAll(int times) {
        for (int i = 0; i < times; i++) {
            for (int id : ids) {
                cores.get(id).tick();
            }
            deliverAll();
        }
    }

    long propose(int id, String command) {
        return cores.get(id).propose(command.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    List<String> appliedCommands(int id) {
        List<String> out = new ArrayList<>();
        for (LogEntry e : applied.get(id)) {
            if (e.type() == LogEntry.Type.COMMAND) {
                out.add(new String(e.data(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}

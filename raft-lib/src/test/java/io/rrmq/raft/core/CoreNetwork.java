package io.rrmq.raft.core;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.InstallSnapshot;
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
 *
 * <p>Snapshots are kept in memory: a node's snapshot is the list of entries it had applied, encoded
 * as bytes so it can travel in InstallSnapshot chunks; chunk writes complete at once.
 */
final class CoreNetwork {
    final Map<Integer, RaftCore> cores = new HashMap<>();
    final Map<Integer, List<LogEntry>> applied = new HashMap<>();
    /** Each node's newest snapshot file: index to bytes. */
    final Map<Integer, Map<Long, byte[]>> snapshots = new HashMap<>();
    /** Bytes of a snapshot being received, per node. */
    final Map<Integer, java.io.ByteArrayOutputStream> receiving = new HashMap<>();
    /** As the runtime: chunks of the configuration's size (the core counts its window in them). */
    private final int chunkBytes;
    final Map<Integer, List<RaftMessage>> sent = new HashMap<>();
    /** Reads each node's core confirmed or failed (Ready.reads), in order. */
    final Map<Integer, List<Ready.ReadState>> readStates = new HashMap<>();
    final Map<Integer, List<Ready.FailedRead>> failedReads = new HashMap<>();
    private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
    private final Set<Integer> isolated = new HashSet<>();
    private final List<Integer> ids = new ArrayList<>();
    private final List<Integer> bootstrap;
    private final RaftConfig config;
    private final long seed;
    private Predicate<RaftMessage> dropFilter = m -> false;
    private Predicate<RaftMessage> holdFilter = m -> false;
    /** Messages held back by {@link #holdWhen}, in the order they were sent. */
    final List<RaftMessage> held = new ArrayList<>();

    CoreNetwork(int size, RaftConfig config, long seed) {
        this.bootstrap = IntStream.range(0, size).boxed().toList();
        this.ids.addAll(bootstrap);
        this.config = config;
        this.chunkBytes = config.snapshotChunkBytes();
        this.seed = seed;
        for (int id : ids) {
            snapshots.put(id, new HashMap<>());
            restart(id, HardState.INITIAL, List.of());
        }
    }

    static RaftConfig config() {
        return RaftConfig.defaults();
    }

    /** Replaces node {@code id} with a fresh core recovered from the given durable state. */
    void restart(int id, HardState hardState, List<LogEntry> log) {
        cores.put(id, new RaftCore(id, bootstrap, config, hardState, log, new Random(seed * 31 + id)));
        applied.put(id, new ArrayList<>());
        sent.put(id, new ArrayList<>());
    }

    /** Starts node {@code id} with an empty log and no configuration: a server waiting to be added. */
    void addJoiner(int id) {
        ids.add(id);
        snapshots.put(id, new HashMap<>());
        cores.put(id, new RaftCore(id, config, HardState.INITIAL, null, List.of(), io.rrmq.raft.Configuration.EMPTY,
                new Random(seed * 31 + id)));
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

    /** Holds back the messages {@code filter} matches (a stalled sender) until {@link #releaseHeld}. */
    void holdWhen(Predicate<RaftMessage> filter) {
        this.holdFilter = filter;
    }

    /** Puts every held message in flight, in the order they were sent, and holds nothing more. */
    void releaseHeld() {
        holdFilter = m -> false;
        inFlight.addAll(held);
        held.clear();
    }

    /** Collects every node's output: writes complete at once, messages join the network. */
    void flush() {
        for (int id : ids) {
            RaftCore core = cores.get(id);
            Ready ready = core.takeReady();
            while (true) {
                handle(id, ready);
                if (!ready.hasWrites() && ready.snapshots().chunksToStore().isEmpty()) {
                    break;
                }
                if (ready.hasWrites()) {
                    core.onPersisted(ready.persistSeq());
                }
                for (InstallSnapshot chunk : ready.snapshots().chunksToStore()) {
                    storeChunk(id, chunk);
                }
                ready = core.takeReady(); // a leader may commit once its own write is durable
            }
        }
    }

    private void handle(int id, Ready ready) {
        if (ready.snapshots().restoreIndex() > 0) {
            applied.put(id, decode(snapshots.get(id).get(ready.snapshots().restoreIndex())));
        }
        applied.get(id).addAll(ready.committed());
        readStates.computeIfAbsent(id, k -> new ArrayList<>()).addAll(ready.reads().ready());
        failedReads.computeIfAbsent(id, k -> new ArrayList<>()).addAll(ready.reads().failed());
        enqueue(id, ready.messages());
        for (SnapshotChunkRequest request : ready.snapshots().chunksToSend()) {
            byte[] file = snapshots.get(id).get(request.lastIncludedIndex());
            if (file == null) {
                cores.get(id).snapshotUnavailable(request.peer(), request.lastIncludedIndex());
                continue;
            }
            if (request.pastTheEnd(file.length)) {
                continue;
            }
            int from = (int) request.offset();
            int to = Math.min(file.length, from + chunkBytes);
            enqueue(id, List.of(new InstallSnapshot(id, request.peer(), request.term(),
                    request.lastIncludedIndex(), request.lastIncludedTerm(), from,
                    java.util.Arrays.copyOfRange(file, from, to), to == file.length)));
        }
    }

    private void storeChunk(int id, InstallSnapshot chunk) {
        if (chunk.offset() == 0) {
            receiving.put(id, new java.io.ByteArrayOutputStream());
        }
        java.io.ByteArrayOutputStream out = receiving.get(id);
        boolean ok = out != null && out.size() == chunk.offset();
        if (ok) {
            out.writeBytes(chunk.data());
            if (chunk.done()) {
                snapshots.get(id).put(chunk.lastIncludedIndex(), out.toByteArray());
                receiving.remove(id);
            }
        }
        cores.get(id).onSnapshotChunkStored(chunk, ok);
    }

    /** Node {@code id} snapshots what it has applied, and the core compacts its log. */
    void takeSnapshot(int id) {
        List<LogEntry> state = applied.get(id);
        LogEntry last = state.get(state.size() - 1);
        snapshots.get(id).put(last.index(), encode(state));
        cores.get(id).snapshotTaken(last.index(), last.term());
    }

    private static byte[] encode(List<LogEntry> entries) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(entries.stream().mapToInt(e -> 21 + e.data().length).sum());
        for (LogEntry e : entries) {
            buf.putLong(e.index()).putLong(e.term()).put(e.type().code()).putInt(e.data().length).put(e.data());
        }
        return buf.array();
    }

    private static List<LogEntry> decode(byte[] bytes) {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes);
        List<LogEntry> out = new ArrayList<>();
        while (buf.hasRemaining()) {
            long index = buf.getLong();
            long term = buf.getLong();
            LogEntry.Type type = LogEntry.Type.fromCode(buf.get());
            byte[] data = new byte[buf.getInt()];
            buf.get(data);
            out.add(new LogEntry(index, term, type, data));
        }
        return out;
    }

    private void enqueue(int from, List<RaftMessage> messages) {
        sent.get(from).addAll(messages);
        for (RaftMessage m : messages) {
            if (isolated.contains(m.from()) || isolated.contains(m.to()) || dropFilter.test(m)) {
                continue;
            }
            if (holdFilter.test(m)) {
                held.add(m);
            } else {
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

    /** Delivers the first message in flight that matches {@code which} (and nothing else). */
    void deliverOne(Predicate<RaftMessage> which) {
        flush();
        for (java.util.Iterator<RaftMessage> it = inFlight.iterator(); it.hasNext(); ) {
            RaftMessage m = it.next();
            if (which.test(m)) {
                it.remove();
                cores.get(m.to()).step(m);
                flush();
                return;
            }
        }
        throw new IllegalStateException("no message in flight matches");
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

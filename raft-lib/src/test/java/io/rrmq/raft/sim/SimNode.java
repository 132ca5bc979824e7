package io.rrmq.raft.sim;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.core.RaftCore;
import io.rrmq.raft.core.Ready;
import io.rrmq.raft.message.RaftMessage;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * One simulated server: the real {@link RaftCore}, a {@link SimStorage} disk and a state machine,
 * driven the way RaftRuntime drives them. After every input the core's {@link Ready} is handled by
 * the contract: writes go to the disk queue; a message that must follow persistence is held until
 * everything handed to the disk so far is durable, the others go at once; committed entries are
 * applied in order and answer the proposals this node made as leader.
 *
 * <p>A crash throws away the core, the state machine and the disk queue; a restart rebuilds the
 * core from the durable hard state and log alone, and re-applies the log from index 1.
 */
final class SimNode {
    final int id;
    private final List<Integer> members;
    private final RaftConfig config;
    private final Scheduler scheduler;
    private final SimNetwork network;
    private final Random random;
    private final EventLog log;
    private final InvariantChecker checker;
    private final Workload workload;
    private final SimStorage storage = new SimStorage();
    private final WriteListener writeListener;

    private RaftCore core;
    private StateMachine stateMachine;
    /** Bumped by every crash, so that timers and disk completions of a past life are ignored. */
    private int incarnation;
    private long tickMicros;
    private long lastApplied;
    private Role lastRole;
    private long lastTerm;
    /** Proposals this node appended as leader and has not answered, by log index. */
    private final TreeMap<Long, Proposal> pending = new TreeMap<>();
    private final String receivedLabel;
    private final String durableLabel;

    SimNode(int id, List<Integer> members, RaftConfig config, Scheduler scheduler, SimNetwork network,
            Random random, EventLog log, InvariantChecker checker, Workload workload, WriteListener writeListener) {
        this.id = id;
        this.members = members;
        this.config = config;
        this.scheduler = scheduler;
        this.network = network;
        this.random = random;
        this.log = log;
        this.checker = checker;
        this.workload = workload;
        this.writeListener = writeListener;
        this.tickMicros = config.tickInterval().toNanos() / 1000;
        this.receivedLabel = "n" + id + " <- ";
        this.durableLabel = "n" + id + " durable up to seq ";
    }

    // ---------------------------------------------------------------- life cycle

    void start() {
        core = new RaftCore(id, members, config, storage.hardState(), storage.log(), new Random(random.nextLong()));
        stateMachine = workload.newStateMachine();
        lastApplied = 0;
        lastRole = core.role();
        lastTerm = core.term();
        checker.onStart(this);
        log.record(scheduler.now(), "n" + id + " start " + storage.hardState() + " log=" + core.log().lastIndex());
        scheduleTick(incarnation);
    }

    void crash() {
        checker.onCrash(this);
        int lostWrites = storage.crash();
        log.record(scheduler.now(), "n" + id + " CRASH (" + lostWrites + " writes not durable lost)");
        core = null;
        stateMachine = null;
        incarnation++;
        for (Proposal p : pending.values()) {
            workload.outcomeUnknown(p);
        }
        pending.clear();
    }

    boolean isUp() {
        return core != null;
    }

    /** Clock speed: this node's tick interval, so that nodes' clocks drift apart. */
    void setTickMicros(long micros) {
        tickMicros = micros;
        log.record(scheduler.now(), "n" + id + " tick interval " + micros + "us");
    }

    private void scheduleTick(int life) {
        scheduler.after(tickMicros, () -> {
            if (life == incarnation) {
                core.tick();
                process();
                scheduleTick(life);
            }
        });
    }

    // ---------------------------------------------------------------- inputs

    void receive(RaftMessage m) {
        if (core == null) {
            return;
        }
        log.record(scheduler.now(), receivedLabel, m);
        core.step(m);
        process();
    }

    /** Offers a client command; returns the proposal, or null if this node is not the leader. */
    Proposal propose(long proposalId, Workload.Command command) {
        long index = core.propose(command.bytes());
        if (index < 0) {
            return null;
        }
        Proposal p = new Proposal(proposalId, command.client(), command.bytes(), id, core.term(), index);
        pending.put(index, p);
        log.record(scheduler.now(), "n" + id + " propose #" + proposalId + " at " + index + "@" + core.term());
        process();
        return p;
    }

    private void onDiskDue(int life) {
        if (life != incarnation) {
            return;
        }
        List<SimStorage.PendingWrite> done = storage.completeDue(scheduler.now());
        if (done.isEmpty()) {
            return;
        }
        long seq = done.get(done.size() - 1).seq;
        log.record(scheduler.now(), durableLabel, seq);
        // RaftRuntime's storage thread: the held messages go once their write is synced.
        for (SimStorage.PendingWrite w : done) {
            for (RaftMessage m : w.held) {
                network.send(m);
            }
        }
        core.onPersisted(seq);
        process();
    }

    // ---------------------------------------------------------------- the Ready contract

    private void process() {
        checker.observeCommit(this);
        Ready ready = core.takeReady();
        checker.onReady(this, ready);
        if (ready.hasWrites()) {
            SimStorage.PendingWrite w = storage.write(ready, scheduler.now() + diskDelay());
            int life = incarnation;
            scheduler.at(w.durableAt, () -> onDiskDue(life));
            writeListener.handedOut(this, ready.hardState() != null, w.durableAt);
        }
        for (RaftMessage m : ready.messages()) {
            if (storage.busy() && Ready.mustFollowPersistence(m)) {
                storage.newest().held.add(m);
            } else {
                network.send(m);
            }
        }
        apply(ready.committed());
        if (core.role() != Role.LEADER && !pending.isEmpty()) {
            // As RaftRuntime: no longer leader, so whether these commit is unknown to this node.
            for (Proposal p : pending.values()) {
                workload.outcomeUnknown(p);
            }
            pending.clear();
        }
        if (core.role() != lastRole || core.term() != lastTerm) {
            log.record(scheduler.now(), "n" + id + " " + core.role() + " term " + core.term());
            lastRole = core.role();
            lastTerm = core.term();
        }
        checker.afterStep(this);
    }

    private void apply(List<LogEntry> committed) {
        for (LogEntry e : committed) {
            checker.onApply(this, e);
            byte[] result = e.type() == LogEntry.Type.COMMAND ? stateMachine.apply(e.index(), e.data()) : new byte[0];
            lastApplied = e.index();
            Proposal p = pending.remove(e.index());
            if (p != null) {
                if (p.term() == e.term()) {
                    checker.onAcknowledged(p, e);
                    log.record(scheduler.now(), "n" + id + " ack #" + p.id() + " at " + e.index());
                    workload.acknowledged(p, result);
                } else {
                    workload.outcomeUnknown(p);
                }
            }
        }
    }

    /** fsync latency: usually well under a tick, sometimes a slow disk of several ticks. */
    private long diskDelay() {
        return random.nextInt(20) == 0 ? 5_000 + random.nextInt(40_000) : 50 + random.nextInt(2_000);
    }

    /** Told of every write handed to the disk: the nemesis may cut the power before it is durable. */
    interface WriteListener {
        void handedOut(SimNode node, boolean changesHardState, long durableAt);
    }

    /** Whether the node is still in the life it had when {@link #incarnation()} returned {@code life}. */
    boolean inLife(int life) {
        return core != null && life == incarnation;
    }

    int incarnation() {
        return incarnation;
    }

    // ---------------------------------------------------------------- observers

    RaftCore core() {
        return core;
    }

    long lastApplied() {
        return lastApplied;
    }

    List<LogEntry> durableLog() {
        return storage.log();
    }
}

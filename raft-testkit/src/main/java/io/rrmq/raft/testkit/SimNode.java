package io.rrmq.raft.testkit;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.Role;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotWriter;
import io.rrmq.raft.core.RaftCore;
import io.rrmq.raft.core.Ready;
import io.rrmq.raft.core.SnapshotChunkRequest;
import io.rrmq.raft.runtime.internal.SnapshotPolicy;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.storage.MemorySnapshotStore;
import java.io.IOException;
import java.io.InputStream;
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
 * <p><b>Snapshots</b>, as RaftRuntime: once the entries applied pass the thresholds, the state
 * machine's view is captured at once and saved by the simulated snapshot thread (one operation at
 * a time, each after a delay) into a {@link MemorySnapshotStore}; only then is the core told
 * ({@code snapshotTaken}) and the compaction it asks for goes to the disk queue with the next
 * writes. The same thread reads and sends the chunks a leader asks for and stores the chunks a
 * follower receives (with RaftRuntime's own {@code ChunkAssembler}); an installed snapshot resets the
 * state machine before the Ready's committed entries are applied.
 *
 * <p>A crash throws away the core, the state machine, the disk queue, the snapshot thread's work
 * and any partly received snapshot; a restart recovers as RaftRuntime does (its own
 * {@code Recovery}: the newest durable snapshot and the log after it) and applies from there.
 */
final class SimNode {
    final int id;
    /** The configuration until the log or a snapshot records one: the bootstrap group, or EMPTY for a joiner. */
    private final Configuration initial;
    private final BugInjection.Bug bug;
    private final RaftConfig config;
    private final Scheduler scheduler;
    private final SimNetwork network;
    private final Random random;
    private final EventLog log;
    private final InvariantChecker checker;
    private final Workload workload;
    private final SimStorage storage = new SimStorage();
    private final Faults faults;
    private final SnapshotStats.Counter stats;
    /** The durable snapshots; replaced by what survives at every crash. */
    private MemorySnapshotStore snapshots = new MemorySnapshotStore();

    private RaftCore core;
    private DigestingStateMachine stateMachine;
    private RuntimeSnapshotParts.Assembler assembler;
    private SnapshotPolicy snapshotPolicy;
    private long lastAppliedTerm;
    /** As RaftRuntime: the configuration as of lastApplied, which a snapshot records. */
    private Configuration appliedConfiguration;
    private SnapshotMeta installedSnapshot;
    /** When the simulated snapshot thread finishes the work queued on it. */
    private long snapshotThreadFreeAt;
    /** Snapshot-thread operations of a transfer (chunks to send or store) queued and not yet done. */
    private int transferOpsQueued;
    /** A snapshot save queued and not yet durable. */
    private boolean saving;
    /** Index of the snapshot partly received from a leader (chunks stored, not complete), or 0. */
    private long receiving;
    /** Bumped by every crash, so that timers and disk completions of a past life are ignored. */
    private int incarnation;
    private long tickMicros;
    private long lastApplied;
    /** Ticks since the run began: the clock of learner catch-up rounds, as RaftRuntime's tickCount. */
    private long ticks;
    private Role lastRole;
    private long lastTerm;
    /** Proposals this node appended as leader and has not answered, by log index. */
    private final TreeMap<Long, Proposal> pending = new TreeMap<>();
    /** Linearizable reads asked of this node and not answered. */
    private final SimReads reads = new SimReads();
    private final String receivedLabel;
    private final String durableLabel;

    SimNode(int id, Configuration initial, BugInjection.Bug bug, RaftConfig config, Scheduler scheduler,
            SimNetwork network, Random random, EventLog log, InvariantChecker checker, Workload workload,
            Faults faults, SnapshotStats.Counter stats) {
        this.id = id;
        this.initial = initial;
        this.bug = bug;
        this.config = config;
        this.scheduler = scheduler;
        this.network = network;
        this.random = random;
        this.log = log;
        this.checker = checker;
        this.workload = workload;
        this.faults = faults;
        this.stats = stats;
        this.tickMicros = config.tickInterval().toNanos() / 1000;
        this.receivedLabel = "n" + id + " <- ";
        this.durableLabel = "n" + id + " durable up to seq ";
    }

    // ---------------------------------------------------------------- life cycle

    /** RaftRuntime.start: recover the newest durable snapshot and the log after it, restore, build the core. */
    void start() {
        RuntimeSnapshotParts.Recovered recovered;
        stateMachine = new DigestingStateMachine(workload.newStateMachine(id));
        try {
            recovered = RuntimeSnapshotParts.recover(new RaftStorage.Stored(storage.hardState(), storage.log()),
                    snapshots);
            if (recovered.snapshot() != null) {
                long index = recovered.snapshot().lastIncludedIndex();
                long digest;
                try (InputStream in = snapshots.openState(index)) {
                    digest = DigestingStateMachine.digestOf(in);
                }
                if (stateMachine.resumeCheckpoint(index, digest)) {
                    stats.checkpointsResumed++;
                } else {
                    try (InputStream in = snapshots.openState(index)) {
                        stateMachine.restoreSnapshot(in);
                    }
                }
                stats.recoveries++;
            }
        } catch (IOException e) {
            throw new IllegalStateException("n" + id + " cannot recover: " + e.getMessage(), e);
        }
        if (recovered.discardStoredLog()) {
            storage.discardNow(); // RaftRuntime.start: truncate and sync before the node starts
        }
        core = new RaftCore(id, config, storage.hardState(), recovered.snapshot(), recovered.tail(), initial,
                new Random(random.nextLong()));
        if (bug != BugInjection.Bug.NONE) {
            BugInjection.inject(core, bug);
        }
        appliedConfiguration = recovered.snapshot() != null ? recovered.snapshot().configuration() : initial;
        assembler = new RuntimeSnapshotParts.Assembler(snapshots);
        snapshotPolicy = new SnapshotPolicy(config.snapshotEntries(), config.snapshotBytes());
        lastApplied = core.latestSnapshotIndex();
        lastAppliedTerm = core.latestSnapshotTerm();
        snapshotThreadFreeAt = scheduler.now();
        transferOpsQueued = 0;
        saving = false;
        receiving = 0;
        lastRole = core.role();
        lastTerm = core.term();
        checker.onStart(this);
        if (recovered.snapshot() != null) {
            checker.onRestored(this, lastApplied, stateMachine.digest(), "recovered");
        }
        log.record(scheduler.now(), "n" + id + " start " + storage.hardState() + " snapshot="
                + recovered.snapshot() + " log=" + core.log().firstIndex() + ".." + core.log().lastIndex());
        scheduleTick(incarnation);
    }

    void crash() {
        checker.onCrash(this);
        int lostWrites = storage.crash();
        if (saving) {
            stats.savesLost++;
        }
        if (receiving != 0 || transferOpsQueued > 0) {
            stats.interrupted++;
        }
        snapshots = snapshots.crashCopy(); // whole saved snapshots survive; a partial incoming one does not
        log.record(scheduler.now(), "n" + id + " CRASH (" + lostWrites + " writes not durable lost"
                + (saving ? ", a snapshot save" : "") + (receiving != 0 ? ", a partial snapshot " + receiving : "")
                + ")");
        core = null;
        stateMachine = null;
        reads.crashed();
        incarnation++;
        for (Proposal p : pending.values()) {
            workload.outcomeUnknown(p);
        }
        pending.clear();
    }

    boolean isUp() {
        return core != null;
    }

    /**
     * As RaftRuntime with lease reads: the core learns the time before each input. The simulated time
     * is exact, so a leader's lease clock does not drift; the followers' election timers do (their
     * tick intervals), by less than the lease's margin (7-15 ms ticks against 10 ms nominal, a lease
     * of 10 nominal ticks against a vote refusal of 15 ticks).
     */
    private void observeTime() {
        core.observeTime(scheduler.now() * 1000);
    }

    /** Clock speed: this node's tick interval, so that nodes' clocks drift apart. */
    void setTickMicros(long micros) {
        tickMicros = micros;
        log.record(scheduler.now(), "n" + id + " tick interval " + micros + "us");
    }

    private void scheduleTick(int life) {
        scheduler.after(tickMicros, () -> {
            if (life == incarnation) {
                ticks++;
                observeTime();
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
        checker.onDelivered(this, m);
        observeTime();
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

    /** As RaftRuntime's readIndex: asks the core for a read; {@code reader} hears whether it was served. */
    void read(long requestId, SimReads.Reader reader) {
        reads.asked(requestId, reader);
        observeTime();
        core.readIndex(requestId);
        process();
    }

    /**
     * As RaftRuntime's proposeChange: appends {@code next} if this node leads and the core accepts it.
     *
     * @throws io.rrmq.raft.MembershipChangeException the core refused it
     */
    long proposeConfiguration(Configuration next) {
        long index = core.proposeConfiguration(next);
        log.record(scheduler.now(), "n" + id + " proposes configuration " + next + " at " + index + "@" + core.term());
        process();
        return index;
    }

    /** As RaftRuntime's transferLeadership. */
    void transferLeadership(int target) {
        core.transferLeadership(target);
        log.record(scheduler.now(), "n" + id + " hands leadership to n" + target);
        process();
    }

    private void onDiskDue(int life) {
        if (life != incarnation) {
            return;
        }
        List<SimStorage.PendingWrite> done = storage.completeDue(scheduler.now());
        if (done.isEmpty()) {
            return;
        }
        long seq = 0;
        for (SimStorage.PendingWrite w : done) {
            seq = Math.max(seq, w.seq);
        }
        log.record(scheduler.now(), durableLabel, seq);
        // RaftRuntime's storage thread: the held messages go once their write is synced.
        for (SimStorage.PendingWrite w : done) {
            for (RaftMessage m : w.held) {
                network.send(m);
            }
            if (w.compactUpTo > 0) {
                stats.compactions++;
            }
        }
        if (seq > 0) { // a compaction alone has no sequence number to report
            observeTime();
            core.onPersisted(seq);
        }
        process();
    }

    // ---------------------------------------------------------------- the Ready contract

    private void process() {
        checker.observeCommit(this);
        Ready ready = core.takeReady();
        checker.onReady(this, ready);
        Ready.Snapshots snapshotWork = ready.snapshots();
        if (ready.hasWrites() || snapshotWork.touchesLog()) {
            SimStorage.PendingWrite w = storage.write(ready, scheduler.now() + diskDelay());
            int life = incarnation;
            scheduler.at(w.durableAt, () -> onDiskDue(life));
            faults.handedOut(this, ready.hardState() != null, w.durableAt);
        }
        for (RaftMessage m : ready.messages()) {
            if (storage.busy() && Ready.mustFollowPersistence(m)) {
                storage.newest().held.add(m);
            } else {
                network.send(m);
            }
        }
        if (snapshotWork.restoreIndex() > 0) {
            restoreFromSnapshot(snapshotWork.restoreIndex());
        }
        apply(ready.committed());
        reads.onReady(ready.reads(), lastApplied);
        for (SnapshotChunkRequest request : snapshotWork.chunksToSend()) {
            transferOpsQueued++;
            onSnapshotThread(20 + random.nextInt(300), () -> {
                transferOpsQueued--;
                sendChunk(request);
            });
        }
        for (InstallSnapshot chunk : snapshotWork.chunksToStore()) {
            transferOpsQueued++;
            long at = onSnapshotThread(50 + random.nextInt(chunk.done() ? 3_000 : 1_000), () -> {
                transferOpsQueued--;
                storeChunk(chunk);
            });
            faults.chunkStoreStarted(this, chunk, at);
        }
        if (snapshotPolicy.due()) {
            takeSnapshot();
        }
        if (core.role() != Role.LEADER && !pending.isEmpty()) {
            // As RaftRuntime: no longer leader, so whether these commit is unknown to this node.
            for (Proposal p : pending.values()) {
                workload.outcomeUnknown(p);
            }
            pending.clear();
        }
        boolean newLeader = core.role() == Role.LEADER && (lastRole != Role.LEADER || lastTerm != core.term());
        if (core.role() != lastRole || core.term() != lastTerm) {
            log.record(scheduler.now(), "n" + id + " " + core.role() + " term " + core.term());
            lastRole = core.role();
            lastTerm = core.term();
        }
        checker.afterStep(this);
        if (newLeader) {
            faults.becameLeader(this);
        }
    }

    private void apply(List<LogEntry> committed) {
        for (LogEntry e : committed) {
            checker.onApply(this, e);
            byte[] result = e.type() == LogEntry.Type.COMMAND ? stateMachine.apply(e.index(), e.data()) : new byte[0];
            lastApplied = e.index();
            lastAppliedTerm = e.term();
            if (e.type() == LogEntry.Type.CONFIGURATION) {
                appliedConfiguration = e.configuration();
            }
            snapshotPolicy.applied(e);
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

    // ---------------------------------------------------------------- snapshots, as RaftRuntime

    /**
     * Queues {@code action} on the simulated snapshot thread: it runs after the work queued before it
     * and {@code micros} of its own, unless the node crashed meanwhile. Returns when it runs.
     */
    private long onSnapshotThread(long micros, Runnable action) {
        long at = Math.max(scheduler.now(), snapshotThreadFreeAt) + micros;
        snapshotThreadFreeAt = at;
        int life = incarnation;
        scheduler.at(at, () -> {
            if (inLife(life)) {
                action.run();
            }
        });
        return at;
    }

    /** Figure 13, receiver rule 8: reset the state machine from the durable snapshot at {@code index}. */
    private void restoreFromSnapshot(long index) {
        checker.beforeRestore(this, index, snapshots);
        try (InputStream in = snapshots.openState(index)) {
            stateMachine.restoreSnapshot(in);
        } catch (IOException e) {
            throw new IllegalStateException("n" + id + ": restoring the installed snapshot " + index + " failed", e);
        }
        lastApplied = index;
        lastAppliedTerm = core.latestSnapshotTerm();
        if (installedSnapshot != null && installedSnapshot.lastIncludedIndex() == index) {
            appliedConfiguration = installedSnapshot.configuration();
        }
        stats.installs++;
        snapshotPolicy.restored();
        checker.onRestored(this, index, stateMachine.digest(), "installed");
        log.record(scheduler.now(), "n" + id + " installed snapshot " + index);
    }

    /** Captures the state machine's view now; the snapshot thread saves it; then the core hears of it. */
    private void takeSnapshot() {
        SnapshotWriter writer;
        try {
            writer = stateMachine.takeSnapshot(lastApplied);
        } catch (IOException e) {
            throw new IllegalStateException("n" + id + ": capturing a snapshot failed", e);
        }
        checker.onSnapshotCaptured(this, lastApplied, stateMachine.digest());
        snapshotPolicy.started();
        SnapshotMeta meta = new SnapshotMeta(lastApplied, lastAppliedTerm, appliedConfiguration);
        saving = true;
        // Serialize and fsync: usually a few ms, sometimes a slow disk.
        long micros = random.nextInt(10) == 0 ? 10_000 + random.nextInt(40_000) : 300 + random.nextInt(5_000);
        long at = onSnapshotThread(micros, () -> {
            saving = false;
            try {
                snapshots.save(meta, writer, RuntimeSnapshotParts.RETAIN);
            } catch (IOException e) {
                throw new IllegalStateException("n" + id + ": saving " + meta + " failed", e);
            }
            stats.taken++;
            log.record(scheduler.now(), "n" + id + " saved " + meta);
            snapshotPolicy.finished();
            core.snapshotTaken(meta.lastIncludedIndex(), meta.lastIncludedTerm());
            process();
        });
        faults.snapshotSaveStarted(this, at);
    }

    /** RaftRuntime.sendChunk: read one chunk of the durable snapshot and send it. */
    private void sendChunk(SnapshotChunkRequest request) {
        long index = request.lastIncludedIndex();
        try {
            if (RuntimeSnapshotParts.beforeChunk(index, request.offset(), snapshots, stateMachine)) {
                stats.expanded++;
                log.record(scheduler.now(), "n" + id + " made snapshot " + index + " whole to send it");
            }
            long size = snapshots.size(index);
            if (request.pastTheEnd(size)) {
                return;
            }
            byte[] data = snapshots.read(index, request.offset(), config.snapshotChunkBytes());
            boolean done = request.offset() + data.length == size;
            stats.chunksSent++;
            network.send(new InstallSnapshot(id, request.peer(), request.term(), index, request.lastIncludedTerm(),
                    request.offset(), data, done));
        } catch (IOException e) {
            log.record(scheduler.now(), "n" + id + " snapshot " + index + " unavailable for n" + request.peer());
            core.snapshotUnavailable(request.peer(), index);
            process();
        }
    }

    /** RaftRuntime's chunk store: the runtime's own ChunkAssembler, then the core hears of it. */
    private void storeChunk(InstallSnapshot chunk) {
        SnapshotMeta saved = null;
        boolean stored = true;
        try {
            saved = assembler.store(chunk);
        } catch (IOException e) {
            stored = false;
        }
        if (saved != null) {
            installedSnapshot = saved;
        }
        if (!stored || chunk.done()) {
            receiving = 0;
            if (stored) {
                stats.transfers++;
                log.record(scheduler.now(), "n" + id + " received snapshot " + chunk.lastIncludedIndex());
            }
        } else {
            receiving = chunk.lastIncludedIndex();
        }
        core.onSnapshotChunkStored(chunk, stored, saved == null ? null : saved.configuration());
        process();
    }

    /** fsync latency: usually well under a tick, sometimes a slow disk of several ticks. */
    private long diskDelay() {
        return random.nextInt(20) == 0 ? 5_000 + random.nextInt(40_000) : 50 + random.nextInt(2_000);
    }

    /** Told of the moments worth a power cut: the nemesis may crash the node before the work is done. */
    interface Faults {
        /** A write was handed to the disk, durable at {@code durableAt}. */
        void handedOut(SimNode node, boolean changesHardState, long durableAt);

        /** A snapshot save started, durable at {@code durableAt}. */
        void snapshotSaveStarted(SimNode node, long durableAt);

        /** A received chunk is being stored, done at {@code storedAt}. */
        void chunkStoreStarted(SimNode node, InstallSnapshot chunk, long storedAt);

        /** The node was elected leader (operators' scripts retry against a new leader at once). */
        void becameLeader(SimNode node);
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

    /** The term on this node's disk. */
    long durableTerm() {
        return storage.hardState().currentTerm();
    }

    long ticks() {
        return ticks;
    }

    /**
     * Whether this node's disk holds the entry at {@code index} of term {@code term}: in its durable
     * log, or covered by a durable snapshot (which holds only committed entries).
     */
    boolean holdsDurably(long index, long term) {
        if (storage.durableTermAt(index) == term) {
            return true;
        }
        try {
            for (SnapshotMeta meta : snapshots.list()) {
                if (meta.lastIncludedIndex() >= index) {
                    return true;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return false;
    }

    List<LogEntry> durableLog() {
        return storage.log();
    }

    MemorySnapshotStore snapshotStore() {
        return snapshots;
    }
}

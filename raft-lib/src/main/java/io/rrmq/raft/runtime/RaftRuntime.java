package io.rrmq.raft.runtime;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.LeadershipLostException;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.Member;
import io.rrmq.raft.MembershipChangeException;
import io.rrmq.raft.NodeClosedException;
import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.OverloadedException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftException;
import io.rrmq.raft.RaftMetrics;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftObserver;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.Role;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import io.rrmq.raft.SnapshotWriter;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.StorageFullException;
import io.rrmq.raft.Transport;
import io.rrmq.raft.core.RaftCore;
import io.rrmq.raft.core.Ready;
import io.rrmq.raft.core.SnapshotChunkRequest;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.runtime.internal.ChunkAssembler;
import io.rrmq.raft.runtime.internal.LearnerCatchUp;
import io.rrmq.raft.runtime.internal.RecentChunks;
import io.rrmq.raft.runtime.internal.Recovery;
import io.rrmq.raft.runtime.internal.SnapshotExpansion;
import io.rrmq.raft.runtime.internal.SnapshotPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a {@code RaftCore} (the internal pure engine) with real threads, time and storage.
 *
 * <p><b>Threads.</b> One event-loop thread owns the core and the state machine: it takes inbound
 * messages, proposals, clock ticks and storage acknowledgements from one queue, feeds them to the core,
 * sends what may go at once, applies committed entries and completes proposals. One storage thread
 * writes what the core hands out: it drains every write queued since its last turn, performs them, and
 * syncs once for the lot (group commit); then it sends the messages that had to wait for that
 * durability and tells the loop which writes are durable. Transports send in the background. One
 * snapshot thread does all snapshot file I/O: it serializes and saves the snapshots the loop
 * captured, reads the chunks a leader sends, and writes the chunks a follower receives; it reports
 * to the loop through the same queue.
 *
 * <p><b>Snapshots.</b> Once the entries applied since the last snapshot pass the thresholds of
 * {@link RaftConfig}, the loop asks the state machine for a cheap consistent view
 * ({@link StateMachine#takeSnapshot}: the only stall of the loop) and hands it to the snapshot
 * thread, which writes and fsyncs it; once it is durable the core compacts its log and storage
 * deletes the segments it covers. A follower that installs a leader's snapshot resets its state
 * machine from it on the loop (Figure 13, rule 8).
 *
 * <p><b>Disk space.</b> While {@link RaftStorage#lowOnSpace()} says the disk is below its reserve,
 * {@link #propose} fails fast with {@link StorageFullException}; replication, elections and
 * snapshots go on, so compaction can bring the space back. A write or sync that fails stops the
 * node: after a failed fsync the state of the page cache is unknown, and retrying it could report
 * durable what is not.
 *
 * <p><b>Life of a read.</b> {@link #readIndex} and {@link #query} queue it; the loop asks the core
 * ({@link RaftCore#readIndex}); the core confirms it with a heartbeat round (or forwards it to the
 * leader) and hands out its read index in a later {@code Ready}; {@link ReadWaiters} holds it until
 * the state machine has applied that index and then serves it on the loop. Nothing is written.
 *
 * <p><b>Life of a proposal.</b> {@link #propose} queues it; the loop appends it to the leader's log;
 * the next {@code Ready} hands the entry to storage and, at the same time, AppendEntries to the
 * followers; a majority (the leader counts itself once its own write is durable) commits it; the loop
 * applies it and completes the future with the state machine's result.
 */
public final class RaftRuntime implements RaftNode {
    private static final System.Logger LOG = System.getLogger(RaftRuntime.class.getName());
    /** Inputs handled per loop turn before the core's output is processed; bounds latency under load. */
    private static final int MAX_EVENTS_PER_TURN = 4096;

    private final RaftConfig config;
    private final RaftCore core;
    private final StateMachine stateMachine;
    private final RaftStorage storage;
    private final SnapshotStore snapshots;
    private final Transport transport;
    private final RaftObserver observer;
    private final ChunkAssembler assembler;
    private final SnapshotPolicy snapshotPolicy;
    /** Runs every snapshot file operation, in order. */
    private final java.util.concurrent.ExecutorService snapshotThread;
    /** Snapshot chunks sent lately, so that copies requested while this thread was busy are skipped; its own. */
    private final RecentChunks recentChunks;

    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<StorageTask> storageQueue = new LinkedBlockingQueue<>();
    /** Storage tasks queued and not yet finished (sync done, messages sent). */
    private final AtomicInteger storageOutstanding = new AtomicInteger();
    /** Proposals queued or appended and not yet answered: the backpressure bound. */
    private final AtomicInteger proposalsInFlight = new AtomicInteger();
    /** Reads asked for and not answered yet: bounded like proposals. */
    private final AtomicInteger readsInFlight = new AtomicInteger();

    /** Whether the core needs the clock before every input (lease reads). */
    private final boolean leaseReads;
    private final Thread loopThread;
    private final Thread storageThread;
    private volatile boolean running = true;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile RaftStatus status;
    /** Why the node refuses writes (disk below reserve), or null. Set by the storage thread. */
    private volatile String storageError;
    /** Why the node stopped by itself (storage failed, an invariant broke), or null. */
    private volatile Throwable failure;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private long lastSpaceCheck;
    /** Entry bytes written since the last free-space check (storage thread). */
    private long bytesSinceSpaceCheck;

    // Membership work, owned by the loop thread.
    /** Ticks since start: the clock of catch-up rounds. */
    private long tickCount;
    /** The configuration as of {@link #lastApplied}: the one a snapshot taken now records. */
    private Configuration appliedConfiguration;
    /** The configuration of the snapshot that the last stored chunk completed, until it is restored. */
    private SnapshotMeta installedSnapshot;
    /** The configuration last handed to the transport. */
    private Configuration publishedConfiguration;
    private final Map<Integer, Promotion> promotions = new HashMap<>();
    private CompletableFuture<Integer> handover;
    private long handoverStarted;
    /** When the snapshot being received began (snapshot thread only): for the log line at its end. */
    private long transferStartedNanos;

    // Owned by the loop thread.
    private final Map<Long, Pending> pending = new HashMap<>();
    private final ReadWaiters reads = new ReadWaiters();
    private long lastApplied;
    private long lastAppliedTerm;
    private volatile long entriesApplied;
    private volatile long snapshotsTaken;
    private volatile long snapshotsInstalled;
    private volatile long lastCaptureNanos;
    private volatile long lastSnapshotNanos;
    private volatile long proposalsAccepted;
    // Read counters, copied from the core and ReadWaiters at the end of each loop turn.
    private volatile long readsServed;
    private volatile long readRounds;
    private volatile long leaseReadsServed;

    // Written by the storage thread only.
    private volatile long fsyncs;
    private volatile long entriesPersisted;

    private record Proposal(byte[] command, CompletableFuture<byte[]> future, long proposedNanos) {
    }

    private record Pending(long term, CompletableFuture<byte[]> future, long proposedNanos) {
    }

    private record Persisted(long seq) {
    }

    /** A linearizable read for the loop to ask the core for. */
    private record ReadRequest(ReadWaiters.Waiter waiter) {
    }

    private record StorageTask(Ready ready, List<RaftMessage> messagesAfter) {
    }

    /** The snapshot thread made a captured snapshot durable ({@code meta} null: it failed). */
    private record SnapshotSaved(SnapshotMeta meta) {
    }

    private record ChunkStored(InstallSnapshot chunk, ChunkAssembler.Stored stored) {
    }

    /** Work for the loop thread on behalf of another thread; {@code future} fails if the node stops first. */
    private record LoopTask(Runnable action, CompletableFuture<?> future) {
    }

    private record Promotion(LearnerCatchUp catchUp, CompletableFuture<Configuration> future) {
    }

    private record SnapshotUnavailable(int peer, long index) {
    }

    private static final Object STOP = new Object();

    private RaftRuntime(RaftConfig config, RaftCore core, StateMachine stateMachine, RaftStorage storage,
                        SnapshotStore snapshots, Transport transport, RaftObserver observer) {
        this.config = config;
        this.observer = observer;
        this.core = core;
        this.stateMachine = stateMachine;
        this.storage = storage;
        this.snapshots = snapshots;
        this.transport = transport;
        this.assembler = new ChunkAssembler(snapshots);
        this.snapshotPolicy = new SnapshotPolicy(config.snapshotEntries(), config.snapshotBytes());
        this.lastApplied = core.latestSnapshotIndex();
        this.lastAppliedTerm = core.latestSnapshotTerm();
        this.recentChunks = new RecentChunks(config.tickInterval().toNanos() * config.electionTicks());
        this.snapshotThread = java.util.concurrent.Executors.newSingleThreadExecutor(
                r -> new Thread(r, "raft-snapshot-" + core.id()));
        this.status = core.status(lastApplied);
        this.leaseReads = config.leaseReads();
        this.loopThread = new Thread(this::runLoop, "raft-loop-" + core.id());
        this.storageThread = new Thread(this::runStorage, "raft-storage-" + core.id());
    }

    /**
     * Loads {@code storage} and the newest valid snapshot, restores {@code stateMachine} from the
     * snapshot, builds the core and starts the node's threads. Committed entries after the snapshot
     * are applied as this node learns they are committed, so a restarted node rebuilds its state
     * from the snapshot and the log tail (see {@code Recovery} for a damaged snapshot).
     *
     * @param config       timing, flow control and snapshot thresholds
     * @param selfId       this node's id
     * @param memberIds    every voting member, {@code selfId} included
     * @param stateMachine the application; its state is replaced by the newest snapshot, if any (or by
     *                     its own checkpoint of that snapshot, {@link StateMachine#resumeCheckpoint})
     * @param storage      the log and hard state (see {@link RaftStorage} for what must be durable when)
     * @param snapshots    durable snapshots; must be as durable as {@code storage} (the log is
     *                     compacted once a snapshot is saved)
     * @param transport    carries this node's messages; inbound ones go to the returned node's
     *                     {@link RaftNode#receive}
     * @param randomSeed   seeds the election-timeout jitter
     * @return the running node
     * @throws IOException if storage cannot be read, or snapshot and log cannot be recovered
     *                     without losing entries
     */
    public static RaftNode start(RaftConfig config, int selfId, List<Integer> memberIds,
                                 StateMachine stateMachine, RaftStorage storage, SnapshotStore snapshots,
                                 Transport transport, long randomSeed) throws IOException {
        return start(config, selfId, Configuration.ofVoters(memberIds), stateMachine, storage, snapshots, transport,
                randomSeed, RaftObserver.NONE);
    }

    /**
     * Recovers a node from {@code storage} and {@code snapshots} and starts its threads.
     *
     * @param initial  the configuration to use until the log or a snapshot records one: the bootstrap
     *                 members of a new group (the first leader writes them into the log), or
     *                 {@link Configuration#EMPTY} for a node that waits to be added to a running group.
     *                 Once the log records a configuration, this argument is ignored.
     * @param observer told of the engine's events, on the threads its methods name
     * @param config       timing, flow control and snapshot thresholds
     * @param selfId       this node's id
     * @param stateMachine the application; its state is replaced by the newest snapshot, if any (or by
     *                     its own checkpoint of that snapshot, {@link StateMachine#resumeCheckpoint})
     * @param storage      the log and hard state
     * @param snapshots    durable snapshots, as durable as {@code storage}
     * @param transport    carries this node's messages
     * @param randomSeed   seeds the election-timeout jitter
     * @return the running node
     * @throws IOException if storage cannot be read, or snapshot and log cannot be recovered
     *                     without losing entries
     */
    public static RaftNode start(RaftConfig config, int selfId, Configuration initial,
                                 StateMachine stateMachine, RaftStorage storage, SnapshotStore snapshots,
                                 Transport transport, long randomSeed, RaftObserver observer) throws IOException {
        RaftStorage.Stored stored = storage.load();
        Recovery.Recovered recovered = Recovery.recover(stored, snapshots);
        if (recovered.snapshot() != null) {
            long started = System.nanoTime();
            long index = recovered.snapshot().lastIncludedIndex();
            boolean resumed = stateMachine.resumeCheckpoint(index);
            if (!resumed) {
                try (InputStream in = snapshots.openState(index)) {
                    stateMachine.restoreSnapshot(in);
                }
            }
            LOG.log(System.Logger.Level.INFO, () -> String.format("node %d %s %s in %d ms; %d log entries follow",
                    selfId, resumed ? "resumed its checkpoint of" : "restored", recovered.snapshot(),
                    (System.nanoTime() - started) / 1_000_000, recovered.tail().size()));
        }
        if (recovered.discardStoredLog()) {
            storage.truncateSuffix(0);
            storage.sync();
        }
        RaftCore core = new RaftCore(selfId, config, stored.hardState(), recovered.snapshot(),
                recovered.tail(), initial, new Random(randomSeed));
        RaftRuntime runtime = new RaftRuntime(config, core, stateMachine, storage, snapshots, transport, observer);
        runtime.appliedConfiguration = recovered.snapshot() != null ? recovered.snapshot().configuration() : initial;
        runtime.publishConfiguration();
        runtime.storageThread.start();
        runtime.loopThread.start();
        return runtime;
    }

    @Override
    public int id() {
        return core.id();
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(refusedWhileStopped());
            return future;
        }
        String lowOnSpace = storageError;
        if (lowOnSpace != null) {
            future.completeExceptionally(new StorageFullException(lowOnSpace));
            return future;
        }
        if (admitted(proposalsInFlight, future)) {
            inbox.add(new Proposal(command, future, System.nanoTime()));
        }
        return future;
    }

    /**
     * Why a proposal or read made once the node stops is refused. Nothing was appended, so after a
     * clean stop (a leader that handed over, then closed) the client is sent to the leader it knew,
     * as for proposals still queued when the loop ended; only a failed engine answers
     * {@link NodeClosedException}, so that clients stop trying this node.
     */
    private RuntimeException refusedWhileStopped() {
        if (failure != null) {
            return new NodeClosedException();
        }
        int leader = status.leaderId() == status.id() ? RaftStatus.NO_LEADER : status.leaderId();
        return new NotLeaderException(leader);
    }

    /**
     * Counts {@code future} in {@code inFlight} until it completes, if that stays within
     * {@link RaftConfig#maxPendingProposals()}; else fails it with {@link OverloadedException}.
     */
    private boolean admitted(AtomicInteger inFlight, CompletableFuture<?> future) {
        int count = inFlight.incrementAndGet();
        if (count > config.maxPendingProposals()) {
            inFlight.decrementAndGet();
            future.completeExceptionally(new OverloadedException(count - 1));
            return false;
        }
        future.whenComplete((r, e) -> inFlight.decrementAndGet());
        return true;
    }

    @Override
    public CompletableFuture<Long> readIndex() {
        return read(index -> index);
    }

    @Override
    public CompletableFuture<byte[]> query(byte[] query) {
        return read(index -> stateMachine.query(query)); // runs on the loop, which owns the state machine
    }

    private <T> CompletableFuture<T> read(java.util.function.LongFunction<T> onApplied) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(refusedWhileStopped());
            return future;
        }
        if (admitted(readsInFlight, future)) {
            inbox.add(new ReadRequest(ReadWaiters.completing(future, onApplied)));
        }
        return future;
    }

    @Override
    public CompletableFuture<Configuration> addLearner(int id, String address) {
        return onLoop(future -> {
            Configuration current = core.configuration();
            if (current.contains(id)) {
                throw new MembershipChangeException("server " + id + " is a member already", false);
            }
            proposeChange(current.withLearner(id, address), future);
        });
    }

    @Override
    public CompletableFuture<Configuration> promote(int id) {
        return onLoop(future -> {
            requireLeader();
            Member member = core.configuration().member(id).orElseThrow(
                    () -> new MembershipChangeException("server " + id + " is not a member", false));
            if (member.voter()) {
                future.complete(core.configuration());
                return;
            }
            Promotion previous = promotions.put(id, new Promotion(LearnerCatchUp.startingAt(config.electionTicks(),
                    config.tickInterval(), core.log().lastIndex(), tickCount), future));
            if (previous != null) {
                previous.future().completeExceptionally(
                        new MembershipChangeException("superseded by another promotion of " + id, true));
            }
        });
    }

    @Override
    public CompletableFuture<Configuration> remove(int id) {
        return onLoop(future -> {
            Configuration current = core.configuration();
            if (!current.contains(id)) {
                throw new MembershipChangeException("server " + id + " is not a member", false);
            }
            proposeChange(current.without(id), future);
        });
    }

    @Override
    public CompletableFuture<Integer> transferLeadership(int target) {
        return onLoop(future -> {
            requireLeader();
            int to = target == -1 ? core.mostUpToDateVoter() : target;
            if (to == -1) {
                throw new MembershipChangeException("there is no other voter to hand leadership to", false);
            }
            core.transferLeadership(to);
            LOG.log(System.Logger.Level.INFO, "node " + core.id() + " hands leadership to node " + to);
            if (handover != null) {
                handover.completeExceptionally(new MembershipChangeException("superseded by a transfer to " + to, true));
            }
            handover = future;
            handoverStarted = tickCount;
        });
    }

    @Override
    public CompletableFuture<Map<Integer, Long>> matchIndexes() {
        return onLoop(future -> {
            Map<Integer, Long> matches = new java.util.LinkedHashMap<>();
            if (core.role() == Role.LEADER) {
                for (int member : core.configuration().ids()) {
                    matches.put(member, core.matchIndex(member));
                }
            }
            future.complete(matches);
        });
    }

    /** Runs {@code action} on the loop; whatever it throws fails the future. */
    private <T> CompletableFuture<T> onLoop(java.util.function.Consumer<CompletableFuture<T>> action) {
        CompletableFuture<T> future = new CompletableFuture<>();
        if (!running) {
            future.completeExceptionally(refusedWhileStopped());
            return future;
        }
        inbox.add(new LoopTask(() -> {
            try {
                action.accept(future);
            } catch (RaftException | IllegalArgumentException e) {
                future.completeExceptionally(e instanceof RaftException ? e
                        : new MembershipChangeException(e.getMessage(), false));
            }
        }, future));
        return future;
    }

    private void requireLeader() {
        if (core.role() != Role.LEADER) {
            throw new NotLeaderException(core.leaderId());
        }
    }

    /** On the loop: appends {@code next}; {@code future} completes once it is applied here. */
    private void proposeChange(Configuration next, CompletableFuture<Configuration> future) {
        requireLeader();
        long index = core.proposeConfiguration(next);
        CompletableFuture<byte[]> applied = new CompletableFuture<>();
        pending.put(index, new Pending(core.term(), applied, System.nanoTime()));
        applied.whenComplete((result, failure) -> {
            if (failure != null) {
                future.completeExceptionally(failure);
            } else {
                future.complete(next);
            }
        });
        LOG.log(System.Logger.Level.INFO, "node " + core.id() + " proposes configuration " + next + " at " + index);
    }

    /** On the loop, every turn: drives promotions and a leadership transfer to their end. */
    private void advanceMembershipWork() {
        if (!promotions.isEmpty()) {
            for (Iterator<Map.Entry<Integer, Promotion>> it = promotions.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Integer, Promotion> e = it.next();
                if (advancePromotion(e.getKey(), e.getValue())) {
                    it.remove();
                }
            }
        }
        if (handover != null) {
            if (core.role() != Role.LEADER) {
                // Done once the new leader has made itself known (its first AppendEntries), or
                // after a few election timeouts without one.
                if (core.leaderId() != RaftStatus.NO_LEADER || tickCount - handoverStarted > 3L * config.electionTicks()) {
                    handover.complete(core.leaderId());
                    handover = null;
                }
            } else if (core.transferTarget() == -1) {
                handover.completeExceptionally(new MembershipChangeException("no other node took over within an"
                        + " election timeout; node " + core.id() + " leads on", true));
                handover = null;
            }
        }
    }

    /** @return whether the promotion is over (its future completed or handed on) */
    private boolean advancePromotion(int id, Promotion promotion) {
        if (core.role() != Role.LEADER) {
            promotion.future().completeExceptionally(new NotLeaderException(core.leaderId()));
            return true;
        }
        if (!core.configuration().contains(id)) {
            promotion.future().completeExceptionally(new MembershipChangeException("server " + id + " was removed", false));
            return true;
        }
        switch (promotion.catchUp().check(core.matchIndex(id), core.log().lastIndex(), tickCount)) {
            case PROMOTE -> {
                try {
                    proposeChange(core.configuration().withPromoted(id), promotion.future());
                    return true;
                } catch (MembershipChangeException e) {
                    if (e.retryable()) {
                        return false; // another change is committing: try again next turn
                    }
                    promotion.future().completeExceptionally(e);
                    return true;
                }
            }
            case GIVE_UP -> {
                promotion.future().completeExceptionally(new MembershipChangeException(
                        "server " + id + " stays a learner: " + promotion.catchUp().reason(), false));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Hands the configuration in effect to the transport whenever it changes, and says so. */
    private void publishConfiguration() {
        Configuration now = core.configuration();
        if (now == publishedConfiguration) {
            return;
        }
        if (publishedConfiguration != null) {
            LOG.log(System.Logger.Level.INFO, () -> "node " + core.id() + ": configuration now " + now
                    + (core.configurationCommitted() ? " (committed)" : " (appended, not committed yet)"));
        }
        publishedConfiguration = now;
        transport.configurationChanged(now);
    }

    @Override
    public void receive(RaftMessage message) {
        if (running) {
            inbox.add(message);
        }
    }

    @Override
    public RaftStatus status() {
        return status;
    }

    @Override
    public int pendingProposals() {
        return proposalsInFlight.get();
    }

    @Override
    public RaftMetrics metrics() {
        return new RaftMetrics(fsyncs, entriesPersisted, entriesApplied, proposalsAccepted, snapshotsTaken,
                snapshotsInstalled, lastCaptureNanos / 1000, lastSnapshotNanos / 1000,
                readsServed, readRounds, leaseReadsServed);
    }

    @Override
    public String storageError() {
        return storageError;
    }

    @Override
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        inbox.add(STOP);
        joinQuietly(loopThread);
        drainProposalsOnStop(); // any that raced in past the loop's own drain
        storageQueue.add(new StorageTask(null, List.of()));
        joinQuietly(storageThread);
        snapshotThread.shutdown();
        try {
            if (!snapshotThread.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a snapshot is still being written at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assembler.abort();
        try {
            storage.close();
            snapshots.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing storage failed", e);
        }
        stopped.complete(null); // a no-op after a failure, which completed it exceptionally
    }

    // ---------------------------------------------------------------- event loop

    private void runLoop() {
        long tickNanos = config.tickInterval().toNanos();
        long nextTick = System.nanoTime() + tickNanos;
        // Ticks from nextTick on that the core says only advance its counters (RaftCore.quietTicks):
        // the loop sleeps through them until an event or the first tick that can do something, and
        // makes them up on waking. An idle follower then wakes only for its leader's heartbeats, an
        // idle leader once per heartbeat interval, instead of every tick.
        int quiet = 0;
        try {
            while (running) {
                long wait = nextTick + quiet * tickNanos - System.nanoTime();
                Object event = wait > 0 ? inbox.poll(wait, TimeUnit.NANOSECONDS) : inbox.poll();
                long now = System.nanoTime();
                // The quiet ticks that fell due while asleep come first: they were due before the
                // events that woke us, and end in the state the core would have with them on time.
                int owed = now < nextTick ? 0 : (int) Math.min(quiet, (now - nextTick) / tickNanos + 1);
                for (int i = 0; i < owed; i++) {
                    core.tick();
                    tickCount++;
                }
                nextTick += owed * tickNanos;
                int handled = 0;
                while (event != null && event != STOP) {
                    handle(event);
                    if (++handled >= MAX_EVENTS_PER_TURN) {
                        break;
                    }
                    event = inbox.poll();
                }
                if (event == STOP) {
                    break;
                }
                // Tick after the messages that arrived meanwhile: after a pause (GC, a busy machine) the
                // acknowledgements waiting in the inbox must count before check-quorum looks at them.
                // Handling them took time: the regular tick is due by the clock after them.
                if (handled > 0) {
                    now = System.nanoTime();
                }
                boolean ticked = owed > 0;
                if (now >= nextTick) {
                    if (leaseReads) {
                        core.observeTime(now);
                    }
                    core.tick();
                    tickCount++;
                    nextTick = Math.max(nextTick + tickNanos, now);
                    ticked = true;
                }
                processReady();
                if (ticked) {
                    observer.ticked(status);
                }
                quiet = quietTicks();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // A broken invariant: stop serving rather than risk acknowledging something wrong.
            LOG.log(System.Logger.Level.ERROR, "raft event loop failed; node stops", e);
            failure = e;
            running = false;
        }
        failAllPending(new NodeClosedException());
        reads.failAll(refusedWhileStopped());
        for (Promotion p : promotions.values()) {
            p.future().completeExceptionally(new NodeClosedException());
        }
        promotions.clear();
        if (handover != null) {
            handover.completeExceptionally(new NodeClosedException());
        }
        drainProposalsOnStop();
        Throwable cause = failure;
        if (cause != null) {
            stopped.completeExceptionally(cause);
        }
    }

    /**
     * The core's quiet ticks ({@link RaftCore#quietTicks}), or 0 while the loop itself counts ticks
     * (a learner's catch-up rounds, a leadership hand-over before stopping).
     */
    private int quietTicks() {
        if (!promotions.isEmpty() || handover != null) {
            return 0;
        }
        return core.quietTicks();
    }

    private void handle(Object event) {
        if (leaseReads) {
            core.observeTime(System.nanoTime()); // before every input: a lease check must not use a lagging clock
        }
        if (event instanceof RaftMessage m) {
            core.step(m);
            if (m instanceof AppendEntriesResponse r && r.success()) {
                observer.appendEntriesAcknowledged(r.from(), r.matchIndex());
            }
        } else if (event instanceof Proposal p) {
            long index = core.propose(p.command());
            if (index < 0) {
                // While handing leadership over, the node it goes to is the one to ask.
                int hint = core.role() == Role.LEADER && core.transferTarget() >= 0 ? core.transferTarget() : core.leaderId();
                p.future().completeExceptionally(new NotLeaderException(hint));
            } else {
                proposalsAccepted++;
                pending.put(index, new Pending(core.term(), p.future(), p.proposedNanos()));
            }
        } else if (event instanceof Persisted p) {
            core.onPersisted(p.seq());
        } else if (event instanceof ReadRequest r) {
            core.readIndex(reads.add(r.waiter()));
        } else if (event instanceof LoopTask t) {
            t.action().run();
        } else if (event instanceof ChunkStored c) {
            SnapshotMeta saved = c.stored().saved();
            if (saved != null) {
                installedSnapshot = saved;
            }
            core.onSnapshotChunkStored(c.chunk(), c.stored().ok(), saved == null ? null : saved.configuration());
        } else if (event instanceof SnapshotUnavailable u) {
            core.snapshotUnavailable(u.peer(), u.index());
        } else if (event instanceof SnapshotSaved saved) {
            snapshotPolicy.finished();
            if (saved.meta() != null) {
                core.snapshotTaken(saved.meta().lastIncludedIndex(), saved.meta().lastIncludedTerm());
            }
        }
    }

    private void processReady() {
        Ready ready = core.takeReady();
        if (!ready.isEmpty()) {
            List<RaftMessage> afterPersistence = new ArrayList<>();
            boolean storageBusy = ready.hasWrites() || storageOutstanding.get() > 0;
            for (RaftMessage m : ready.messages()) {
                if (m instanceof AppendEntries ae && !ae.entries().isEmpty()) {
                    observer.appendEntriesSent(ae.to(), ae.entries().size());
                }
                if (storageBusy && Ready.mustFollowPersistence(m)) {
                    afterPersistence.add(m);
                } else {
                    transport.send(m);
                }
            }
            if (ready.hasWrites() || !afterPersistence.isEmpty() || ready.snapshots().touchesLog()) {
                storageOutstanding.incrementAndGet();
                storageQueue.add(new StorageTask(ready, afterPersistence));
            }
            if (ready.snapshots().restoreIndex() > 0) {
                restoreFromSnapshot(ready.snapshots().restoreIndex());
            }
            apply(ready.committed());
            reads.onReady(ready.reads(), lastApplied);
            for (SnapshotChunkRequest request : ready.snapshots().chunksToSend()) {
                snapshotThread.execute(() -> sendChunk(request));
            }
            for (InstallSnapshot chunk : ready.snapshots().chunksToStore()) {
                snapshotThread.execute(() -> inbox.add(new ChunkStored(chunk, storeChunk(chunk))));
            }
            if (snapshotPolicy.due()) {
                takeSnapshot();
            }
        }
        if (core.role() != Role.LEADER && !pending.isEmpty()) {
            // We appended these as leader and no longer are: whether the uncommitted ones commit is
            // unknown to us. The committed ones stay: they will be applied here whatever our role
            // (a leader that hands over commits everything before TimeoutNow, then steps down
            // before applying the last of it; failing those would answer 504 for a durable write).
            long committed = core.commitIndex();
            for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Pending> e = it.next();
                if (e.getKey() > committed) {
                    e.getValue().future().completeExceptionally(
                            new LeadershipLostException(e.getKey(), e.getValue().term()));
                    it.remove();
                }
            }
        }
        advanceMembershipWork();
        publishConfiguration();
        readsServed = reads.served();
        readRounds = core.readRounds();
        leaseReadsServed = core.leaseReads();
        RaftStatus previous = status;
        status = core.status(lastApplied);
        if (previous.role() != status.role() || previous.term() != status.term()
                || previous.leaderId() != status.leaderId()) {
            logRoleChange(previous, status);
            observer.statusChanged(previous, status);
        }
    }

    /** One line per change of role or leader: what an operator reads first after an incident. */
    private static void logRoleChange(RaftStatus before, RaftStatus after) {
        if (before.role() == after.role() && before.leaderId() == after.leaderId()) {
            // A term passed by without a change of role or leader: a follower hears of a newer term
            // (INFO), or a candidate campaigns again (DEBUG, like the campaigns below).
            boolean campaign = after.role() == Role.CANDIDATE || after.role() == Role.PRE_CANDIDATE;
            LOG.log(campaign ? System.Logger.Level.DEBUG : System.Logger.Level.INFO, () -> String.format(
                    "node %d: term %d -> %d as %s", after.id(), before.term(), after.term(), after.role()));
            return;
        }
        // Campaigns that go nowhere (a partitioned node retrying) stay at DEBUG; leaders found or lost
        // are INFO. A leader that becomes a follower in the same term stepped down by check-quorum.
        boolean leaderFound = after.leaderId() != RaftStatus.NO_LEADER;
        System.Logger.Level level = after.role() == Role.LEADER || before.role() == Role.LEADER || leaderFound
                ? System.Logger.Level.INFO : System.Logger.Level.DEBUG;
        LOG.log(level, () -> String.format("node %d: %s -> %s in term %d (leader %s, commit %d, last log %d)",
                after.id(), before.role(), after.role(), after.term(),
                after.leaderId() == RaftStatus.NO_LEADER ? "unknown" : Integer.toString(after.leaderId()),
                after.commitIndex(), after.lastLogIndex()));
    }

    /** Figure 13, receiver rule 8: reset the state machine using the snapshot contents. */
    private void restoreFromSnapshot(long index) {
        long started = System.nanoTime();
        try (InputStream in = snapshots.openState(index)) {
            stateMachine.restoreSnapshot(in);
        } catch (IOException e) {
            // The snapshot was checked when it was saved; failing now is a broken disk.
            throw new IllegalStateException("restoring the installed snapshot " + index + " failed", e);
        }
        lastApplied = index;
        lastAppliedTerm = core.latestSnapshotTerm();
        if (installedSnapshot != null && installedSnapshot.lastIncludedIndex() == index) {
            appliedConfiguration = installedSnapshot.configuration();
        }
        snapshotsInstalled++;
        snapshotPolicy.restored();
        observer.snapshotInstalled(index);
        long millis = (System.nanoTime() - started) / 1_000_000;
        LOG.log(System.Logger.Level.INFO, () -> "node " + core.id() + " installed the leader's snapshot " + index
                + " (state machine restored in " + millis + " ms)");
    }

    /** Captures a consistent view on the loop (the stall) and lets the snapshot thread write it. */
    private void takeSnapshot() {
        long started = System.nanoTime();
        SnapshotWriter writer;
        try {
            writer = stateMachine.takeSnapshot(lastApplied);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "capturing a snapshot failed; retrying after more entries", e);
            snapshotPolicy.started();
            snapshotPolicy.finished();
            return;
        }
        lastCaptureNanos = System.nanoTime() - started;
        snapshotPolicy.started();
        SnapshotMeta meta = new SnapshotMeta(lastApplied, lastAppliedTerm, appliedConfiguration);
        snapshotThread.execute(() -> {
            try {
                snapshots.save(meta, writer, SnapshotExpansion.RETAIN);
                lastSnapshotNanos = System.nanoTime() - started;
                snapshotsTaken++;
                LOG.log(System.Logger.Level.INFO, () -> String.format("node %d saved %s in %d ms", core.id(), meta,
                        lastSnapshotNanos / 1_000_000));
                observer.snapshotSaved(meta.lastIncludedIndex(), lastSnapshotNanos);
                inbox.add(new SnapshotSaved(meta));
            } catch (IOException | RuntimeException e) {
                // Not fatal: the log is intact and still holds everything; try again later.
                LOG.log(System.Logger.Level.WARNING, "saving " + meta + " failed; retrying after more entries", e);
                inbox.add(new SnapshotSaved(null));
            }
        });
    }

    /** On the snapshot thread: writes one chunk of a snapshot from the leader; logs a finished transfer. */
    private ChunkAssembler.Stored storeChunk(InstallSnapshot chunk) {
        if (chunk.offset() == 0) {
            transferStartedNanos = System.nanoTime();
        }
        ChunkAssembler.Stored stored = assembler.store(chunk);
        if (stored.saved() != null) {
            long millis = Math.max(1, (System.nanoTime() - transferStartedNanos) / 1_000_000);
            double mib = chunk.endOffset() / 1048576.0;
            LOG.log(System.Logger.Level.INFO, () -> String.format("node %d received snapshot %d from node %d: %.1f MiB"
                    + " in %d ms (%.1f MiB/s)", core.id(), chunk.lastIncludedIndex(), chunk.from(), mib, millis,
                    mib * 1000 / millis));
        }
        return stored;
    }

    /** On the snapshot thread: reads one chunk of a snapshot and sends it. */
    private void sendChunk(SnapshotChunkRequest request) {
        long index = request.lastIncludedIndex();
        if (recentChunks.sentRecently(request.peer(), index, request.offset(), System.nanoTime())) {
            return;
        }
        try {
            SnapshotExpansion.beforeChunk(index, request.offset(), snapshots, stateMachine);
            long size = snapshots.size(index);
            if (request.pastTheEnd(size)) {
                return;
            }
            byte[] data = snapshots.read(index, request.offset(), config.snapshotChunkBytes());
            boolean done = request.offset() + data.length == size;
            transport.send(new InstallSnapshot(core.id(), request.peer(), request.term(), index,
                    request.lastIncludedTerm(), request.offset(), data, done));
            recentChunks.sent(request.peer(), index, request.offset(), System.nanoTime());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reading snapshot " + index + " for node " + request.peer()
                    + " failed (" + e + "); it will get the newest one");
            inbox.add(new SnapshotUnavailable(request.peer(), index));
        }
    }

    private void apply(List<LogEntry> committed) {
        for (LogEntry entry : committed) {
            byte[] result = entry.type() == LogEntry.Type.COMMAND
                    ? stateMachine.apply(entry.index(), entry.data())
                    : new byte[0];
            if (entry.type() == LogEntry.Type.CONFIGURATION) {
                appliedConfiguration = entry.configuration();
            }
            lastApplied = entry.index();
            lastAppliedTerm = entry.term();
            snapshotPolicy.applied(entry);
            entriesApplied++;
            Pending p = pending.remove(entry.index());
            if (p != null) {
                if (p.term() == entry.term()) {
                    observer.proposalApplied(System.nanoTime() - p.proposedNanos());
                    p.future().complete(result);
                } else {
                    p.future().completeExceptionally(new LeadershipLostException(entry.index(), p.term()));
                }
            }
        }
    }

    private void failAllPending(RuntimeException cause) {
        for (Pending p : pending.values()) {
            p.future().completeExceptionally(cause);
        }
        pending.clear();
    }

    private void drainProposalsOnStop() {
        // These never reached the core: certainly not appended. A client is told to ask the leader
        // (or, with none known, that nothing was accepted) rather than that the outcome is unknown.
        Object event;
        while ((event = inbox.poll()) != null) {
            if (event instanceof Proposal p) {
                p.future().completeExceptionally(refusedWhileStopped());
            } else if (event instanceof LoopTask t) {
                t.future().completeExceptionally(new NodeClosedException());
            } else if (event instanceof ReadRequest r) {
                r.waiter().fail(refusedWhileStopped());
            }
        }
    }

    // ---------------------------------------------------------------- storage thread

    private void runStorage() {
        List<StorageTask> batch = new ArrayList<>();
        try {
            while (true) {
                batch.clear();
                checkFreeSpace();
                StorageTask first = storageQueue.poll(SPACE_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                storageQueue.drainTo(batch);
                checkFreeSpace();
                boolean stop = false;
                boolean wrote = false;
                long lastSeq = 0;
                long entries = 0;
                for (StorageTask task : batch) {
                    if (task.ready() == null) {
                        stop = true;
                        continue;
                    }
                    Ready r = task.ready();
                    if (r.snapshots().discardLog()) {
                        storage.truncateSuffix(0); // Figure 13 receiver rule 7
                        wrote = true;
                    }
                    if (r.hardState() != null) {
                        storage.saveHardState(r.hardState());
                        wrote = true;
                    }
                    if (!r.entries().isEmpty()) {
                        storage.truncateSuffix(r.entries().get(0).index());
                        storage.append(r.entries());
                        entries += r.entries().size();
                        for (LogEntry e : r.entries()) {
                            bytesSinceSpaceCheck += e.data().length;
                        }
                        wrote = true;
                    }
                    if (r.snapshots().compactUpTo() > 0) {
                        storage.compactPrefix(r.snapshots().compactUpTo());
                        wrote = true;
                    }
                    lastSeq = Math.max(lastSeq, r.persistSeq());
                }
                if (wrote) {
                    long syncStarted = System.nanoTime();
                    storage.sync();
                    observer.synced(System.nanoTime() - syncStarted, (int) entries);
                    fsyncs++;
                    entriesPersisted += entries;
                }
                for (StorageTask task : batch) {
                    for (RaftMessage m : task.messagesAfter()) {
                        transport.send(m);
                    }
                    if (task.ready() != null) {
                        storageOutstanding.decrementAndGet();
                    }
                }
                if (lastSeq > 0) {
                    inbox.add(new Persisted(lastSeq));
                }
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            // Without durable storage this node must not vote or acknowledge anything: stop it.
            LOG.log(System.Logger.Level.ERROR, "storage failed; node stops", e);
            failure = e;
            running = false;
            inbox.add(STOP);
        }
    }

    private static final long SPACE_CHECK_MILLIS = 250;
    /**
     * Entry bytes after which free space is checked again before the time is up: a fast writer
     * could otherwise go through the whole reserve between two checks (and a state machine may
     * write each entry's data once more, as RRMQ's message store does).
     */
    private static final long SPACE_CHECK_BYTES = 1 << 20;

    /** On the storage thread: refuse proposals while the disk is below its reserve, and say why. */
    private void checkFreeSpace() {
        long now = System.nanoTime();
        if (now - lastSpaceCheck < TimeUnit.MILLISECONDS.toNanos(SPACE_CHECK_MILLIS)
                && bytesSinceSpaceCheck < SPACE_CHECK_BYTES) {
            return;
        }
        lastSpaceCheck = now;
        bytesSinceSpaceCheck = 0;
        String low = storage.lowOnSpace();
        if (low != null && storageError == null) {
            LOG.log(System.Logger.Level.ERROR, "node " + core.id() + " refuses writes: " + low);
        } else if (low == null && storageError != null) {
            LOG.log(System.Logger.Level.INFO, "node " + core.id() + " accepts writes again: disk space is back");
        }
        storageError = low;
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

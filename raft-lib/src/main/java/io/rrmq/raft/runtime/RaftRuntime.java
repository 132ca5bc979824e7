package io.rrmq.raft.runtime;

import io.rrmq.raft.LeadershipLostException;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.NodeClosedException;
import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.OverloadedException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftMetrics;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.Role;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.Transport;
import io.rrmq.raft.core.RaftCore;
import io.rrmq.raft.core.Ready;
import io.rrmq.raft.message.RaftMessage;
import java.io.IOException;
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
 * Runs a {@link RaftCore} with real threads, time and storage.
 *
 * <p><b>Threads.</b> One event-loop thread owns the core and the state machine: it takes inbound
 * messages, proposals, clock ticks and storage acknowledgements from one queue, feeds them to the core,
 * sends what may go at once, applies committed entries and completes proposals. One storage thread
 * writes what the core hands out: it drains every write queued since its last turn, performs them, and
 * syncs once for the lot (group commit); then it sends the messages that had to wait for that
 * durability and tells the loop which writes are durable. Transports send in the background.
 *
 * <p><b>Life of a proposal.</b> {@link #propose} queues it; the loop appends it to the leader's log;
 * the next {@link Ready} hands the entry to storage and, at the same time, AppendEntries to the
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
    private final Transport transport;

    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<StorageTask> storageQueue = new LinkedBlockingQueue<>();
    /** Storage tasks queued and not yet finished (sync done, messages sent). */
    private final AtomicInteger storageOutstanding = new AtomicInteger();
    /** Proposals queued or appended and not yet answered: the backpressure bound. */
    private final AtomicInteger proposalsInFlight = new AtomicInteger();

    private final Thread loopThread;
    private final Thread storageThread;
    private volatile boolean running = true;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile RaftStatus status;

    // Owned by the loop thread.
    private final Map<Long, Pending> pending = new HashMap<>();
    private long lastApplied;
    private volatile long entriesApplied;
    private volatile long proposalsAccepted;

    // Written by the storage thread only.
    private volatile long fsyncs;
    private volatile long entriesPersisted;

    private record Proposal(byte[] command, CompletableFuture<byte[]> future) {
    }

    private record Pending(long term, CompletableFuture<byte[]> future) {
    }

    private record Persisted(long seq) {
    }

    private record StorageTask(Ready ready, List<RaftMessage> messagesAfter) {
    }

    private static final Object STOP = new Object();

    private RaftRuntime(RaftConfig config, RaftCore core, StateMachine stateMachine, RaftStorage storage,
                        Transport transport) {
        this.config = config;
        this.core = core;
        this.stateMachine = stateMachine;
        this.storage = storage;
        this.transport = transport;
        this.status = core.status(0);
        this.loopThread = new Thread(this::runLoop, "raft-loop-" + core.id());
        this.storageThread = new Thread(this::runStorage, "raft-storage-" + core.id());
    }

    /**
     * Loads {@code storage}, builds the core and starts the node's threads. Committed entries are
     * applied to {@code stateMachine} as this node learns they are committed, so a restarted node
     * rebuilds its state from the log.
     *
     * @param memberIds  every voting member, {@code selfId} included
     * @param randomSeed seeds the election-timeout jitter
     */
    public static RaftNode start(RaftConfig config, int selfId, List<Integer> memberIds,
                                 StateMachine stateMachine, RaftStorage storage, Transport transport,
                                 long randomSeed) throws IOException {
        RaftStorage.Stored stored = storage.load();
        RaftCore core = new RaftCore(selfId, memberIds, config, stored.hardState(), stored.entries(),
                new Random(randomSeed));
        RaftRuntime runtime = new RaftRuntime(config, core, stateMachine, storage, transport);
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
            future.completeExceptionally(new NodeClosedException());
            return future;
        }
        int inFlight = proposalsInFlight.incrementAndGet();
        if (inFlight > config.maxPendingProposals()) {
            proposalsInFlight.decrementAndGet();
            future.completeExceptionally(new OverloadedException(inFlight - 1));
            return future;
        }
        future.whenComplete((r, e) -> proposalsInFlight.decrementAndGet());
        inbox.add(new Proposal(command, future));
        return future;
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
    public RaftMetrics metrics() {
        return new RaftMetrics(fsyncs, entriesPersisted, entriesApplied, proposalsAccepted);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        inbox.add(STOP);
        joinQuietly(loopThread);
        storageQueue.add(new StorageTask(null, List.of()));
        joinQuietly(storageThread);
        try {
            storage.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing storage failed", e);
        }
    }

    // ---------------------------------------------------------------- event loop

    private void runLoop() {
        long tickNanos = config.tickInterval().toNanos();
        long nextTick = System.nanoTime() + tickNanos;
        try {
            while (running) {
                long now = System.nanoTime();
                if (now >= nextTick) {
                    core.tick();
                    nextTick = Math.max(nextTick + tickNanos, now);
                }
                Object event = inbox.poll(Math.max(0, nextTick - now), TimeUnit.NANOSECONDS);
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
                processReady();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            // A broken invariant: stop serving rather than risk acknowledging something wrong.
            LOG.log(System.Logger.Level.ERROR, "raft event loop failed; node stops", e);
            running = false;
        }
        failAllPending(new NodeClosedException());
        drainProposalsOnStop();
    }

    private void handle(Object event) {
        if (event instanceof RaftMessage m) {
            core.step(m);
        } else if (event instanceof Proposal p) {
            long index = core.propose(p.command());
            if (index < 0) {
                p.future().completeExceptionally(new NotLeaderException(core.leaderId()));
            } else {
                proposalsAccepted++;
                pending.put(index, new Pending(core.term(), p.future()));
            }
        } else if (event instanceof Persisted p) {
            core.onPersisted(p.seq());
        }
    }

    private void processReady() {
        Ready ready = core.takeReady();
        if (!ready.isEmpty()) {
            List<RaftMessage> afterPersistence = new ArrayList<>();
            boolean storageBusy = ready.hasWrites() || storageOutstanding.get() > 0;
            for (RaftMessage m : ready.messages()) {
                if (storageBusy && Ready.mustFollowPersistence(m)) {
                    afterPersistence.add(m);
                } else {
                    transport.send(m);
                }
            }
            if (ready.hasWrites() || !afterPersistence.isEmpty()) {
                storageOutstanding.incrementAndGet();
                storageQueue.add(new StorageTask(ready, afterPersistence));
            }
            apply(ready.committed());
        }
        if (core.role() != Role.LEADER && !pending.isEmpty()) {
            // We appended these as leader and no longer are: whether they commit is unknown to us.
            for (Iterator<Map.Entry<Long, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Pending> e = it.next();
                e.getValue().future().completeExceptionally(
                        new LeadershipLostException(e.getKey(), e.getValue().term()));
                it.remove();
            }
        }
        status = core.status(lastApplied);
    }

    private void apply(List<LogEntry> committed) {
        for (LogEntry entry : committed) {
            byte[] result = entry.type() == LogEntry.Type.COMMAND
                    ? stateMachine.apply(entry.index(), entry.data())
                    : new byte[0];
            lastApplied = entry.index();
            entriesApplied++;
            Pending p = pending.remove(entry.index());
            if (p != null) {
                if (p.term() == entry.term()) {
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
        Object event;
        while ((event = inbox.poll()) != null) {
            if (event instanceof Proposal p) {
                p.future().completeExceptionally(new NodeClosedException());
            }
        }
    }

    // ---------------------------------------------------------------- storage thread

    private void runStorage() {
        List<StorageTask> batch = new ArrayList<>();
        try {
            while (true) {
                batch.clear();
                batch.add(storageQueue.take());
                storageQueue.drainTo(batch);
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
                    if (r.hardState() != null) {
                        storage.saveHardState(r.hardState());
                        wrote = true;
                    }
                    if (!r.entries().isEmpty()) {
                        storage.truncateSuffix(r.entries().get(0).index());
                        storage.append(r.entries());
                        entries += r.entries().size();
                        wrote = true;
                    }
                    lastSeq = Math.max(lastSeq, r.persistSeq());
                }
                if (wrote) {
                    storage.sync();
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
            running = false;
            inbox.add(STOP);
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

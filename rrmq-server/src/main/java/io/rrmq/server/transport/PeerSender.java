package io.rrmq.server.transport;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered outbound lane to one peer.
 *
 * <p><b>Threads.</b> {@link #enqueue} is called by any thread (the Raft event loop and storage
 * thread) and never blocks: it offers to a bounded queue and drops the message when the queue is
 * full. One daemon thread per peer, owned by this class, runs {@link #run}: it takes everything
 * queued (up to {@code maxBatchMessages} / about {@code maxBatchBytes}), encodes it as one batch,
 * POSTs it and waits for the answer before sending the next one. Messages therefore reach the peer
 * in the order they were sent, and batch by themselves under load: while one POST is in flight, the
 * next batch accumulates.
 *
 * <p><b>Failures.</b> Raft tolerates lost messages, so a batch that fails is dropped, not retried.
 * After a failure the lane pauses for {@code backoff} and then drops whatever queued up meanwhile
 * (it was addressed to a peer that was not answering and is stale by now); the next message the
 * engine sends, typically a heartbeat, probes the peer again. One warning is logged when a peer
 * becomes unreachable and one line when it answers again.
 */
final class PeerSender implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PeerSender.class);

    /** Reachability, for logging once per change. */
    private enum Health { UNKNOWN, UP, DOWN }

    private final int peerId;
    private final String peerUrl;
    private final BatchSink sink;
    /** Takes the messages the peer sent back in a reply. */
    private final Consumer<PeerReply> replies;
    /** A queued message with its estimated size, computed once. */
    private record Queued(RaftMessage message, long bytes) {
    }

    private final LinkedBlockingQueue<Queued> queue;
    private final int maxBatchMessages;
    private final long maxBatchBytes;
    /**
     * Bytes (estimated) the queue may hold: two batches. The message bound alone let a lane hold
     * tens of snapshot chunks of 1 MiB each; a leader's heap must not depend on what it sends.
     */
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final long backoffNanos;

    private final AtomicLong sentMessages = new AtomicLong();
    private final AtomicLong sentBatches = new AtomicLong();
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private final AtomicLong droppedUndelivered = new AtomicLong();

    private volatile boolean closed;
    private volatile Health health = Health.UNKNOWN;
    /** Failed attempts since the peer was last reachable (sender thread only). */
    private long failuresSinceUp;

    PeerSender(int peerId, String peerUrl, BatchSink sink, int queueCapacity, int maxBatchMessages,
               long maxBatchBytes, Duration backoff) {
        this(peerId, peerUrl, sink, reply -> { }, queueCapacity, maxBatchMessages, maxBatchBytes, backoff);
    }

    /** @param replies takes a reply that carries the peer's messages, on this lane's thread */
    PeerSender(int peerId, String peerUrl, BatchSink sink, Consumer<PeerReply> replies, int queueCapacity,
               int maxBatchMessages, long maxBatchBytes, Duration backoff) {
        this.peerId = peerId;
        this.peerUrl = peerUrl;
        this.sink = sink;
        this.replies = replies;
        this.queue = new LinkedBlockingQueue<>(queueCapacity);
        this.maxBatchMessages = maxBatchMessages;
        this.maxBatchBytes = maxBatchBytes;
        this.maxQueuedBytes = 2 * maxBatchBytes;
        this.backoffNanos = backoff.toNanos();
    }

    /** Queues {@code message} for this peer; drops it if the queue is full. Never blocks. */
    void enqueue(RaftMessage message) {
        Queued queued = new Queued(message, estimatedSize(message));
        // Past the byte bound the lane drops as a full queue does (Raft sends again what a peer
        // missed); a lone message always goes in, however large.
        boolean full = queuedBytes.get() + queued.bytes() > maxQueuedBytes && !queue.isEmpty();
        if (closed || full || !queue.offer(queued)) {
            droppedQueueFull.incrementAndGet();
            return;
        }
        queuedBytes.addAndGet(queued.bytes());
    }

    /** {@code queued}, just removed from the queue, no longer counts towards its bytes. */
    private Queued dequeued(Queued queued) {
        if (queued != null) {
            queuedBytes.addAndGet(-queued.bytes());
        }
        return queued;
    }

    /** The sender thread's loop; returns when {@link #close()} is called. */
    @Override
    public void run() {
        List<RaftMessage> batch = new ArrayList<>();
        try {
            while (!closed) {
                // Sleeps until there is something to send: an idle lane costs no wake-ups.
                // close() interrupts the thread (HttpTransport.close), which ends the wait.
                Queued first = dequeued(queue.take());
                fillBatch(first, batch);
                deliver(batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // close() interrupts us: leave quietly.
        } finally {
            sink.close();
        }
    }

    /** Takes {@code first} and whatever else is queued, within the batch limits. */
    private void fillBatch(Queued first, List<RaftMessage> batch) {
        batch.add(first.message());
        long bytes = first.bytes();
        while (batch.size() < maxBatchMessages) {
            Queued next = queue.peek();
            if (next == null || bytes + next.bytes() > maxBatchBytes) {
                break;
            }
            // Only this thread removes from the queue, so the peeked message is the one polled.
            dequeued(queue.poll());
            batch.add(next.message());
            bytes += next.bytes();
        }
    }

    private void deliver(List<RaftMessage> batch) throws InterruptedException {
        byte[] body = MessageCodec.encodeBatch(batch);
        PeerReply reply;
        try {
            reply = sink.post(body);
        } catch (IOException e) {
            droppedUndelivered.addAndGet(batch.size());
            markDown(describe(e));
            pauseAndDropStale();
            return;
        }
        int status = reply.status();
        if (status / 100 == 2) {
            sentBatches.incrementAndGet();
            sentMessages.addAndGet(batch.size());
            markUp();
            if (reply.carriesMessages()) {
                replies.accept(reply);
            }
        } else if (status == 503) {
            // The peer's HTTP listener is up but its Raft node is still starting: it dropped them.
            droppedUndelivered.addAndGet(batch.size());
        } else {
            droppedUndelivered.addAndGet(batch.size());
            markDown("answered HTTP " + status + " to a batch of " + batch.size() + " messages");
            pauseAndDropStale();
        }
    }

    private void pauseAndDropStale() throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(backoffNanos);
        int stale = queue.size();
        for (int i = 0; i < stale && dequeued(queue.poll()) != null; i++) {
            droppedUndelivered.incrementAndGet();
        }
    }

    private void markDown(String why) {
        failuresSinceUp++;
        if (health != Health.DOWN) {
            health = Health.DOWN;
            log.warn("peer {} at {} unreachable ({}); dropping its messages until it answers",
                    peerId, peerUrl, why);
        }
    }

    private void markUp() {
        if (health == Health.DOWN) {
            log.info("peer {} at {} reachable again after {} failed attempts", peerId, peerUrl,
                    failuresSinceUp);
        }
        failuresSinceUp = 0;
        health = Health.UP;
    }

    private static String describe(IOException e) {
        String msg = e.getMessage();
        return msg == null || msg.isBlank() ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + msg;
    }

    /** A cheap upper bound of the encoded size, to keep batches near {@code maxBatchBytes}. */
    static long estimatedSize(RaftMessage m) {
        if (m instanceof AppendEntries a) {
            long size = 64;
            for (LogEntry e : a.entries()) {
                size += 24 + e.data().length;
            }
            return size;
        }
        if (m instanceof InstallSnapshot chunk) {
            return 64 + chunk.data().length;
        }
        return 48;
    }

    /** Stops taking messages; the thread running {@link #run} must be interrupted by the owner. */
    void close() {
        closed = true;
        queue.clear();
        queuedBytes.set(0);
    }

    int peerId() {
        return peerId;
    }

    /** A snapshot of this lane's counters. */
    PeerStats stats() {
        return new PeerStats(peerId, health == Health.UP, queue.size(), sentBatches.get(),
                sentMessages.get(), droppedQueueFull.get(), droppedUndelivered.get());
    }
}

package io.rrmq.mq;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The leader's admission of puts against a bound on what the queues hold, so that producers who
 * outrun consumers meet backpressure (503 {@code queue-full}) instead of exhausting the disk. The
 * bodies are on disk ({@link io.rrmq.mq.store.MessageStore}), so the bound is on their bytes there;
 * the node's disk reserve stays the last line.
 *
 * <p><b>Why on the leader, before proposing.</b> Whatever {@link TopicStateMachine#apply} decides
 * must be decided identically on every node. A bound read from each node's own settings inside
 * {@code apply} was not: with two values in one cluster (or a rolling restart that changed the flag),
 * the leader answered 200 while a follower dropped the message, and a failover then lost an
 * acknowledged write. Here the bound only decides whether a put is proposed at all; once in the log,
 * a put is applied the same way everywhere. A node that becomes leader applies its own bound from
 * then on, which may leave the queues above it until consumers catch up: nothing is ever dropped.
 *
 * <p><b>What is counted.</b> The bytes the applied queues hold ({@link TopicStateMachine#queuedBytes},
 * as {@link TopicStateMachine#footprint} charges them) plus the puts reserved and not yet released:
 * proposed, and not yet known to be applied or refused. So concurrent puts cannot all squeeze through
 * between two applications; a put counts twice for the moment between its application and its
 * release, which errs on the side of refusing.
 *
 * <p>Thread-safe: request threads call {@link #tryReserve} and {@link #release} concurrently.
 */
public final class QueueBound {
    /** The default bound: 16 GiB of message records (about 150 million messages of 100 bytes). */
    public static final long DEFAULT_MAX_BYTES = 16L << 30;

    private final long maxBytes;
    private final LongSupplier queuedBytes;
    private final AtomicLong reserved = new AtomicLong();

    /**
     * @param maxBytes    admitted puts keep the queues at or below this many bytes
     * @param queuedBytes what the applied queues hold now, readable from any thread
     */
    public QueueBound(long maxBytes, LongSupplier queuedBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.queuedBytes = queuedBytes;
    }

    /** A bound on what {@code machine} holds. */
    public static QueueBound of(long maxBytes, TopicStateMachine machine) {
        return new QueueBound(maxBytes, machine::queuedBytes);
    }

    /**
     * Reserves room for a put of {@code cost} bytes, or refuses: then nothing is reserved and the
     * put must not be proposed. A reservation must be {@linkplain #release released} once the put's
     * outcome is known, whatever it is.
     */
    public boolean tryReserve(long cost) {
        if (cost < 0) {
            throw new IllegalArgumentException("negative cost " + cost);
        }
        long applied = queuedBytes.getAsLong();
        while (true) {
            long pending = reserved.get();
            if (applied + pending + cost > maxBytes) {
                return false;
            }
            if (reserved.compareAndSet(pending, pending + cost)) {
                return true;
            }
        }
    }

    /** Gives back a reservation of {@code cost} bytes. */
    public void release(long cost) {
        reserved.addAndGet(-cost);
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes reserved by puts whose outcome is not known yet. */
    public long reservedBytes() {
        return reserved.get();
    }
}

package io.rrmq.server.metrics;

/**
 * When one topic's messages arrived on this node, approximately: a short list of samples (next
 * order number of the topic, time of the sample), from which the arrival of any message still in
 * the topic can be bracketed. This is how the oldest-message age (SQS's
 * {@code ApproximateAgeOfOldestMessage}) is estimated without touching what is applied or
 * replicated: the state machine numbers a topic's messages, the server remembers when the numbers
 * moved.
 *
 * <p><b>How approximate.</b> If a sample at time {@code t} saw next number {@code n > s}, message
 * {@code s} had arrived by {@code t}; the sample before it (now dropped) had not seen it. So
 * {@link #arrivedBy} is a lower bound of the age, short by at most the time between two samples:
 * the topic sampler's interval (200 ms while entries are applied) as long as fewer than
 * {@link #CAPACITY} distinct arrival bursts happened since the oldest message came; past that, the
 * older samples are thinned (every other one dropped), and the bound grows coarser for messages
 * that old. On a node that has just started (or restored a snapshot) the messages it found are
 * dated at its first sample: their age is counted from then.
 *
 * <p>Not thread-safe: owned by {@link TopicSampler} on the Raft event loop.
 */
final class ArrivalTimeline {
    static final int CAPACITY = 16;
    /** {@link #arrivedBy}'s answer for a topic with no visible message. */
    static final long NONE = Long.MIN_VALUE;

    private final long[] nextSeq = new long[CAPACITY];
    private final long[] atNanos = new long[CAPACITY];
    private int size;

    /**
     * Records a sample and answers for the topic's oldest visible message.
     *
     * @param oldestSeq the order number of the oldest visible message ({@code == next} when none)
     * @param next      the number the next message will get
     * @param now       {@link System#nanoTime()} of the sample
     * @return the time ({@link System#nanoTime()}) by which the oldest visible message had arrived,
     *         or {@link #NONE} if the topic has none
     */
    long arrivedBy(long oldestSeq, long next, long now) {
        if (size > 0 && next < nextSeq[size - 1]) {
            size = 0; // the numbers went back (a snapshot from an older state): start over
        }
        if (size == 0 || next > nextSeq[size - 1]) {
            if (size == CAPACITY) {
                thin();
            }
            nextSeq[size] = next;
            atNanos[size] = now;
            size++;
        }
        // Samples that saw no message beyond oldestSeq date nothing still in the topic.
        int useful = 0;
        while (useful < size - 1 && nextSeq[useful] <= oldestSeq) {
            useful++;
        }
        if (useful > 0) {
            System.arraycopy(nextSeq, useful, nextSeq, 0, size - useful);
            System.arraycopy(atNanos, useful, atNanos, 0, size - useful);
            size -= useful;
        }
        return oldestSeq >= next ? NONE : atNanos[0];
    }

    /** Drops every other sample but the first (the oldest message's) and the last (the newest). */
    private void thin() {
        int kept = 1;
        for (int i = 2; i < size - 1; i += 2) {
            nextSeq[kept] = nextSeq[i];
            atNanos[kept] = atNanos[i];
            kept++;
        }
        nextSeq[kept] = nextSeq[size - 1];
        atNanos[kept] = atNanos[size - 1];
        size = kept + 1;
    }

    /** Samples held (for tests). */
    int size() {
        return size;
    }
}

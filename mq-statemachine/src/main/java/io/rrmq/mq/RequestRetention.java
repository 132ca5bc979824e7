package io.rrmq.mq;

/**
 * How long {@link TopicStateMachine} remembers the result of an identified request, so that a
 * retry with the same id is answered from memory instead of executing again.
 *
 * <p>Expiry depends only on the sequence of applied entries, never on a clock, so every node
 * forgets the same ids at the same log index. <b>Every node of a cluster must therefore use the same
 * retention</b>; otherwise two nodes could answer the same retry differently.
 *
 * <p>A remembered result is dropped, oldest first, as soon as any bound is exceeded:
 *
 * @param maxRequests    at most this many remembered ids
 * @param maxBytes       at most about this many bytes of remembered ids and results (a remembered
 *                       pop holds its message)
 * @param maxAgeEntries  a result applied at index {@code i} is forgotten once an entry at index
 *                       {@code i + maxAgeEntries} or later is applied
 */
public record RequestRetention(int maxRequests, long maxBytes, long maxAgeEntries) {

    public RequestRetention {
        if (maxRequests < 0 || maxBytes < 0 || maxAgeEntries < 1) {
            throw new IllegalArgumentException("retention bounds must not be negative, age at least 1");
        }
    }

    /**
     * 65,536 ids, 32 MiB, 4 million entries. The count bound is the one that bites: the window is
     * about {@code 65536 / identified writes per second} (10 s at 6,500/s, 5 s at 13,000/s, the
     * benchmarked peaks; minutes at hundreds per second), and less for large pops, whose remembered
     * result holds the message (32 MiB / message size).
     */
    public static RequestRetention defaults() {
        return new RequestRetention(1 << 16, 32L << 20, 4_000_000);
    }
}

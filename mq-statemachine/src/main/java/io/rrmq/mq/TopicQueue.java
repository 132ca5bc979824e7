package io.rrmq.mq;

import io.rrmq.mq.store.MessageStore;
import java.util.Map;
import java.util.TreeMap;

/**
 * One topic's visible messages, oldest first, and its dead-letter policy. The bodies live in a
 * {@link MessageStore}; this holds positions only.
 *
 * <p>Every message of a topic has a sequence number, its place in the topic's order. Messages
 * never handed out are <i>fresh</i>: numbered {@link #headSeq} up to {@link #tailSeq()} (exclusive),
 * they are consecutive records of the topic's own chain from {@link #headPosition} on (everything
 * that becomes fresh is appended to that chain, and only that), so they cost no heap at all. A
 * message whose delivery ended without an ack comes back into {@link #returned}, keyed by its
 * number: it was taken from the head, so it is older than every fresh message, and returned
 * messages are served first, in their original order. A returned message keeps the record it has
 * (in this chain, or in the chain a restored snapshot put it in).
 *
 * <p>Not thread-safe; owned by {@link TopicStateMachine}.
 */
final class TopicQueue {
    /** A message that was handed out before and is visible again, and where its body is. */
    record Returned(int chain, long position, int length, int deliveries) {
    }

    /** A message taken from the queue: its number, where its body is, the body, and its earlier deliveries. */
    record Taken(long seq, int chain, long position, byte[] body, int deliveries) {
    }

    /** This topic's chain in the store: its number in creation order. */
    final int chain;
    final TreeMap<Long, Returned> returned = new TreeMap<>();
    /** The number of the oldest fresh message (the next one to be taken from the chain). */
    long headSeq;
    /** Where the oldest fresh message is; meaningful while {@link #freshCount} is positive. */
    long headPosition;
    long freshCount;
    /** 0: no dead-letter policy. */
    int maxDeliveries;
    String deadLetterTopic = "";

    TopicQueue(int chain, long headSeq) {
        this.chain = chain;
        this.headSeq = headSeq;
    }

    /** The number the next fresh message will have. */
    long tailSeq() {
        return headSeq + freshCount;
    }

    int visibleCount() {
        return (int) Math.min(Integer.MAX_VALUE, freshCount + returned.size());
    }

    /** Appends a fresh message at the tail. */
    void addFresh(MessageStore store, byte[] body) {
        long position = store.append(chain, body);
        if (freshCount == 0) {
            headPosition = position;
        }
        freshCount++;
    }

    /**
     * Removes and returns the oldest visible message, or {@code null}. Its record stays live: the
     * caller releases it once nothing refers to it (a pop at once, a delivery when it ends).
     */
    Taken takeOldest(MessageStore store) {
        Map.Entry<Long, Returned> back = returned.pollFirstEntry();
        if (back != null) {
            Returned r = back.getValue();
            return new Taken(back.getKey(), r.chain(), r.position(), store.read(r.chain(), r.position()), r.deliveries());
        }
        if (freshCount == 0) {
            return null;
        }
        long position = headPosition;
        byte[] body = store.read(chain, position);
        headPosition += MessageStore.recordBytes(body.length);
        freshCount--;
        return new Taken(headSeq++, chain, position, body, 0);
    }

    /** Makes a message visible again at its place in the order. */
    void giveBack(long seq, int recordChain, long position, int length, int deliveries) {
        returned.put(seq, new Returned(recordChain, position, length, deliveries));
    }
}

package io.rrmq.mq;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;

/**
 * One topic's visible messages, oldest first, and its dead-letter policy.
 *
 * <p>Every message of a topic has a sequence number, its place in the topic's order. Messages
 * never handed out wait in {@link #fresh} (the oldest has {@link #headSeq}; numbers are implicit, so
 * a plain put costs nothing extra). A message whose delivery ended without an ack comes back into
 * {@link #returned}, keyed by its number: it was taken from the head, so it is older than every
 * fresh message, and returned messages are served first, in their original order.
 *
 * <p>Not thread-safe; owned by {@link TopicStateMachine}.
 */
final class TopicQueue {
    /** A message that was handed out before and is visible again. */
    record Returned(String message, int deliveries) {
    }

    /** A message taken from the queue: its number, text and how often it was handed out before. */
    record Taken(long seq, String message, int deliveries) {
    }

    final ArrayDeque<String> fresh;
    final TreeMap<Long, Returned> returned = new TreeMap<>();
    long headSeq;
    /** 0: no dead-letter policy. */
    int maxDeliveries;
    String deadLetterTopic = "";

    TopicQueue() {
        this(new ArrayDeque<>(), 0);
    }

    TopicQueue(ArrayDeque<String> fresh, long headSeq) {
        this.fresh = fresh;
        this.headSeq = headSeq;
    }

    int visibleCount() {
        return fresh.size() + returned.size();
    }

    /** Removes and returns the oldest visible message, or {@code null}. */
    Taken takeOldest() {
        Map.Entry<Long, Returned> back = returned.pollFirstEntry();
        if (back != null) {
            return new Taken(back.getKey(), back.getValue().message(), back.getValue().deliveries());
        }
        String message = fresh.pollFirst();
        if (message == null) {
            return null;
        }
        return new Taken(headSeq++, message, 0);
    }

    /** Makes a message visible again at its place in the order. */
    void giveBack(long seq, String message, int deliveries) {
        returned.put(seq, new Returned(message, deliveries));
    }
}

package io.rrmq.mq;

import java.util.List;
import java.util.Objects;

/**
 * The result of applying an {@link MqCommand}.
 *
 * @param outcome    what happened
 * @param message    the popped message, for a successful {@link MqCommand.PopMessage}; else {@code null}
 * @param topics     the topics in creation order, for {@link MqCommand.ListTopics}; else empty
 * @param replayed   true if this is the remembered result of an earlier application of the same
 *                   {@link MqCommand.Identified} request, which this application did not execute again
 * @param deliveries what a {@link MqCommand.Receive} handed out, oldest first; else empty
 * @param count      messages put by a {@link MqCommand.PutBatch}, deliveries ended by an
 *                   {@link MqCommand.Ack} or {@link MqCommand.Nack}; else {@link #NO_COUNT}
 */
public record MqResult(Outcome outcome, String message, List<String> topics, boolean replayed,
                       List<Delivery> deliveries, int count) {
    /** The {@link #count} of results that have none. */
    public static final int NO_COUNT = -1;

    /** What applying a command did. */
    public enum Outcome {
        OK,
        TOPIC_EXISTS,
        NO_SUCH_TOPIC,
        QUEUE_EMPTY,
        /**
         * The committed entry did not decode as an {@link MqCommand} (unknown version or opcode,
         * truncated, malformed UTF-8...), or is one that must be stamped and is not. Every node sees
         * the same bytes, so every node returns this same result and leaves its state unchanged.
         */
        INVALID_COMMAND,
        /**
         * The request id is remembered for a different command: the client reused an id. Nothing
         * changes; the earlier request's result stays remembered.
         */
        REQUEST_ID_REUSED
    }

    /**
     * One message handed out by a receive.
     *
     * @param receipt    names this delivery in an ack or nack: 32 lowercase hex digits, unguessable
     * @param deliveries how many times the message has been handed out, this time included
     */
    public record Delivery(String message, String receipt, int deliveries) {
        public Delivery {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(receipt, "receipt");
        }
    }

    public MqResult {
        Objects.requireNonNull(outcome, "outcome");
        topics = List.copyOf(topics);
        deliveries = List.copyOf(deliveries);
        if (count < NO_COUNT) {
            throw new IllegalArgumentException("count " + count);
        }
    }

    public MqResult(Outcome outcome, String message, List<String> topics, boolean replayed) {
        this(outcome, message, topics, replayed, List.of(), NO_COUNT);
    }

    public MqResult(Outcome outcome, String message, List<String> topics) {
        this(outcome, message, topics, false);
    }

    public static MqResult ok() {
        return new MqResult(Outcome.OK, null, List.of());
    }

    public static MqResult of(Outcome outcome) {
        return new MqResult(outcome, null, List.of());
    }

    public static MqResult popped(String message) {
        return new MqResult(Outcome.OK, message, List.of());
    }

    public static MqResult topics(List<String> topics) {
        return new MqResult(Outcome.OK, null, topics);
    }

    /** OK with what a receive handed out (possibly nothing). */
    public static MqResult received(List<Delivery> deliveries) {
        return new MqResult(Outcome.OK, null, List.of(), false, deliveries, NO_COUNT);
    }

    /** OK with a count: messages put, or deliveries acked or nacked. */
    public static MqResult counted(int count) {
        return new MqResult(Outcome.OK, null, List.of(), false, List.of(), count);
    }

    /** This result as the answer to a retry: the same, marked replayed. */
    public MqResult asReplay() {
        return new MqResult(outcome, message, topics, true, deliveries, count);
    }
}

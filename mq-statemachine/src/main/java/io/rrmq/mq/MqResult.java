package io.rrmq.mq;

import java.util.List;
import java.util.Objects;

/**
 * The result of applying an {@link MqCommand}.
 *
 * @param outcome  what happened
 * @param message  the popped message, for a successful {@link MqCommand.PopMessage}; else {@code null}
 * @param topics   the topics in creation order, for {@link MqCommand.ListTopics}; else empty
 * @param replayed true if this is the remembered result of an earlier application of the same
 *                 {@link MqCommand.Identified} request, which this application did not execute again
 */
public record MqResult(Outcome outcome, String message, List<String> topics, boolean replayed) {

    /** What applying a command did. */
    public enum Outcome {
        OK,
        TOPIC_EXISTS,
        NO_SUCH_TOPIC,
        QUEUE_EMPTY,
        /**
         * The committed entry did not decode as an {@link MqCommand} (unknown version or opcode,
         * truncated, malformed UTF-8...). Every node sees the same bytes, so every node returns
         * this same result and leaves its state unchanged.
         */
        INVALID_COMMAND,
        /**
         * The request id is remembered for a different command: the client reused an id. Nothing
         * changes; the earlier request's result stays remembered.
         */
        REQUEST_ID_REUSED
    }

    public MqResult {
        Objects.requireNonNull(outcome, "outcome");
        topics = List.copyOf(topics);
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

    /** This result as the answer to a retry: the same, marked replayed. */
    public MqResult asReplay() {
        return new MqResult(outcome, message, topics, true);
    }
}

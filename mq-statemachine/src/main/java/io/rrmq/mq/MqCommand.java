package io.rrmq.mq;

import java.util.Objects;

/** A command of the message queue, replicated through the Raft log. */
public sealed interface MqCommand
        permits MqCommand.CreateTopic, MqCommand.PutMessage, MqCommand.PopMessage, MqCommand.ListTopics,
                MqCommand.Identified {

    /** Creates an empty topic; fails with {@link MqResult.Outcome#TOPIC_EXISTS} if it exists. */
    record CreateTopic(String topic) implements MqCommand {
    }

    /** Appends a message to a topic's queue. */
    record PutMessage(String topic, String message) implements MqCommand {
    }

    /** Removes and returns the oldest message of a topic. */
    record PopMessage(String topic) implements MqCommand {
    }

    /** Reads the topics in creation order; changes nothing (replicated for linearizability). */
    record ListTopics() implements MqCommand {
    }

    /**
     * A write carrying the client's request id, so that a retry of it takes effect at most once
     * (Raft thesis §6.3): the first application executes {@code command} and remembers its result
     * under {@code requestId}; a later application of the same id and command returns that result,
     * marked {@linkplain MqResult#replayed() replayed}, and changes nothing.
     *
     * @param requestId 1 to {@value #MAX_REQUEST_ID_LENGTH} characters, chosen by the client
     * @param command   a {@link CreateTopic}, {@link PutMessage} or {@link PopMessage}; reads need no id
     */
    record Identified(String requestId, MqCommand command) implements MqCommand {
        /** Longest request id, in characters. */
        public static final int MAX_REQUEST_ID_LENGTH = 64;

        public Identified {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(command, "command");
            if (requestId.isEmpty() || requestId.length() > MAX_REQUEST_ID_LENGTH) {
                throw new IllegalArgumentException("request id must have 1 to " + MAX_REQUEST_ID_LENGTH
                        + " characters, got " + requestId.length());
            }
            if (!(command instanceof CreateTopic || command instanceof PutMessage
                    || command instanceof PopMessage)) {
                throw new IllegalArgumentException("only writes carry a request id, not "
                        + command.getClass().getSimpleName());
            }
        }
    }
}

package io.rrmq.mq;

import java.util.List;
import java.util.Objects;

/** A command of the message queue, replicated through the Raft log. */
public sealed interface MqCommand
        permits MqCommand.CreateTopic, MqCommand.PutMessage, MqCommand.PopMessage, MqCommand.ListTopics,
                MqCommand.Identified, MqCommand.PutBatch, MqCommand.Receive, MqCommand.Ack, MqCommand.Nack,
                MqCommand.SetPolicy, MqCommand.Tick, MqCommand.Stamped {

    /** Creates an empty topic; fails with {@link MqResult.Outcome#TOPIC_EXISTS} if it exists. */
    record CreateTopic(String topic) implements MqCommand {
    }

    /** Appends a message to a topic's queue. */
    record PutMessage(String topic, String message) implements MqCommand {
    }

    /** Removes and returns the oldest visible message of a topic. */
    record PopMessage(String topic) implements MqCommand {
    }

    /** Reads the topics in creation order; changes nothing (replicated for linearizability). */
    record ListTopics() implements MqCommand {
    }

    /**
     * Appends every message, in order, to a topic's queue, or nothing at all (no such topic).
     *
     * @param messages at least one message
     */
    record PutBatch(String topic, List<String> messages) implements MqCommand {
        public PutBatch {
            Objects.requireNonNull(topic, "topic");
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("a batch needs at least one message");
            }
        }
    }

    /**
     * At-least-once delivery: hands out up to {@code max} visible messages, oldest first, and keeps
     * them in the topic, invisible, until acknowledged or until {@code visibilityMillis} after the
     * entry's time (which only a {@link Stamped} entry gives: an unstamped receive is refused).
     */
    record Receive(String topic, int max, long visibilityMillis) implements MqCommand {
        public Receive {
            Objects.requireNonNull(topic, "topic");
            if (max < 1 || visibilityMillis < 0) {
                throw new IllegalArgumentException("receive needs max >= 1 and visibility >= 0");
            }
        }
    }

    /** Removes the messages of live deliveries of {@code topic} named by their receipts. */
    record Ack(String topic, List<String> receipts) implements MqCommand {
        public Ack {
            Objects.requireNonNull(topic, "topic");
            receipts = List.copyOf(receipts);
        }
    }

    /** Ends live deliveries of {@code topic} at once, without removing their messages. */
    record Nack(String topic, List<String> receipts) implements MqCommand {
        public Nack {
            Objects.requireNonNull(topic, "topic");
            receipts = List.copyOf(receipts);
        }
    }

    /**
     * Sets a topic's dead-letter policy: a message whose {@code maxDeliveries}-th delivery ends
     * without an ack moves to the end of {@code deadLetterTopic}. {@code maxDeliveries} 0 removes
     * the policy (then {@code deadLetterTopic} is ignored and must be empty).
     */
    record SetPolicy(String topic, int maxDeliveries, String deadLetterTopic) implements MqCommand {
        public SetPolicy {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
            if (maxDeliveries < 0) {
                throw new IllegalArgumentException("maxDeliveries must not be negative");
            }
        }
    }

    /** Does nothing but carry its {@link Stamped} time: the leader's clock entry, so that due deliveries expire. */
    record Tick() implements MqCommand {
    }

    /**
     * A command carrying the leader's clock and fresh randomness, stamped when the leader proposed
     * it. The state machine's time is the largest stamp applied so far (so it never goes back, even
     * when a new leader's clock is behind); its receipts are derived from {@code nonce}.
     *
     * @param nowMillis the leader's wall clock, milliseconds since the epoch
     * @param nonce     {@value #NONCE_BYTES} random bytes from the leader
     * @param command   a {@link Receive}, {@link Ack}, {@link Nack}, {@link Tick}, or one of those
     *                  three {@link Identified}
     */
    record Stamped(long nowMillis, byte[] nonce, MqCommand command) implements MqCommand {
        public static final int NONCE_BYTES = 16;

        public Stamped {
            Objects.requireNonNull(nonce, "nonce");
            Objects.requireNonNull(command, "command");
            if (nonce.length != NONCE_BYTES) {
                throw new IllegalArgumentException("nonce must have " + NONCE_BYTES + " bytes");
            }
            nonce = nonce.clone();
            MqCommand inner = command instanceof Identified identified ? identified.command() : command;
            if (!(inner instanceof Receive || inner instanceof Ack || inner instanceof Nack
                    || (inner instanceof Tick && command == inner))) {
                throw new IllegalArgumentException("only receive, ack, nack and tick are stamped, not "
                        + inner.getClass().getSimpleName());
            }
        }

        @Override
        public byte[] nonce() {
            return nonce.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Stamped s && s.nowMillis == nowMillis
                    && java.util.Arrays.equals(s.nonce, nonce) && s.command.equals(command);
        }

        @Override
        public int hashCode() {
            return Objects.hash(nowMillis, java.util.Arrays.hashCode(nonce), command);
        }

        @Override
        public String toString() {
            return "Stamped[" + nowMillis + ", " + command + "]";
        }
    }

    /**
     * A write carrying the client's request id, so that a retry of it takes effect at most once
     * (Raft thesis §6.3): the first application executes {@code command} and remembers its result
     * under {@code requestId}; a later application of the same id and command returns that result,
     * marked {@linkplain MqResult#replayed() replayed}, and changes nothing. A pop or receive that
     * found nothing is not remembered: it changed nothing, so a retry executes afresh (what a
     * long-polling request does while it waits).
     *
     * @param requestId 1 to {@value #MAX_REQUEST_ID_LENGTH} characters, chosen by the client
     * @param command   a write: not a {@link ListTopics}, {@link Tick}, {@link Stamped} or {@link Identified}
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
            if (command instanceof ListTopics || command instanceof Tick || command instanceof Stamped
                    || command instanceof Identified) {
                throw new IllegalArgumentException("only writes carry a request id, not "
                        + command.getClass().getSimpleName());
            }
        }
    }
}

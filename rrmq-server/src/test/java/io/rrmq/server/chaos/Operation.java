package io.rrmq.server.chaos;

import java.util.Objects;

/**
 * One client operation of a chaos run, as the client saw it end: what was asked, and what came of it.
 * A logical operation may have taken several HTTP attempts (retries through leader changes, all
 * with the same request id); it is recorded once, with the interval from the first attempt's send
 * to the last attempt's answer.
 *
 * @param process      who issued it ("producer-2", "consumer-0", "drain"); one process runs one
 *                     operation at a time
 * @param kind         put or pop
 * @param topic        the topic
 * @param value        a put's payload; an {@link Outcome#OK} pop's message, or {@code null} when the
 *                     pop found the queue empty; {@code null} for a failed or unknown pop
 * @param outcome      what the client knows of the effect
 * @param requestId    the {@code X-RRMQ-Request-Id} every attempt carried
 * @param invokedAt    monotonic time (any unit, e.g. nanoseconds) the first attempt was sent
 * @param completedAt  monotonic time the outcome became known (or the client gave up)
 * @param attempts     HTTP attempts made
 * @param uncertain    how many of them ended without a definite answer (timeout, broken connection,
 *                     5xx): an {@code OK} operation with {@code uncertain > 0} was saved by a retry
 * @param replayed     whether the definite answer carried {@code X-RRMQ-Replayed: true}
 */
public record Operation(String process, Kind kind, String topic, String value, Outcome outcome,
                        String requestId, long invokedAt, long completedAt, int attempts, int uncertain,
                        boolean replayed) {

    public enum Kind { PUT, POP }

    /**
     * What a client can know of an operation's effect. The mapping from HTTP is the README's: 200
     * (and, for a pop, 404 queue-empty) is {@link #OK}; every other 4xx is {@link #FAILED}; so is an
     * operation whose every attempt was refused before it could be accepted (421, 503, connection
     * refused) until the budget ran out. {@link #UNKNOWN} means at least one attempt was answered
     * 504/5xx or timed out after sending, and no later attempt with the same id gave a definite
     * answer.
     */
    public enum Outcome { OK, FAILED, UNKNOWN }

    public Operation {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(outcome, "outcome");
        if (kind == Kind.PUT && value == null) {
            throw new IllegalArgumentException("a put has a payload");
        }
        if (kind == Kind.POP && outcome != Outcome.OK && value != null) {
            throw new IllegalArgumentException("only an ok pop has a message");
        }
        if (completedAt < invokedAt) {
            throw new IllegalArgumentException("completed before invoked: " + invokedAt + " > " + completedAt);
        }
    }

    /** An ok pop that returned a message. */
    public boolean delivered() {
        return kind == Kind.POP && outcome == Outcome.OK && value != null;
    }

    /** An ok pop that found the queue empty. */
    public boolean foundEmpty() {
        return kind == Kind.POP && outcome == Outcome.OK && value == null;
    }

    /** Real-time order: this one had its answer before {@code other} was first sent. */
    public boolean precedes(Operation other) {
        return completedAt < other.invokedAt;
    }

    @Override
    public String toString() {
        return process + " " + kind + " " + topic + (value == null ? "" : " '" + value + "'") + " -> " + outcome
                + " [" + invokedAt + ".." + completedAt + ", id " + requestId + ", " + attempts + " attempt"
                + (attempts == 1 ? "" : "s") + (uncertain == 0 ? "" : ", " + uncertain + " uncertain") + (replayed ? ", replayed" : "") + "]";
    }
}

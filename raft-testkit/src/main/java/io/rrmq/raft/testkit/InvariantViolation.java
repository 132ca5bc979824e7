package io.rrmq.raft.testkit;

/** Thrown by the checkers the moment a safety or liveness property fails. */
public final class InvariantViolation extends RuntimeException {
    public InvariantViolation(String property, String detail) {
        super(property + ": " + detail);
    }
}

package io.rrmq.raft.testkit;

/** Thrown by the checkers the moment a safety or liveness property fails. */
public final class InvariantViolation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param property the property that broke, e.g. "log matching"; a test may match on it
     * @param detail   what was seen
     */
    public InvariantViolation(String property, String detail) {
        super(property + ": " + detail);
    }
}

package io.rrmq.raft;

/** The node was shut down before the outcome was known. */
public final class NodeClosedException extends RaftException {
    private static final long serialVersionUID = 1L;

    /** The failure of an operation the closing node did not finish. */
    public NodeClosedException() {
        super("node closed");
    }
}

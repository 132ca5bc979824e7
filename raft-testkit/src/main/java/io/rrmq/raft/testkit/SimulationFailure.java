package io.rrmq.raft.testkit;

import java.util.List;

/** A broken invariant (or an engine exception) in a simulated run, with what it takes to replay it. */
public final class SimulationFailure extends AssertionError {
    private final long seed;

    public SimulationFailure(long seed, String replayCommand, String problem, List<String> tail, Throwable cause) {
        super(problem + "\n  seed: " + seed + "\n  replay: " + replayCommand
                + "\n  last events (oldest first):\n    " + String.join("\n    ", tail), cause);
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }
}

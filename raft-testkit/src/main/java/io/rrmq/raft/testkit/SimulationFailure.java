package io.rrmq.raft.testkit;

import java.util.List;

/** A broken invariant (or an engine exception) in a simulated run, with what it takes to replay it. */
public final class SimulationFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    /** The failing run's seed. */
    private final long seed;

    /**
     * @param seed          the failing run's seed
     * @param replayCommand the command that runs this seed alone
     * @param problem       what broke
     * @param tail          the run's last events, oldest first
     * @param cause         the violation or the engine's exception
     */
    public SimulationFailure(long seed, String replayCommand, String problem, List<String> tail, Throwable cause) {
        super(problem + "\n  seed: " + seed + "\n  replay: " + replayCommand
                + "\n  last events (oldest first):\n    " + String.join("\n    ", tail), cause);
        this.seed = seed;
    }

    /** {@return the failing run's seed} */
    public long seed() {
        return seed;
    }
}

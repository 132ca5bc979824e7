package io.rrmq.raft.testkit;

/**
 * The embedder's check of a passing run's history: typically it replays
 * {@link Simulation.Result#committedLog()} through a model of the application and compares what
 * the workload saw acknowledged (results, order) with it. It signals a violation by throwing (an
 * {@link AssertionError} from assertions, or an {@link InvariantViolation});
 * {@link Simulation#run(HistoryChecker)} turns that into a {@link SimulationFailure} with the seed
 * and the replay command.
 */
@FunctionalInterface
public interface HistoryChecker {
    /**
     * Checks the run's history.
     *
     * @param result what the run did, its committed log included
     */
    void check(Simulation.Result result);
}

package io.rrmq.raft.testkit;

import io.rrmq.raft.StateMachine;
import java.util.Random;

/**
 * The clients of a simulated run and the application they drive. The simulation asks for a command
 * at random times and reports each one's fate. Outcomes follow RaftRuntime's: acknowledged with the
 * state machine's result once the proposing leader applied it in its term; unknown when that leader
 * lost its leadership (or crashed) first; rejected when the node was not the leader.
 */
public interface Workload {
    /**
     * A client's command.
     *
     * @param client the workload's own client number, handed back in {@link Proposal#client()}
     * @param bytes  the command for the state machine
     */
    record Command(int client, byte[] bytes) {
    }

    /** {@return a fresh, empty state machine for a node (at start and after every crash)} */
    StateMachine newStateMachine();

    /**
     * {@return a fresh state machine for node {@code node}} (at start and after every crash). A
     * machine that keeps local files across crashes, as a node's data directory does (checkpoints,
     * {@link StateMachine#resumeCheckpoint}), needs to know whose files to open. The default is
     * {@link #newStateMachine()}.
     *
     * @param node the simulated node's id
     */
    default StateMachine newStateMachine(int node) {
        return newStateMachine();
    }

    /**
     * The next command to propose, or {@code null} if every client is busy or done.
     *
     * @param random the run's randomness: draw from it only, so that the seed decides everything
     * @param healed true once the faults have stopped (a workload may switch to draining)
     * @return the command, or {@code null}
     */
    Command next(Random random, boolean healed);

    /**
     * The proposing leader applied the command in its term: it took effect, with this result.
     * Throw an {@link InvariantViolation} here if the result is impossible.
     *
     * @param proposal the command, where and when it was appended
     * @param result   what {@link StateMachine#apply} returned
     */
    void acknowledged(Proposal proposal, byte[] result);

    /**
     * The proposing leader lost its leadership or crashed first: the command may or may not take
     * effect. Does nothing by default.
     *
     * @param proposal the command, where and when it was appended
     */
    default void outcomeUnknown(Proposal proposal) {
    }

    /**
     * The node asked was not the leader: the command will never take effect. Does nothing by default.
     *
     * @param command the command
     */
    default void rejected(Command command) {
    }

    /** {@return whether, after healing, the workload has done all it wanted (e.g. drained every queue)} */
    boolean finished();
}

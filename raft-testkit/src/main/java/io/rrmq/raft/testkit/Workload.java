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
    /** A client's command. */
    record Command(int client, byte[] bytes) {
    }

    /** A fresh, empty state machine for a node (at start and after every crash). */
    StateMachine newStateMachine();

    /**
     * The next command to propose, or {@code null} if every client is busy or done.
     *
     * @param healed true once the faults have stopped (a workload may switch to draining)
     */
    Command next(Random random, boolean healed);

    void acknowledged(Proposal proposal, byte[] result);

    void outcomeUnknown(Proposal proposal);

    void rejected(Command command);

    /** Whether, after healing, the workload has done all it wanted (e.g. drained every queue). */
    boolean finished();
}

package io.rrmq.raft.runtime;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.Transport;
import java.io.IOException;
import java.util.List;

/** Placeholder: the event-loop runtime is being written. */
public final class RaftRuntime {
    private RaftRuntime() {
    }

    /**
     * Loads {@code storage}, replays committed entries into {@code stateMachine} as they commit, and
     * starts the node's threads. {@code memberIds} includes {@code selfId}.
     */
    public static RaftNode start(RaftConfig config, int selfId, List<Integer> memberIds,
                                 StateMachine stateMachine, RaftStorage storage, Transport transport,
                                 long randomSeed) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }
}

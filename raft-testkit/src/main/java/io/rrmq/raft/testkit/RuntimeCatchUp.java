package io.rrmq.raft.testkit;

import io.rrmq.raft.runtime.internal.LearnerCatchUp;

/**
 * The runtime's {@link LearnerCatchUp}, so that the simulation promotes a learner
 * by the very rounds RaftRuntime uses (thesis §4.2.1) instead of a copy of them.
 */
final class RuntimeCatchUp {
    /** What to do with the learner now. */
    enum Verdict { WAIT, PROMOTE, GIVE_UP }

    private final LearnerCatchUp catchUp;

    /** As RaftRuntime.promote: rounds against the leader's log end, given up after {@code stallTicks} without progress. */
    RuntimeCatchUp(int electionTicks, long stallTicks, long logEnd, long now) {
        this.catchUp = new LearnerCatchUp(electionTicks, stallTicks, logEnd, now);
    }

    Verdict check(long match, long logEnd, long now) {
        return Verdict.valueOf(catchUp.check(match, logEnd, now).name());
    }

    int rounds() {
        return catchUp.rounds();
    }

    String reason() {
        return catchUp.reason();
    }
}

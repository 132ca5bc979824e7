package io.rrmq.raft.testkit;

import io.rrmq.raft.core.RaftCore;

/**
 * The classic membership-change bugs a simulated run can switch on in every core it builds, to
 * prove that the invariant checks catch them (see {@link SimConfig.MembershipChaos#withBug}). They go
 * through raft-lib's one deliberate seam, {@code RaftCore.inject}, in an internal package that
 * raft-lib exports to this module alone.
 */
public final class BugInjection {
    /** The classic membership-change bugs (thesis ch. 4; Ongaro, "bug in single-server membership changes", 2015). */
    public enum Bug {
        /** Correct Raft. */
        NONE(RaftCore.InjectedBug.NONE),
        /** Elections ask for and count votes in the newest committed configuration, not the newest appended. */
        VOTES_IN_OLD_CONFIGURATION(RaftCore.InjectedBug.VOTES_IN_COMMITTED_CONFIGURATION),
        /** A leader appends a change while another one is not committed yet. */
        TWO_CHANGES_AT_ONCE(RaftCore.InjectedBug.CONCURRENT_CHANGES),
        /** A new leader appends a change before an entry of its term has committed. */
        CHANGE_BEFORE_COMMIT_IN_TERM(RaftCore.InjectedBug.CHANGE_BEFORE_TERM_COMMIT),
        /** A leader serves reads at its commit index without a heartbeat round confirming it still leads. */
        READS_WITHOUT_ROUND(RaftCore.InjectedBug.READS_WITHOUT_ROUND);

        private final RaftCore.InjectedBug injected;

        Bug(RaftCore.InjectedBug injected) {
            this.injected = injected;
        }
    }

    private BugInjection() {
    }

    static void inject(RaftCore core, Bug bug) {
        core.inject(bug.injected);
    }
}

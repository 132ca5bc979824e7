package io.rrmq.raft.runtime.internal;

/**
 * Decides when a learner is caught up enough to become a voter (thesis §4.2.1): replication proceeds
 * in rounds, each to the leader's log end as it was when the round began; once a round finishes
 * within an election timeout, the learner is close enough that adding it to majorities will not
 * stall commits. A learner that needs more than {@link #MAX_ROUNDS} rounds, or whose log does not
 * move for {@code stallTicks}, is given up on.
 */
public final class LearnerCatchUp {
    public static final int MAX_ROUNDS = 10;

    public enum Verdict { WAIT, PROMOTE, GIVE_UP }

    private final int electionTicks;
    private final long stallTicks;
    private long roundTarget;
    private long roundStart;
    private int rounds;
    private long lastMatch = -1;
    private long lastProgress;
    private String reason = "";

    public LearnerCatchUp(int electionTicks, long stallTicks, long logEnd, long now) {
        this.electionTicks = electionTicks;
        this.stallTicks = stallTicks;
        startRound(logEnd, now);
        this.lastProgress = now;
    }

    /**
     * @param match  the learner's match index as the leader knows it
     * @param logEnd the leader's last log index now
     * @param now    the leader's tick count
     */
    public Verdict check(long match, long logEnd, long now) {
        if (match > lastMatch) {
            lastMatch = match;
            lastProgress = now;
        }
        if (match >= roundTarget) {
            if (now - roundStart <= electionTicks) {
                return Verdict.PROMOTE;
            }
            if (rounds >= MAX_ROUNDS) {
                reason = "the learner was still behind after " + rounds + " rounds of replication (the last took "
                        + (now - roundStart) + " ticks, more than an election timeout of " + electionTicks + ")";
                return Verdict.GIVE_UP;
            }
            startRound(logEnd, now);
        } else if (now - lastProgress > stallTicks) {
            reason = "the learner's log did not move for " + stallTicks + " ticks (at " + Math.max(0, match)
                    + " of " + roundTarget + "): is it running and reachable?";
            return Verdict.GIVE_UP;
        }
        return Verdict.WAIT;
    }

    public int rounds() {
        return rounds;
    }

    public String reason() {
        return reason;
    }

    private void startRound(long logEnd, long now) {
        roundTarget = logEnd;
        roundStart = now;
        rounds++;
    }
}

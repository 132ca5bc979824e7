package io.rrmq.raft.runtime.internal;

import java.time.Duration;

/**
 * Decides when a learner is caught up enough to become a voter (thesis §4.2.1): replication proceeds
 * in rounds, each to the leader's log end as it was when the round began; once a round finishes
 * within an election timeout, the learner is close enough that adding it to majorities will not
 * stall commits. A learner that needs more than {@link #MAX_ROUNDS} rounds, or whose log does not
 * move for {@code stallTicks}, is given up on.
 */
public final class LearnerCatchUp {
    /** Rounds after which a learner that has not caught up is given up on. */
    public static final int MAX_ROUNDS = 10;
    /**
     * How long a learner's log may stand still before the promotion gives up: long enough for a
     * snapshot of a few hundred MB to be sent and installed between two acknowledgements.
     */
    public static final Duration STALL = Duration.ofSeconds(10);

    public enum Verdict { WAIT, PROMOTE, GIVE_UP }

    private final int electionTicks;
    private final long stallTicks;
    private long roundTarget;
    private long roundStart;
    private int rounds;
    private long lastMatch = -1;
    private long lastProgress;
    private String reason = "";

    /**
     * A catch-up whose stall limit is {@link #STALL} in ticks of {@code tick}.
     *
     * @param electionTicks the election timeout in ticks: a round that short means caught up
     * @param tick          the length of a tick
     * @param logEnd        the leader's last log index now
     * @param now           the leader's tick count
     * @return the catch-up, its first round started
     */
    public static LearnerCatchUp startingAt(int electionTicks, Duration tick, long logEnd, long now) {
        return new LearnerCatchUp(electionTicks, STALL.toMillis() / Math.max(1, tick.toMillis()), logEnd, now);
    }

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

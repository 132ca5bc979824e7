package io.rrmq.raft.core;

/**
 * What a leader knows of one follower's log, and the flow control of what it sends it (after
 * etcd-io/raft's tracker). In {@link State#PROBE} the leader sends one AppendEntries at a time to
 * find where the logs agree; in {@link State#REPLICATE} it streams entries optimistically, keeping up
 * to {@code maxInflight} messages unanswered.
 */
final class Progress {
    enum State { PROBE, REPLICATE }

    private final int maxInflight;
    /** Last index of each unanswered AppendEntries carrying entries, oldest first (a ring). */
    private final long[] inflight;
    private int inflightStart;
    private int inflightCount;

    long matchIndex;
    long nextIndex;
    State state = State.PROBE;
    /** In PROBE: an AppendEntries is out and unanswered; wait for its answer or the next heartbeat. */
    boolean probeSent;
    /** Heard from since the last check-quorum round. */
    boolean recentActive;

    Progress(long nextIndex, int maxInflight) {
        this.nextIndex = nextIndex;
        this.maxInflight = maxInflight;
        this.inflight = new long[maxInflight];
    }

    boolean inflightFull() {
        return inflightCount == maxInflight;
    }

    int inflightCount() {
        return inflightCount;
    }

    void addInflight(long lastIndex) {
        if (inflightFull()) {
            throw new IllegalStateException("inflight window full");
        }
        inflight[(inflightStart + inflightCount) % maxInflight] = lastIndex;
        inflightCount++;
    }

    /** Frees the messages whose entries are now acknowledged. */
    void freeInflightUpTo(long index) {
        while (inflightCount > 0 && inflight[inflightStart] <= index) {
            inflightStart = (inflightStart + 1) % maxInflight;
            inflightCount--;
        }
    }

    void becomeProbe() {
        state = State.PROBE;
        probeSent = false;
        nextIndex = matchIndex + 1;
        inflightStart = 0;
        inflightCount = 0;
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        probeSent = false;
        nextIndex = matchIndex + 1;
        inflightStart = 0;
        inflightCount = 0;
    }

    /** Whether a new AppendEntries carrying entries may go out now. */
    boolean canSendEntries() {
        return state == State.PROBE ? !probeSent : !inflightFull();
    }

    @Override
    public String toString() {
        return state + "{match=" + matchIndex + ", next=" + nextIndex + ", inflight=" + inflightCount + "}";
    }
}

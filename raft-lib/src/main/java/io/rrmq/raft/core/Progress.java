package io.rrmq.raft.core;

/**
 * What a leader knows of one follower's log, and the flow control of what it sends it (after
 * etcd-io/raft's tracker). In {@link State#PROBE} the leader sends one AppendEntries at a time to
 * find where the logs agree; in {@link State#REPLICATE} it streams entries optimistically, keeping up
 * to {@code maxInflight} messages unanswered; in {@link State#SNAPSHOT} the follower needs entries the
 * leader compacted away, and the leader sends it a snapshot, one InstallSnapshot chunk at a time,
 * and no AppendEntries with entries until the follower has installed it.
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

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
    /**
     * Ticks since the configuration that removed this server committed: the leader keeps sending to
     * it for a while so that it learns it was removed, then forgets it.
     */
    int departedTicks;

    // In SNAPSHOT: which snapshot is being sent and how far the follower has it.
    long pendingSnapshotIndex;
    long pendingSnapshotTerm;
    /** The next byte of the snapshot file to send: what the follower last said it stores. */
    long snapshotOffset;
    /** A chunk is out and unanswered; only one is, per follower. */
    boolean chunkInFlight;
    /** Ticks since the chunk in flight was sent; past a limit it is presumed lost and sent again. */
    int ticksSinceChunk;

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
        // After a snapshot the follower holds everything up to it (etcd-io/raft, BecomeProbe).
        long after = state == State.SNAPSHOT ? Math.max(matchIndex, pendingSnapshotIndex) : matchIndex;
        state = State.PROBE;
        probeSent = false;
        nextIndex = after + 1;
        inflightStart = 0;
        inflightCount = 0;
        pendingSnapshotIndex = 0;
        chunkInFlight = false;
    }

    /** Starts sending the snapshot at ({@code index}, {@code term}) from its first byte. */
    void becomeSnapshot(long index, long term) {
        state = State.SNAPSHOT;
        probeSent = false;
        inflightStart = 0;
        inflightCount = 0;
        pendingSnapshotIndex = index;
        pendingSnapshotTerm = term;
        snapshotOffset = 0;
        chunkInFlight = false;
        ticksSinceChunk = 0;
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        probeSent = false;
        nextIndex = matchIndex + 1;
        inflightStart = 0;
        inflightCount = 0;
    }

    /** The next chunk to send, if none is in flight (SNAPSHOT only); marks it in flight. */
    SnapshotChunkRequest nextChunk(int peer, long term) {
        if (state != State.SNAPSHOT || chunkInFlight) {
            return null;
        }
        chunkInFlight = true;
        ticksSinceChunk = 0;
        return new SnapshotChunkRequest(peer, term, pendingSnapshotIndex, pendingSnapshotTerm, snapshotOffset);
    }

    /** Whether the leader's replication pass would send this follower something, its log ending at {@code lastIndex}. */
    boolean hasSomethingToSend(long lastIndex) {
        return state == State.SNAPSHOT ? !chunkInFlight : canSendEntries() && nextIndex <= lastIndex;
    }

    /** Whether a snapshot chunk is in flight: {@link #tickSnapshot} counts towards its timeout. */
    boolean awaitingChunk() {
        return state == State.SNAPSHOT && chunkInFlight;
    }

    /** One tick: a chunk unanswered for {@code timeoutTicks} is presumed lost and may go again. */
    void tickSnapshot(int timeoutTicks) {
        if (state == State.SNAPSHOT && chunkInFlight && ++ticksSinceChunk >= timeoutTicks) {
            chunkInFlight = false;
        }
    }

    /**
     * The follower answered a chunk of snapshot {@code index}: it stores {@code bytesStored} bytes,
     * or holds everything up to {@code index} ({@code complete}). Answers about another transfer are
     * ignored.
     *
     * @return whether {@link #matchIndex} advanced
     */
    boolean onSnapshotResponse(long index, long bytesStored, boolean complete) {
        if (state != State.SNAPSHOT || index != pendingSnapshotIndex) {
            return false;
        }
        if (complete) {
            boolean advanced = index > matchIndex;
            matchIndex = Math.max(matchIndex, index);
            becomeProbe(); // AppendEntries go on from the snapshot's index + 1
            return advanced;
        }
        snapshotOffset = bytesStored;
        chunkInFlight = false;
        return false;
    }

    /** Whether a new AppendEntries carrying entries may go out now. */
    boolean canSendEntries() {
        return switch (state) {
            case PROBE -> !probeSent;
            case REPLICATE -> !inflightFull();
            case SNAPSHOT -> false;
        };
    }

    @Override
    public String toString() {
        String snapshot = state == State.SNAPSHOT
                ? ", snapshot=" + pendingSnapshotIndex + "@" + snapshotOffset + (chunkInFlight ? "*" : "") : "";
        return state + "{match=" + matchIndex + ", next=" + nextIndex + ", inflight=" + inflightCount
                + snapshot + "}";
    }
}

package io.rrmq.raft.core;

/**
 * What a leader knows of one follower's log, and the flow control of what it sends it (after
 * etcd-io/raft's tracker). In {@link State#PROBE} the leader sends one AppendEntries at a time to
 * find where the logs agree; in {@link State#REPLICATE} it streams entries optimistically, keeping up
 * to {@code maxInflight} messages unanswered; in {@link State#SNAPSHOT} the follower needs entries the
 * leader compacted away, and the leader streams it a snapshot in InstallSnapshot chunks, up to
 * {@value #SNAPSHOT_WINDOW_CHUNKS} unanswered (waiting for each answer would make a transfer as slow
 * as the round trip, not the link or the disk), and no AppendEntries with entries until the follower
 * has installed it.
 */
final class Progress {
    enum State { PROBE, REPLICATE, SNAPSHOT }

    /** Snapshot chunks sent ahead of the follower's answers. */
    static final int SNAPSHOT_WINDOW_CHUNKS = 4;

    private final int maxInflight;
    /** Bytes per snapshot chunk (the runtime reads this many at each requested offset). */
    private final long chunkBytes;
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
    /** How much of the snapshot file the follower last said it stores, contiguous from byte 0. */
    long snapshotOffset;
    /**
     * Where the next chunk starts; chunks from {@link #snapshotOffset} to here are out and unanswered.
     * Past the file's end (which only the runtime knows) a request sends nothing.
     */
    long snapshotSentOffset;
    /** Ticks without progress while chunks are out; past a limit they are presumed lost and sent again. */
    int ticksSinceChunk;

    Progress(long nextIndex, int maxInflight, long chunkBytes) {
        this.nextIndex = nextIndex;
        this.maxInflight = maxInflight;
        this.inflight = new long[maxInflight];
        this.chunkBytes = chunkBytes;
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
        snapshotSentOffset = 0;
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
        snapshotSentOffset = 0;
        ticksSinceChunk = 0;
    }

    void becomeReplicate() {
        state = State.REPLICATE;
        probeSent = false;
        nextIndex = matchIndex + 1;
        inflightStart = 0;
        inflightCount = 0;
    }

    /** The next chunk to send, if the window has room (SNAPSHOT only); counts it as out. */
    SnapshotChunkRequest nextChunk(int peer, long term) {
        if (!chunkWindowOpen()) {
            return null;
        }
        long offset = snapshotSentOffset;
        if (offset == snapshotOffset) {
            ticksSinceChunk = 0; // the first chunk out: its timeout starts now
        }
        snapshotSentOffset += chunkBytes;
        return new SnapshotChunkRequest(peer, term, pendingSnapshotIndex, pendingSnapshotTerm, offset);
    }

    private boolean chunkWindowOpen() {
        return state == State.SNAPSHOT && snapshotSentOffset - snapshotOffset < SNAPSHOT_WINDOW_CHUNKS * chunkBytes;
    }

    /** Whether the leader's replication pass would send this follower something, its log ending at {@code lastIndex}. */
    boolean hasSomethingToSend(long lastIndex) {
        return state == State.SNAPSHOT ? chunkWindowOpen() : canSendEntries() && nextIndex <= lastIndex;
    }

    /** Whether snapshot chunks are out and unanswered: {@link #tickSnapshot} counts towards their timeout. */
    boolean awaitingChunk() {
        return state == State.SNAPSHOT && snapshotSentOffset > snapshotOffset;
    }

    /**
     * One tick: chunks out for {@code timeoutTicks} without progress are presumed lost (a broken
     * connection, or one the follower refused as out of order): the transfer goes on from where
     * the follower last said it is.
     */
    void tickSnapshot(int timeoutTicks) {
        if (awaitingChunk() && ++ticksSinceChunk >= timeoutTicks) {
            snapshotSentOffset = snapshotOffset;
            ticksSinceChunk = 0;
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
        if (bytesStored != snapshotOffset) {
            ticksSinceChunk = 0;
        }
        if (bytesStored < snapshotOffset) {
            // The follower started over (it could not store a chunk): so does the leader. (On a
            // network that reorders, a late answer looks the same: resending costs time only.)
            snapshotSentOffset = bytesStored;
        } else {
            // An answer that repeats the figure refused a chunk out of order (after a lost one, or a
            // duplicate); the chunks still out are answered in turn, and the timeout resends from here.
            snapshotSentOffset = Math.max(snapshotSentOffset, bytesStored);
        }
        snapshotOffset = bytesStored;
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
                ? ", snapshot=" + pendingSnapshotIndex + "@" + snapshotOffset + ".." + snapshotSentOffset : "";
        return state + "{match=" + matchIndex + ", next=" + nextIndex + ", inflight=" + inflightCount
                + snapshot + "}";
    }
}

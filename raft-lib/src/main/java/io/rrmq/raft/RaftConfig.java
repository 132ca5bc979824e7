package io.rrmq.raft;

import java.time.Duration;

/**
 * Timing and flow-control knobs of a node. Time is counted in ticks of {@link #tickInterval}; the
 * defaults suit a cluster on one machine or a LAN (heartbeat 50 ms, election timeout 150-300 ms).
 *
 * @param tickInterval        the clock's resolution. Smaller reacts faster, costs more wake-ups.
 * @param heartbeatTicks      a leader sends heartbeats this often. Must be well below
 *                            {@code electionTicks} so one lost heartbeat does not start an election.
 * @param electionTicks       the minimum election timeout; each timeout is drawn uniformly from
 *                            {@code [electionTicks, 2 * electionTicks)}. Shorter gives faster failover
 *                            and more spurious elections on a loaded machine.
 * @param maxEntriesPerMessage at most this many entries in one AppendEntries
 * @param maxBytesPerMessage  and at most about this many bytes of entry data in one AppendEntries
 * @param maxInflightMessages AppendEntries sent to one follower and not yet answered. More hides
 *                            round-trip latency; fewer wastes less when a follower rejects.
 * @param maxPendingProposals proposals appended but not yet applied; past it {@code propose} fails
 *                            fast with {@link OverloadedException} instead of queueing without bound.
 * @param preVote             run a pre-vote round before a real election (thesis §9.6), so a node
 *                            rejoining after a partition does not depose a healthy leader.
 * @param checkQuorum         a leader that has not heard from a majority within
 *                            {@code checkQuorumTicks} steps down, and followers that heard from a
 *                            leader within the minimum election timeout ignore vote requests
 *                            (thesis §6.2 / §9.6).
 * @param checkQuorumTicks    check-quorum's window (default 100 ticks = 1 s, as etcd's default
 *                            election timeout). Longer than the election timeout on purpose: failover
 *                            speed comes from the followers' election timeouts, while this window
 *                            only decides how soon an isolated leader stops taking requests (which it
 *                            can never commit anyway). Too short a window deposes healthy leaders
 *                            whose followers' acknowledgements are late (they wait for the
 *                            follower's fsync and threads; seen at 150 and 300 ms on two busy cores).
 *                            At least {@code electionTicks}.
 * @param snapshotEntries     take a snapshot (and compact the log) once this many entries were
 *                            applied since the last one (default 100 000). Lower bounds disk use and
 *                            restart time more tightly; each snapshot writes the whole state, so too
 *                            low a value spends the disk bandwidth on rewriting the same messages.
 * @param snapshotBytes       or once this many bytes of entry data were applied since the last one
 *                            (default 64 MiB), whichever comes first.
 * @param snapshotTrailingEntries entries kept in the log behind a snapshot (default 10 000), so that a
 *                            follower a little behind catches up with AppendEntries rather than a
 *                            whole snapshot. Costs their memory and disk; 0 compacts everything.
 * @param snapshotTrailingBytes and at most about this many bytes of entry data (default 8 MiB): the log
 *                            is held in memory, so with large entries (batches) a count alone would
 *                            keep too much (10 000 entries of 10 KiB is 100 MiB of heap).
 * @param snapshotChunkBytes  a leader sends a snapshot to a follower that is behind its log start in
 *                            InstallSnapshot chunks of this many bytes (the last one shorter), up to
 *                            four unanswered (default 1 MiB). Larger is faster on a slow link and
 *                            holds more memory on both sides.
 * @param leaseReads          serve linearizable reads from a leader lease, without a heartbeat round
 *                            (thesis §6.4.1); off by default. A round confirmed by a majority at time
 *                            T proves that none of those voters grants a vote before T plus one
 *                            minimum election timeout <i>by its own clock</i> (check-quorum, which
 *                            leases require); the leader trusts its lease until
 *                            {@code T + (electionTicks - leaseMarginTicks) * tickInterval} by its
 *                            clock. This is safe only while clock rates differ by less than the
 *                            margin over that span and the leader does not stall (GC, SIGSTOP) for
 *                            longer than the margin between checking its lease and reading its
 *                            state machine: with the defaults (150 ms timeout, 50 ms margin) a drift
 *                            of up to a third, and stalls under 50 ms. A leader that starts a
 *                            leadership transfer gives up its lease for the rest of its term (a
 *                            transfer's votes ignore leases), and a leader elected by a transfer
 *                            takes no lease during its first election timeout. With lease reads on, a
 *                            node refuses votes during its first election timeout after a (re)start,
 *                            since it may have acknowledged a lease it no longer remembers.
 * @param leaseMarginTicks    the clock-drift margin cut from a lease, in ticks (default 5); at least
 *                            1 and below {@code electionTicks} when {@code leaseReads} is on.
 */
public record RaftConfig(Duration tickInterval, int heartbeatTicks, int electionTicks,
                         int maxEntriesPerMessage, int maxBytesPerMessage, int maxInflightMessages,
                         int maxPendingProposals, boolean preVote, boolean checkQuorum, int checkQuorumTicks,
                         long snapshotEntries, long snapshotBytes, long snapshotTrailingEntries,
                         long snapshotTrailingBytes, int snapshotChunkBytes, boolean leaseReads, int leaseMarginTicks) {

    /** Default of {@link #snapshotTrailingEntries}. */
    public static final long DEFAULT_SNAPSHOT_TRAILING_ENTRIES = 10_000;
    /** Default of {@link #snapshotTrailingBytes}. */
    public static final long DEFAULT_SNAPSHOT_TRAILING_BYTES = 8L << 20;
    /** Default of {@link #snapshotEntries}. */
    public static final long DEFAULT_SNAPSHOT_ENTRIES = 100_000;
    /** Default of {@link #snapshotBytes}. */
    public static final long DEFAULT_SNAPSHOT_BYTES = 64L << 20;
    /** Default of {@link #snapshotChunkBytes}. */
    public static final int DEFAULT_SNAPSHOT_CHUNK_BYTES = 1 << 20;
    /** Default of {@link #leaseMarginTicks}. */
    public static final int DEFAULT_LEASE_MARGIN_TICKS = 5;

    /**
     * Checks the limits: a positive tick, {@code 1 <= heartbeatTicks < electionTicks <= checkQuorumTicks},
     * positive sizes and counts.
     *
     * @param tickInterval            see the class description
     * @param heartbeatTicks          see the class description
     * @param electionTicks           see the class description
     * @param maxEntriesPerMessage    see the class description
     * @param maxBytesPerMessage      see the class description
     * @param maxInflightMessages     see the class description
     * @param maxPendingProposals     see the class description
     * @param preVote                 see the class description
     * @param checkQuorum             see the class description
     * @param checkQuorumTicks        see the class description
     * @param snapshotEntries         see the class description
     * @param snapshotBytes           see the class description
     * @param snapshotTrailingEntries see the class description
     * @param snapshotTrailingBytes   see the class description
     * @param snapshotChunkBytes      see the class description
     * @param leaseReads              see the class description
     * @param leaseMarginTicks        see the class description
     */
    public RaftConfig {
        if (tickInterval.isNegative() || tickInterval.isZero()) {
            throw new IllegalArgumentException("tickInterval must be positive");
        }
        if (heartbeatTicks < 1 || electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("need 1 <= heartbeatTicks < electionTicks");
        }
        if (checkQuorumTicks < electionTicks) {
            throw new IllegalArgumentException("need checkQuorumTicks >= electionTicks");
        }
        if (leaseReads && (!checkQuorum || leaseMarginTicks < 1 || leaseMarginTicks >= electionTicks)) {
            throw new IllegalArgumentException("lease reads need checkQuorum and 1 <= leaseMarginTicks < electionTicks");
        }
        if (maxEntriesPerMessage < 1 || maxBytesPerMessage < 1 || maxInflightMessages < 1
                || maxPendingProposals < 1 || snapshotEntries < 1 || snapshotBytes < 1
                || snapshotTrailingEntries < 0 || snapshotTrailingBytes < 0 || snapshotChunkBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** {@return the defaults, tuned for a small cluster on one machine: 50 ms heartbeats, 150-300 ms election timeout} */
    public static RaftConfig defaults() {
        return new RaftConfig(Duration.ofMillis(10), 5, 15, 1024, 1 << 20, 16, 20_000, true, true, 100,
                DEFAULT_SNAPSHOT_ENTRIES, DEFAULT_SNAPSHOT_BYTES,
                DEFAULT_SNAPSHOT_TRAILING_ENTRIES, DEFAULT_SNAPSHOT_TRAILING_BYTES, DEFAULT_SNAPSHOT_CHUNK_BYTES, false, DEFAULT_LEASE_MARGIN_TICKS);
    }

    /**
     * These timings; check-quorum's window is raised to {@code 2 * election} if it was shorter.
     *
     * @param tick      the tick interval
     * @param heartbeat ticks between a leader's heartbeats
     * @param election  the minimum election timeout in ticks
     * @return the new configuration
     */
    public RaftConfig withTicks(Duration tick, int heartbeat, int election) {
        return new RaftConfig(tick, heartbeat, election, maxEntriesPerMessage, maxBytesPerMessage,
                maxInflightMessages, maxPendingProposals, preVote, checkQuorum,
                Math.max(checkQuorumTicks, 2 * election),
                snapshotEntries, snapshotBytes, snapshotTrailingEntries, snapshotTrailingBytes, snapshotChunkBytes, leaseReads, leaseMarginTicks);
    }

    /**
     * This configuration with another backpressure bound.
     *
     * @param max see {@link #maxPendingProposals}
     * @return the new configuration
     */
    public RaftConfig withMaxPendingProposals(int max) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, max, preVote, checkQuorum, checkQuorumTicks,
                snapshotEntries, snapshotBytes, snapshotTrailingEntries, snapshotTrailingBytes, snapshotChunkBytes, leaseReads, leaseMarginTicks);
    }

    /**
     * This configuration with other replication limits.
     *
     * @param entriesPerMessage see {@link #maxEntriesPerMessage}
     * @param bytesPerMessage   see {@link #maxBytesPerMessage}
     * @param inflight          see {@link #maxInflightMessages}
     * @return the new configuration
     */
    public RaftConfig withFlowControl(int entriesPerMessage, int bytesPerMessage, int inflight) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, entriesPerMessage,
                bytesPerMessage, inflight, maxPendingProposals, preVote, checkQuorum, checkQuorumTicks,
                snapshotEntries, snapshotBytes, snapshotTrailingEntries, snapshotTrailingBytes, snapshotChunkBytes, leaseReads, leaseMarginTicks);
    }

    /**
     * This configuration with pre-vote and check-quorum switched on or off.
     *
     * @param preVote     see {@link #preVote}
     * @param checkQuorum see {@link #checkQuorum}
     * @return the new configuration
     */
    public RaftConfig withPreVoteAndCheckQuorum(boolean preVote, boolean checkQuorum) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, maxPendingProposals, preVote, checkQuorum, checkQuorumTicks,
                snapshotEntries, snapshotBytes, snapshotTrailingEntries, snapshotTrailingBytes, snapshotChunkBytes, leaseReads, leaseMarginTicks);
    }

    /**
     * This configuration with other snapshot thresholds.
     *
     * @param entries         see {@link #snapshotEntries}
     * @param bytes           see {@link #snapshotBytes}
     * @param trailingEntries see {@link #snapshotTrailingEntries}
     * @return the new configuration
     */
    public RaftConfig withSnapshots(long entries, long bytes, long trailingEntries) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, maxPendingProposals, preVote, checkQuorum, checkQuorumTicks,
                entries, bytes, trailingEntries, snapshotTrailingBytes, snapshotChunkBytes, leaseReads, leaseMarginTicks);
    }

    /**
     * This configuration with another bound on the bytes kept behind a snapshot.
     *
     * @param trailingBytes see {@link #snapshotTrailingBytes}
     * @return the new configuration
     */
    public RaftConfig withSnapshotTrailingBytes(long trailingBytes) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, maxPendingProposals, preVote, checkQuorum, checkQuorumTicks,
                snapshotEntries, snapshotBytes, snapshotTrailingEntries, trailingBytes, snapshotChunkBytes, leaseReads,
                leaseMarginTicks);
    }

    /**
     * This configuration with another check-quorum window.
     *
     * @param ticks see {@link #checkQuorumTicks}
     * @return the new configuration
     */
    public RaftConfig withCheckQuorumTicks(int ticks) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, maxPendingProposals, preVote, checkQuorum, ticks,
                snapshotEntries, snapshotBytes, snapshotTrailingEntries, snapshotTrailingBytes, snapshotChunkBytes, leaseReads, leaseMarginTicks);
    }

    /**
     * This configuration with another InstallSnapshot chunk size.
     *
     * @param chunkBytes see {@link #snapshotChunkBytes}
     * @return the new configuration
     */
    public RaftConfig withSnapshotChunkBytes(int chunkBytes) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, maxPendingProposals, preVote, checkQuorum, checkQuorumTicks,
                snapshotEntries, snapshotBytes, snapshotTrailingEntries, snapshotTrailingBytes, chunkBytes, leaseReads, leaseMarginTicks);
    }

    /**
     * Lease reads on or off (see {@link #leaseReads}), with a drift margin of {@code marginTicks}.
     *
     * @param on          whether a leader may serve reads on its lease, without a round
     * @param marginTicks see {@link #leaseMarginTicks}
     * @return the new configuration
     */
    public RaftConfig withLeaseReads(boolean on, int marginTicks) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, maxPendingProposals, preVote, checkQuorum, checkQuorumTicks,
                snapshotEntries, snapshotBytes, snapshotTrailingEntries, snapshotTrailingBytes, snapshotChunkBytes, on, marginTicks);
    }

    /**
     * How long a confirmed round's lease lasts by this node's clock.
     *
     * @return the lease, or zero without lease reads
     */
    public java.time.Duration leaseDuration() {
        return leaseReads ? tickInterval.multipliedBy(electionTicks - leaseMarginTicks) : java.time.Duration.ZERO;
    }
}

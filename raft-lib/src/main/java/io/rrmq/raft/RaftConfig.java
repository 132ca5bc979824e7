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
 *                            and more spurious elections on a loaded machine. Check-quorum also uses it:
 *                            a leader that heard from no majority within this many ticks steps down.
 * @param maxEntriesPerMessage at most this many entries in one AppendEntries
 * @param maxBytesPerMessage  and at most about this many bytes of entry data in one AppendEntries
 * @param maxInflightMessages AppendEntries sent to one follower and not yet answered. More hides
 *                            round-trip latency; fewer wastes less when a follower rejects.
 * @param maxPendingProposals proposals appended but not yet applied; past it {@code propose} fails
 *                            fast with {@link OverloadedException} instead of queueing without bound.
 * @param preVote             run a pre-vote round before a real election (thesis §9.6), so a node
 *                            rejoining after a partition does not depose a healthy leader.
 * @param checkQuorum         a leader that has not heard from a majority within an election timeout
 *                            steps down, and followers that heard from a leader within the minimum
 *                            election timeout ignore vote requests (thesis §6.2 / §9.6).
 */
public record RaftConfig(Duration tickInterval, int heartbeatTicks, int electionTicks,
                         int maxEntriesPerMessage, int maxBytesPerMessage, int maxInflightMessages,
                         int maxPendingProposals, boolean preVote, boolean checkQuorum) {

    public RaftConfig {
        if (tickInterval.isNegative() || tickInterval.isZero()) {
            throw new IllegalArgumentException("tickInterval must be positive");
        }
        if (heartbeatTicks < 1 || electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("need 1 <= heartbeatTicks < electionTicks");
        }
        if (maxEntriesPerMessage < 1 || maxBytesPerMessage < 1 || maxInflightMessages < 1
                || maxPendingProposals < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    /** Tuned for a small cluster on one machine: 50 ms heartbeats, 150-300 ms election timeout. */
    public static RaftConfig defaults() {
        return new RaftConfig(Duration.ofMillis(10), 5, 15, 1024, 1 << 20, 16, 20_000, true, true);
    }

    public RaftConfig withTicks(Duration tick, int heartbeat, int election) {
        return new RaftConfig(tick, heartbeat, election, maxEntriesPerMessage, maxBytesPerMessage,
                maxInflightMessages, maxPendingProposals, preVote, checkQuorum);
    }

    public RaftConfig withMaxPendingProposals(int max) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, max, preVote, checkQuorum);
    }

    public RaftConfig withFlowControl(int entriesPerMessage, int bytesPerMessage, int inflight) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, entriesPerMessage,
                bytesPerMessage, inflight, maxPendingProposals, preVote, checkQuorum);
    }

    public RaftConfig withPreVoteAndCheckQuorum(boolean preVote, boolean checkQuorum) {
        return new RaftConfig(tickInterval, heartbeatTicks, electionTicks, maxEntriesPerMessage,
                maxBytesPerMessage, maxInflightMessages, maxPendingProposals, preVote, checkQuorum);
    }
}

package io.rrmq.server.config;

import io.rrmq.raft.RaftConfig;

/**
 * How much a node keeps in flight. Set with Java system properties (in {@code RRMQ_JVM_OPTS} when
 * started through {@code src/node.py}); the defaults are {@link RaftConfig#defaults()}'s. Larger
 * values trade memory, and work wasted when a follower rejects, for throughput; every node of a
 * cluster should use the same values.
 *
 * @param entriesPerMessage  {@code -Drrmq.raft.batch}: at most this many entries in one AppendEntries
 * @param inflightMessages   {@code -Drrmq.raft.inflight}: AppendEntries sent to one follower and not
 *                           yet answered (1 turns pipelining off)
 * @param pendingProposals   {@code -Drrmq.raft.pending}: proposals accepted and not yet applied; past
 *                           it writes answer 503 {@code overloaded} with {@code Retry-After}
 */
public record FlowSettings(int entriesPerMessage, int inflightMessages, int pendingProposals) {

    /** {@link RaftConfig#defaults()}'s flow-control values, overridden by whichever properties are set. */
    public static FlowSettings fromSystemProperties() throws ConfigException {
        RaftConfig d = RaftConfig.defaults();
        return new FlowSettings(
                SystemProperties.intValue("rrmq.raft.batch", d.maxEntriesPerMessage(), 1),
                SystemProperties.intValue("rrmq.raft.inflight", d.maxInflightMessages(), 1),
                SystemProperties.intValue("rrmq.raft.pending", d.maxPendingProposals(), 1));
    }

    /** {@code config} with these limits. */
    public RaftConfig applyTo(RaftConfig config) {
        return config.withFlowControl(entriesPerMessage, config.maxBytesPerMessage(), inflightMessages)
                .withMaxPendingProposals(pendingProposals);
    }
}

package io.rrmq.server.config;

import io.rrmq.raft.RaftConfig;

/**
 * How the leader confirms a linearizable read ({@code GET /topic}, {@code GET /status?linearizable}).
 * Set with Java system properties (in {@code RRMQ_JVM_OPTS} when started through {@code src/node.py});
 * use the same values on every node.
 *
 * @param leaseReads       {@code -Drrmq.raft.lease=true}: the leader serves reads on its lease
 *                         (thesis §6.4.1) instead of a heartbeat round per batch of reads. Off by
 *                         default: it trusts the machines' clocks, see {@link RaftConfig#leaseReads()}
 * @param leaseMarginTicks {@code -Drrmq.raft.lease.margin=TICKS}: the clock-drift margin cut from
 *                         the lease, in 10 ms ticks (default 5, at most 14): a lease lasts one
 *                         minimum election timeout (150 ms) minus the margin
 */
public record ReadSettings(boolean leaseReads, int leaseMarginTicks) {

    /** Lease reads off and {@link RaftConfig}'s margin, overridden by whichever properties are set. */
    public static ReadSettings fromSystemProperties() throws ConfigException {
        boolean on = SystemProperties.booleanValue("rrmq.raft.lease", false);
        int margin = SystemProperties.intValue("rrmq.raft.lease.margin", RaftConfig.DEFAULT_LEASE_MARGIN_TICKS, 1);
        return new ReadSettings(on, margin);
    }

    /**
     * {@code config} with these settings.
     *
     * @throws ConfigException if the margin is not below the election timeout
     */
    public RaftConfig applyTo(RaftConfig config) throws ConfigException {
        if (leaseMarginTicks >= config.electionTicks()) {
            throw new ConfigException("rrmq.raft.lease.margin must be below the election timeout of "
                    + config.electionTicks() + " ticks, got " + leaseMarginTicks);
        }
        return config.withLeaseReads(leaseReads, leaseMarginTicks);
    }
}

package io.rrmq.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.rrmq.raft.RaftObserver;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds raft-lib's {@link RaftObserver} calls to the Prometheus registry: fsync time, AppendEntries
 * batch sizes, commit latency (propose to applied), leader changes; and keeps what gauges and the
 * dashboard read: each follower's acknowledged index and last contact (while leading), the time of
 * the loop's last tick (for {@code /livez}), and the topic sampler.
 *
 * <p>Called on the Raft node's threads (see {@link RaftObserver}); every method is lock-free and
 * allocation-free but for the first sight of a peer.
 */
final class RaftBinding implements RaftObserver {
    private static final Logger log = LoggerFactory.getLogger(RaftBinding.class);
    static final double[] FSYNC_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
    };
    static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

    /** What the leader last heard from one follower. */
    static final class PeerProgress {
        volatile long matchIndex;
        volatile long lastContactNanos;
    }

    private final Histogram fsync;
    private final Histogram batch;
    private final Histogram commit;
    private final CounterDataPoint leaderChanges;
    private final Map<Integer, PeerProgress> peers = new ConcurrentHashMap<>();
    private volatile long lastTickNanos;
    private volatile TopicSampler sampler;
    /** Loop thread only: the last leader seen, to count changes. */
    private int lastLeader = RaftStatus.NO_LEADER;

    RaftBinding(PrometheusRegistry registry) {
        fsync = Histogram.builder().withoutExemplars().name("rrmq_raft_fsync_seconds")
                .help("Time of one storage sync (group commit: one sync makes a batch durable)")
                .classicUpperBounds(FSYNC_BUCKETS).classicOnly().register(registry);
        batch = Histogram.builder().withoutExemplars().name("rrmq_raft_append_entries_batch_entries")
                .help("Entries per AppendEntries sent (heartbeats without entries not counted)")
                .classicUpperBounds(BATCH_BUCKETS).classicOnly().register(registry);
        commit = Histogram.builder().withoutExemplars().name("rrmq_raft_commit_seconds")
                .help("Time from a proposal to its entry applied on this node (leader only)")
                .classicUpperBounds(HttpMetrics.LATENCY_BUCKETS).classicOnly().register(registry);
        leaderChanges = Counter.builder().withoutExemplars().name("rrmq_raft_leader_changes_total")
                .help("Times this node saw a new leader").register(registry);
    }

    void attach(TopicSampler topicSampler) {
        this.sampler = topicSampler;
    }

    @Override
    public void synced(long nanos, int entries) {
        fsync.observe(nanos / 1e9);
    }

    @Override
    public void appendEntriesSent(int peer, int entries) {
        batch.observe(entries);
    }

    @Override
    public void appendEntriesAcknowledged(int peer, long matchIndex) {
        PeerProgress p = peers.computeIfAbsent(peer, id -> new PeerProgress());
        p.matchIndex = matchIndex;
        p.lastContactNanos = System.nanoTime();
    }

    @Override
    public void proposalApplied(long nanos) {
        commit.observe(nanos / 1e9);
    }

    @Override
    public void statusChanged(RaftStatus before, RaftStatus after) {
        if (after.leaderId() != RaftStatus.NO_LEADER && after.leaderId() != lastLeader) {
            lastLeader = after.leaderId();
            leaderChanges.inc();
        }
        if (after.role() == Role.LEADER && before.role() != Role.LEADER) {
            peers.clear(); // a new leadership: what an older one heard says nothing now
        }
    }

    @Override
    public void snapshotSaved(long index, long nanos) {
        log.debug("snapshot {} saved in {} ms", index, nanos / 1_000_000);
    }

    @Override
    public void ticked(RaftStatus status) {
        long now = System.nanoTime();
        lastTickNanos = now;
        TopicSampler s = sampler;
        if (s != null) {
            s.maybeSample(status.lastApplied(), now);
        }
    }

    /** {@link System#nanoTime()} of the loop's last tick, or 0 before the first. */
    long lastTickNanos() {
        return lastTickNanos;
    }

    /** The followers this node heard from while leading, by id. */
    Map<Integer, PeerProgress> peers() {
        return peers;
    }
}

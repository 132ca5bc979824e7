package io.rrmq.cli.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.rrmq.prometheus.PrometheusText;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsSummaryTest {
    private static final String SCRAPE = """
            # HELP rrmq_raft_term Current Raft term
            # TYPE rrmq_raft_term gauge
            rrmq_raft_term 7.0
            # TYPE rrmq_raft_role gauge
            rrmq_raft_role{role="Leader"} 1.0
            rrmq_raft_role{role="Follower"} 0.0
            # TYPE rrmq_raft_commit_index gauge
            rrmq_raft_commit_index 120.0
            # TYPE rrmq_raft_applied_index gauge
            rrmq_raft_applied_index 119.0
            # TYPE rrmq_raft_follower_lag_entries gauge
            rrmq_raft_follower_lag_entries{peer="1"} 0.0
            rrmq_raft_follower_lag_entries{peer="2"} 3.0
            # TYPE rrmq_topics gauge
            rrmq_topics 4.0
            # TYPE rrmq_messages_queued gauge
            rrmq_messages_queued 1234.0
            # TYPE rrmq_messages_put_total counter
            rrmq_messages_put_total 2000.0
            # TYPE rrmq_raft_fsync_seconds histogram
            rrmq_raft_fsync_seconds_bucket{le="0.001"} 50
            rrmq_raft_fsync_seconds_bucket{le="0.002"} 90
            rrmq_raft_fsync_seconds_bucket{le="0.01"} 100
            rrmq_raft_fsync_seconds_bucket{le="+Inf"} 100
            rrmq_raft_fsync_seconds_count 100
            rrmq_raft_fsync_seconds_sum 0.1
            # TYPE rrmq_http_request_seconds histogram
            rrmq_http_request_seconds_bucket{route="/raft",le="0.001"} 0
            rrmq_http_request_seconds_bucket{route="/raft",le="1.0"} 0
            rrmq_http_request_seconds_bucket{route="/raft",le="+Inf"} 1000
            rrmq_http_request_seconds_count{route="/raft"} 1000
            rrmq_http_request_seconds_sum{route="/raft"} 9000
            rrmq_http_request_seconds_bucket{route="/message",le="0.001"} 99
            rrmq_http_request_seconds_bucket{route="/message",le="1.0"} 100
            rrmq_http_request_seconds_bucket{route="/message",le="+Inf"} 100
            rrmq_http_request_seconds_count{route="/message"} 100
            rrmq_http_request_seconds_sum{route="/message"} 0.5
            """;

    @Test
    void summarisesTheFamiliesAnOperatorLooksAtFirst() {
        MetricsSummary s = MetricsSummary.of(PrometheusText.parse(SCRAPE));

        assertThat(s.role()).isEqualTo("Leader");
        assertThat(s.term()).isEqualTo(7.0);
        assertThat(s.commitIndex()).isEqualTo(120.0);
        assertThat(s.appliedIndex()).isEqualTo(119.0);
        assertThat(s.followerLag()).isEqualTo(Map.of("1", 0.0, "2", 3.0));
        assertThat(s.topics()).isEqualTo(4.0);
        assertThat(s.messagesQueued()).isEqualTo(1234.0);
        assertThat(s.putTotal()).isEqualTo(2000.0);
        assertThat(s.popTotal()).as("not exported: unknown, not zero").isNull();
        // rank 50 of 100 is the top of the first bucket; rank 99 is 9/10 into (0.002, 0.01]
        assertThat(s.fsyncP50()).isCloseTo(0.001, within(1e-12));
        assertThat(s.fsyncP99()).isCloseTo(0.0092, within(1e-12));
        // the peers' /raft requests (all slow here) are left out of the client p99
        assertThat(s.httpP99()).isCloseTo(0.001, within(1e-12));
    }

    @Test
    void quantilesFollowPrometheusHistogramQuantile() {
        List<MetricsSummary.Bucket> buckets = List.of(new MetricsSummary.Bucket(1, 10), new MetricsSummary.Bucket(2, 20),
                new MetricsSummary.Bucket(Double.POSITIVE_INFINITY, 40));
        assertThat(MetricsSummary.quantile(0.25, buckets)).isEqualTo(1.0);
        assertThat(MetricsSummary.quantile(0.125, buckets)).isEqualTo(0.5);
        assertThat(MetricsSummary.quantile(0.99, buckets)).as("in +Inf: the largest finite bound").isEqualTo(2.0);
        assertThat(MetricsSummary.quantile(0.5, List.of(new MetricsSummary.Bucket(1, 0),
                new MetricsSummary.Bucket(Double.POSITIVE_INFINITY, 0)))).as("no observation").isNull();
        assertThat(MetricsSummary.quantile(0.5, List.of())).isNull();
    }
}

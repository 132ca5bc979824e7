package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.prometheus.PrometheusText;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operators' endpoints of real node processes: {@code /metrics} parsed strictly after real puts
 * and pops, the Raft metrics the engine reports, {@code /readyz} on a follower cut off from its
 * leader (SIGSTOP) and back, and the dashboard's cluster view gathered from the peers.
 */
class OperationsIT {
    private static final Duration START = Duration.ofSeconds(15);

    @TempDir
    Path work;

    private ClusterProcesses cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Map<String, PrometheusText.Family> scrape(ApiClient api) throws Exception {
        HttpResponse<String> r = api.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(r.body());
    }

    private static double value(Map<String, PrometheusText.Family> families, String family, String sample,
                                Map<String, String> labels) {
        List<PrometheusText.Sample> samples = families.get(family).samples(sample, labels);
        assertThat(samples).as(sample + labels).hasSize(1);
        return samples.get(0).value();
    }

    @Test
    void metricsMoveWithPutsAndPopsAndReadyzFollowsTheLeader() throws Exception {
        cluster = ClusterProcesses.create(3, work, "OperationsIT");
        cluster.startAll().awaitAllHttp(START);
        NodeProcess leader = cluster.awaitLeader(START);
        ApiClient api = new ApiClient(leader.url());
        for (NodeProcess n : cluster.nodes()) {
            ApiClient nodeApi = new ApiClient(n.url());
            await().atMost(START).until(() -> nodeApi.get("/readyz").statusCode() == 200);
            assertThat(nodeApi.get("/livez").statusCode()).isEqualTo(200);
        }

        Map<String, PrometheusText.Family> before = scrape(api);
        assertThat(api.createTopic("orders").statusCode()).isEqualTo(200);
        int puts = 40;
        int pops = 15;
        for (int i = 0; i < puts; i++) {
            assertThat(api.putMessage("orders", "m" + i).statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < pops; i++) {
            assertThat(api.popMessage("orders").statusCode()).isEqualTo(200);
        }
        await().atMost(START).untilAsserted(() -> {
            Map<String, PrometheusText.Family> after = scrape(api);
            assertThat(value(after, "rrmq_messages_put_total", "rrmq_messages_put_total", Map.of())).isEqualTo(puts);
            assertThat(value(after, "rrmq_messages_popped_total", "rrmq_messages_popped_total", Map.of()))
                    .isEqualTo(pops);
            assertThat(value(after, "rrmq_messages_queued", "rrmq_messages_queued", Map.of())).isEqualTo(puts - pops);
            assertThat(value(after, "rrmq_topic_messages_queued", "rrmq_topic_messages_queued",
                    Map.of("topic", "orders"))).isEqualTo(puts - pops);
            double proposals = puts + pops + 1;
            assertThat(value(after, "rrmq_raft_commit_seconds", "rrmq_raft_commit_seconds_count", Map.of())
                    - value(before, "rrmq_raft_commit_seconds", "rrmq_raft_commit_seconds_count", Map.of()))
                    .isEqualTo(proposals);
            assertThat(value(after, "rrmq_raft_fsync_seconds", "rrmq_raft_fsync_seconds_count", Map.of()))
                    .isGreaterThan(value(before, "rrmq_raft_fsync_seconds", "rrmq_raft_fsync_seconds_count", Map.of()));
            assertThat(value(after, "rrmq_raft_append_entries_batch_entries",
                    "rrmq_raft_append_entries_batch_entries_sum", Map.of())).isGreaterThanOrEqualTo(2 * proposals);
            assertThat(value(after, "rrmq_raft_role", "rrmq_raft_role", Map.of("role", "Leader"))).isEqualTo(1);
            assertThat(after.get("rrmq_raft_follower_lag_entries").samples()).hasSize(2)
                    .allSatisfy(s -> assertThat(s.value()).isZero());
            assertThat(value(after, "rrmq_raft_pending_proposals", "rrmq_raft_pending_proposals", Map.of())).isZero();
        });
        NodeProcess follower = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        ApiClient followerApi = new ApiClient(follower.url());
        await().atMost(START).untilAsserted(() -> assertThat(value(scrape(followerApi), "rrmq_topic_messages_queued",
                "rrmq_topic_messages_queued", Map.of("topic", "orders"))).as("a follower's replica").isEqualTo(puts - pops));

        HttpResponse<String> view = followerApi.get("/ui/cluster.json");
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.body()).contains("\"role\":\"Leader\"").doesNotContain("\"error\"")
                .contains("{\"name\":\"orders\",\"depth\":" + (puts - pops) + ",\"oldestAgeSeconds\":");

        // The oldest message's age grows while nothing is popped, and drops once the old ones are gone.
        Map<String, String> orders = Map.of("topic", "orders");
        String age = "rrmq_topic_oldest_message_age_seconds";
        double first = value(scrape(api), age, age, orders);
        await().atMost(START).until(() -> value(scrape(api), age, age, orders) >= first + 1.0);
        double grown = value(scrape(api), age, age, orders);
        for (int i = pops; i < puts; i++) {
            assertThat(api.popMessage("orders").statusCode()).isEqualTo(200);
        }
        await().atMost(START).untilAsserted(() -> assertThat(value(scrape(api), age, age, orders))
                .as("an empty topic has no oldest message").isZero());
        assertThat(api.putMessage("orders", "new").statusCode()).isEqualTo(200);
        await().atMost(START).untilAsserted(() -> assertThat(value(scrape(api), age, age, orders))
                .as("only a new message is left").isGreaterThan(0).isLessThan(grown));

        // Cut the follower off: its leader and the other follower stop (no quorum, no new leader).
        NodeProcess other = cluster.nodes().stream().filter(n -> n != leader && n != follower).findFirst().orElseThrow();
        leader.pause();
        other.pause();
        try {
            await().atMost(START).until(() -> followerApi.get("/readyz").statusCode() == 503);
            assertThat(followerApi.get("/readyz").body()).contains("no leader known");
            assertThat(followerApi.get("/livez").statusCode()).as("alive all the same").isEqualTo(200);
            HttpResponse<String> partial = followerApi.get("/ui/cluster.json");
            assertThat(partial.statusCode()).isEqualTo(200);
            assertThat(partial.body()).contains("\"error\":\"unreachable\"");
        } finally {
            leader.resume();
            other.resume();
        }
        await().atMost(START).until(() -> followerApi.get("/readyz").statusCode() == 200);
    }
}

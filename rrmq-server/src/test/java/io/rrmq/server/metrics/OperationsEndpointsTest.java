package io.rrmq.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.QueueBound;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.prometheus.PrometheusText;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.http.ApiHandler;
import io.rrmq.server.http.HealthHandler;
import io.rrmq.server.http.HttpServer;
import io.rrmq.server.http.OperationsRouter;
import io.rrmq.server.http.TokenGate;
import io.rrmq.server.security.ClientTokens;
import io.rrmq.server.testing.FakeRaftNode;
import io.rrmq.server.testing.RawHttp;
import io.rrmq.server.ui.UiHandler;
import io.undertow.server.HttpHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics}, {@code /livez}, {@code /readyz} and the dashboard's JSON in front of the real API
 * handler, over real HTTP, with a fake Raft node and a real state machine for the topics.
 */
class OperationsEndpointsTest {
    private static final String CLIENT = "client-token-012345678";
    private static final ClusterConfig CLUSTER = new ClusterConfig(List.of(new ClusterConfig.Member(0, "127.0.0.1", 0)));
    /** Every family SPEC.md's "Operations" names, as exposed (counters with their _total). */
    static final List<String> SPEC_FAMILIES = List.of("rrmq_raft_term", "rrmq_raft_role", "rrmq_raft_commit_index",
            "rrmq_raft_applied_index", "rrmq_raft_leader_changes_total", "rrmq_raft_fsync_seconds",
            "rrmq_raft_follower_lag_entries", "rrmq_raft_pending_proposals", "rrmq_http_requests_total",
            "rrmq_http_request_seconds", "rrmq_topics", "rrmq_messages_queued", "rrmq_messages_put_total",
            "rrmq_messages_popped_total", "rrmq_snapshots_total", "rrmq_disk_free_bytes");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeRaftNode fake;
    private NodeMetrics metrics;
    private HttpServer server;

    private void start(boolean tokens) throws Exception {
        fake = new FakeRaftNode(0);
        metrics = new NodeMetrics(0, () -> fake, 100);
        HealthHandler health = new HealthHandler(() -> fake, metrics::sinceLastTickNanos);
        HttpHandler handler = new OperationsRouter(metrics, health,
                new UiHandler(new io.rrmq.server.membership.PeerDirectory(java.util.Optional.of(CLUSTER)), () -> 0, () -> fake, metrics, health, null),
                new ApiHandler(CLUSTER, 0, () -> fake, () -> new QueueBound(1 << 20, () -> 0),
                        ServerSettings.defaults(), null));
        if (tokens) {
            handler = new TokenGate(ClientTokens.load(Files.writeString(dir.resolve("tokens"), CLIENT + " client\n")),
                    handler);
        }
        server = HttpServer.start("127.0.0.1", 0, ServerSettings.defaults(), metrics.instrument(handler));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (fake != null) {
            fake.close();
        }
    }

    private HttpResponse<String> send(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private Map<String, PrometheusText.Family> scrape() throws Exception {
        HttpResponse<String> response = send("GET", "/metrics", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(NodeMetrics.CONTENT_TYPE);
        return PrometheusText.parse(response.body());
    }

    private static double value(Map<String, PrometheusText.Family> families, String family, String sample,
                                Map<String, String> labels) {
        List<PrometheusText.Sample> samples = families.get(family).samples(sample, labels);
        assertThat(samples).as(sample + labels).hasSize(1);
        return samples.get(0).value();
    }

    private void tick(long applied) {
        metrics.raftObserver().ticked(new RaftStatus(0, Role.LEADER, 3, 0, applied, applied, applied,
                io.rrmq.raft.Configuration.ofVoters(java.util.List.of(0, 1, 2))));
    }

    @Test
    void metricsAreWellFormedAndCoverTheSpec() throws Exception {
        start(false);
        metrics.attach(new TopicStateMachine(), dir);
        metrics.raftObserver().synced(2_000_000, 5);
        metrics.raftObserver().appendEntriesAcknowledged(1, 0);
        metrics.countInlineReplies(() -> 7, () -> 2);
        assertThat(send("GET", "/", null, null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).until(() -> scrape().containsKey("rrmq_http_requests_total"));
        Map<String, PrometheusText.Family> families = scrape();

        assertThat(families.keySet()).containsAll(SPEC_FAMILIES);
        assertThat(families.keySet()).anyMatch(n -> n.startsWith("jvm_memory"));
        assertThat(families.keySet()).anyMatch(n -> n.startsWith("jvm_gc"));
        assertThat(families.keySet()).anyMatch(n -> n.startsWith("process_"));
        assertThat(families.get("rrmq_raft_fsync_seconds").type()).isEqualTo("histogram");
        assertThat(families.get("rrmq_http_request_seconds").type()).isEqualTo("histogram");
        assertThat(value(families, "rrmq_raft_fsync_seconds", "rrmq_raft_fsync_seconds_count", Map.of())).isEqualTo(1);
        assertThat(value(families, "rrmq_raft_role", "rrmq_raft_role", Map.of("role", "Leader"))).isEqualTo(1);
        assertThat(value(families, "rrmq_raft_role", "rrmq_raft_role", Map.of("role", "Follower"))).isZero();
        assertThat(value(families, "rrmq_raft_term", "rrmq_raft_term", Map.of())).isEqualTo(3);
        assertThat(value(families, "rrmq_raft_inline_replies_total", "rrmq_raft_inline_replies_total",
                Map.of("outcome", "answered"))).isEqualTo(7);
        assertThat(value(families, "rrmq_raft_inline_replies_total", "rrmq_raft_inline_replies_total",
                Map.of("outcome", "expired"))).isEqualTo(2);
        assertThat(value(families, "rrmq_raft_follower_lag_entries", "rrmq_raft_follower_lag_entries",
                Map.of("peer", "1"))).isZero();
        for (PrometheusText.Family f : families.values()) {
            assertThat(f.help()).as(f.name() + " has help").isNotBlank();
        }
    }

    @Test
    void putsAndPopsMoveTheirCounters() throws Exception {
        start(false);
        assertThat(send("PUT", "/topic", "{\"topic\": \"t\"}", null).statusCode()).isEqualTo(200);
        for (int i = 0; i < 7; i++) {
            assertThat(send("PUT", "/message", "{\"topic\": \"t\", \"message\": \"m" + i + "\"}", null).statusCode())
                    .isEqualTo(200);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(send("GET", "/message/t", null, null).statusCode()).isEqualTo(200);
        }
        assertThat(send("GET", "/message/nope", null, null).statusCode()).isEqualTo(404);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Map<String, PrometheusText.Family> families = scrape();
            assertThat(value(families, "rrmq_messages_put_total", "rrmq_messages_put_total", Map.of())).isEqualTo(7);
            assertThat(value(families, "rrmq_messages_popped_total", "rrmq_messages_popped_total", Map.of()))
                    .isEqualTo(3);
            assertThat(value(families, "rrmq_http_requests_total", "rrmq_http_requests_total",
                    Map.of("route", "/message", "code", "200"))).isEqualTo(7);
            assertThat(value(families, "rrmq_http_requests_total", "rrmq_http_requests_total",
                    Map.of("route", "/message/{topic}", "code", "404"))).isEqualTo(1);
            assertThat(value(families, "rrmq_http_request_seconds", "rrmq_http_request_seconds_count",
                    Map.of("route", "/message/{topic}"))).isEqualTo(4);
        });
    }

    @Test
    void perTopicSeriesStopAtTheCapWhateverTheNumberOfTopics() throws Exception {
        start(false);
        TopicStateMachine machine = new TopicStateMachine();
        metrics.attach(machine, dir);
        long index = 0;
        for (int t = 0; t < 5000; t++) {
            machine.apply(++index, MqCodec.encodeCommand(new MqCommand.CreateTopic("topic-" + t + "\"\\\n")));
        }
        for (int m = 0; m < 30; m++) {
            machine.apply(++index, MqCodec.encodeCommand(new MqCommand.PutMessage("topic-" + (m % 3) + "\"\\\n", "x")));
        }
        tick(index);

        Map<String, PrometheusText.Family> families = scrape();
        assertThat(families.get("rrmq_topic_messages_queued").samples()).hasSize(100);
        assertThat(value(families, "rrmq_topic_messages_queued", "rrmq_topic_messages_queued",
                Map.of("topic", "topic-1\"\\\n"))).as("label values escaped and read back").isEqualTo(10);
        assertThat(value(families, "rrmq_topics", "rrmq_topics", Map.of())).isEqualTo(5000);
        assertThat(value(families, "rrmq_messages_queued", "rrmq_messages_queued", Map.of())).isEqualTo(30);
        long series = families.values().stream().mapToLong(f -> f.samples().size()).sum();
        assertThat(series).as("no label explosion").isLessThan(1500);

        HttpResponse<String> view = send("GET", "/ui/node.json?topics=2&q=TOPIC-2", null, null);
        assertThat(view.statusCode()).isEqualTo(200);
        assertThat(view.body()).contains("\"matching\":" + (1 + 10 + 100 + 1000))
                .contains("\"name\":\"topic-2\\\"\\\\\\n\",\"depth\":10");
    }

    @Test
    void livezFollowsTheLoopsTicksAndReadyzTheKnownLeader() throws Exception {
        start(false);
        HttpResponse<String> notTicked = send("GET", "/livez", null, null);
        assertThat(notTicked.statusCode()).isEqualTo(503);
        assertThat(notTicked.body()).contains("\"status\":\"unavailable\"");
        tick(0);
        assertThat(send("GET", "/livez", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/readyz", null, null).body()).isEqualTo("{\"status\":\"ok\"}");

        fake.mode(FakeRaftNode.Mode.NO_LEADER);
        HttpResponse<String> noLeader = send("GET", "/readyz", null, null);
        assertThat(noLeader.statusCode()).isEqualTo(503);
        assertThat(noLeader.body()).contains("no leader known");
        assertThat(send("GET", "/livez", null, null).statusCode()).isEqualTo(200);
    }

    @Test
    void badInputGetsA4xxJsonReply() throws Exception {
        start(false);
        String[][] cases = {
            {"POST", "/metrics", "405"}, {"DELETE", "/livez", "405"}, {"PUT", "/ui", "405"},
            {"GET", "/ui/nothing-here", "404"}, {"GET", "/ui/node.json?topics=x", "400"},
            {"GET", "/ui/node.json?topics=201", "400"}, {"GET", "/ui/cluster.json?q=%25zz%zz", "400"},
            {"GET", "/ui/node.json?topics=1&topics=2", "400"},
        };
        for (String[] c : cases) {
            RawHttp.Response r = RawHttp.send(server.port(), c[0] + " " + c[1] + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0",
                    new byte[0]);
            assertThat(r.status()).as(c[0] + " " + c[1]).isEqualTo(Integer.parseInt(c[2]));
            assertThat(r.header("Content-Type")).as(c[1]).isEqualTo("application/json");
            assertThat(r.body()).as(c[1]).startsWith("{\"success\":false,\"error\":");
        }
    }

    @Test
    void metricsAndDashboardFollowTheTokenRulesProbesDoNot() throws Exception {
        start(true);
        assertThat(send("GET", "/metrics", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/ui", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/ui/cluster.json", null, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/metrics", null, CLIENT).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/ui", null, CLIENT).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/livez", null, null).statusCode()).isIn(200, 503);
        assertThat(send("GET", "/readyz", null, null).statusCode()).isIn(200, 503);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(value(scrapeWith(CLIENT),
                "rrmq_http_requests_total", "rrmq_http_requests_total", Map.of("route", "/ui", "code", "401")))
                .isEqualTo(2));
    }

    private Map<String, PrometheusText.Family> scrapeWith(String token) throws Exception {
        return PrometheusText.parse(send("GET", "/metrics", null, token).body());
    }

    @Test
    void dashboardIsServedFromTheJarWithAPolicyThatForbidsOtherOrigins() throws Exception {
        start(false);
        HttpResponse<String> page = send("GET", "/ui", null, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                csp -> assertThat(csp).contains("default-src 'self'"));
        assertThat(page.body()).contains("/ui/app.js").doesNotContain("http://", "https://");
        assertThat(send("GET", "/ui/app.js", null, null).body()).contains("/ui/cluster.json");
        HttpResponse<String> cluster = send("GET", "/ui/cluster.json", null, null);
        assertThat(cluster.statusCode()).isEqualTo(200);
        assertThat(cluster.body()).startsWith("{\"self\":0,\"nodes\":[{\"id\":0,").contains("\"history\":{");
    }
}

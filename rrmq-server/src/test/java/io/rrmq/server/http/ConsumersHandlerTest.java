package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.mq.QueueBound;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.RaftNode;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.testing.FakeRaftNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consumer endpoints over real HTTP, against a real Undertow and a fake Raft node. */
class ConsumersHandlerTest {
    private static final ClusterConfig CLUSTER = new ClusterConfig(List.of(
            new ClusterConfig.Member(0, "127.0.0.1", 0),
            new ClusterConfig.Member(1, "127.0.0.1", 9001),
            new ClusterConfig.Member(2, "127.0.0.1", 9002)));
    private static final long QUEUE_BOUND = 10_000;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicReference<RaftNode> node = new AtomicReference<>();
    private final AtomicLong queued = new AtomicLong();
    private FakeRaftNode fake;
    private Consumers consumers;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeRaftNode(0);
        node.set(fake);
        ServerSettings settings = ServerSettings.defaults().withProposalTimeout(Duration.ofMillis(500));
        consumers = new Consumers(node::get, settings);
        server = HttpServer.start("127.0.0.1", 0, settings, new ApiHandler(CLUSTER, 0, node::get,
                () -> new QueueBound(QUEUE_BOUND, queued::get), settings, null, consumers));
        consumers.attach(fake.stateMachine());
        assertThat(send("PUT", "/topic", "{\"topic\":\"t\"}", null).statusCode()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        consumers.close();
        server.close();
        fake.close();
    }

    private HttpRequest request(String method, String path, String body, String requestId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (requestId != null) {
            b.header(Reply.REQUEST_ID_HEADER, requestId);
        }
        return b.build();
    }

    private HttpResponse<String> send(String method, String path, String body, String requestId) throws Exception {
        return client.send(request(method, path, body, requestId), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body, String requestId) {
        return client.sendAsync(request(method, path, body, requestId), HttpResponse.BodyHandlers.ofString());
    }

    /** Starts a long poll and returns once the server holds it. */
    private CompletableFuture<HttpResponse<String>> hold(String path, String body, int heldBefore) {
        CompletableFuture<HttpResponse<String>> waiter = sendAsync(body == null ? "GET" : "POST", path, body, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> consumers.heldCount() == heldBefore + 1);
        return waiter;
    }

    @Test
    void waitersOfATopicAreServedInArrivalOrder() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(hold("/message/t?wait=5", null, i));
        }
        assertThat(send("PUT", "/messages", "{\"topic\":\"t\",\"messages\":[\"m0\",\"m1\",\"m2\"]}", null).body())
                .isEqualTo("{\"success\":true,\"count\":3}");
        for (int i = 0; i < 3; i++) {
            assertThat(waiters.get(i).get(5, TimeUnit.SECONDS).body()).isEqualTo("{\"success\":true,\"message\":\"m" + i + "\"}");
        }
        assertThat(consumers.heldCount()).isZero();
    }

    @Test
    void aHeldReceiveIsAnsweredWhenMessagesArriveAndAnEmptyWaitEndsWithAnEmptyList() throws Exception {
        CompletableFuture<HttpResponse<String>> waiter = hold("/message/t/receive", "{\"max\":5,\"wait\":5}", 0);
        send("PUT", "/message", "{\"topic\":\"t\",\"message\":\"hello\"}", null);
        assertThat(waiter.get(5, TimeUnit.SECONDS).body()).matches(
                "\\{\"success\":true,\"messages\":\\[\\{\"message\":\"hello\",\"receipt\":\"[0-9a-f]{32}\",\"deliveries\":1}]}");
        long start = System.nanoTime();
        assertThat(send("POST", "/message/t/receive", "{\"wait\":0.2}", null).body())
                .isEqualTo("{\"success\":true,\"messages\":[]}");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    }

    @Test
    void waitersAreAnsweredAsByAFollowerOnceTheNodeNoLongerLeads() throws Exception {
        CompletableFuture<HttpResponse<String>> waiter = hold("/message/t?wait=10", null, 0);
        fake.followerOf(1);
        HttpResponse<String> r = waiter.get(5, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(421);
        assertThat(r.headers().firstValue(Reply.LEADER_HEADER)).hasValue(CLUSTER.member(1).url());
        assertThat(fake.messageCount()).isZero();
    }

    @Test
    void aRetriedLongPollWithItsRequestIdGetsTheMessageItsFirstAttemptPopped() throws Exception {
        send("PUT", "/message", "{\"topic\":\"t\",\"message\":\"once\"}", null);
        HttpResponse<String> first = send("GET", "/message/t?wait=1", null, "id-1");
        HttpResponse<String> retry = send("GET", "/message/t?wait=1", null, "id-1");
        assertThat(first.body()).isEqualTo("{\"success\":true,\"message\":\"once\"}");
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(retry.headers().firstValue(Reply.REPLAYED_HEADER)).hasValue("true");
    }

    @Test
    void aBatchOverTheQueueBoundIsRefusedWithoutBeingProposed() throws Exception {
        long before = fake.proposals();
        queued.set(QUEUE_BOUND - 2 * TopicStateMachine.footprint("xx") + 1);
        HttpResponse<String> r = send("PUT", "/messages", "{\"topic\":\"t\",\"messages\":[\"xx\",\"xx\"]}", null);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue(Reply.ERROR_HEADER)).hasValue("queue-full");
        assertThat(fake.proposals()).isEqualTo(before);
        queued.set(QUEUE_BOUND - 2 * TopicStateMachine.footprint("xx"));
        assertThat(send("PUT", "/messages", "{\"topic\":\"t\",\"messages\":[\"xx\",\"xx\"]}", null).statusCode()).isEqualTo(200);
    }

    @Test
    void expiredDeliveriesComeBackThroughTheLeadersClockEntry() throws Exception {
        send("PUT", "/message", "{\"topic\":\"t\",\"message\":\"m\"}", null);
        HttpResponse<String> first = send("POST", "/message/t/receive", "{\"visibility\":1}", null);
        assertThat(first.body()).contains("\"deliveries\":1");
        HttpResponse<String> again = send("POST", "/message/t/receive", "{\"wait\":5}", null);
        assertThat(again.body()).contains("\"message\":\"m\"").contains("\"deliveries\":2");
    }

    @Test
    void unknownPathsAndMethodsOfTheConsumerRoutes() throws Exception {
        assertThat(send("GET", "/messages", null, null).statusCode()).isEqualTo(405);
        assertThat(send("POST", "/topic/t/policy", "{}", null).statusCode()).isEqualTo(405);
        assertThat(send("POST", "/message/t/other", "{}", null).statusCode()).isEqualTo(405);
        assertThat(send("GET", "/message/t/receive", null, null).statusCode())
                .as("a GET pops the topic named t/receive").isEqualTo(404);
    }
}

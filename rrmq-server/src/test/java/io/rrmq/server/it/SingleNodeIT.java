package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.server.testing.RawHttp;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/** A one-node cluster as a real process: the whole API over HTTP, bad input, restarts. */
class SingleNodeIT {
    private static final Duration START = Duration.ofSeconds(10);

    @TempDir
    Path work;
    private ClusterProcesses cluster;
    private NodeProcess node;
    private ApiClient api;

    @BeforeEach
    void start(TestInfo test) throws Exception {
        cluster = ClusterProcesses.create(1, work, "SingleNodeIT-" + test.getTestMethod().orElseThrow().getName());
        node = cluster.node(0).start();
        node.awaitHttp(START);
        cluster.awaitLeader(START);
        api = new ApiClient(node.url());
    }

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void servesTheWholeApi() throws Exception {
        assertThat(api.topics().body()).isEqualTo("{\"success\":true,\"topics\":[]}");
        assertThat(api.createTopic("orders").statusCode()).isEqualTo(200);
        assertThat(api.createTopic("orders").statusCode()).isEqualTo(409);
        assertThat(api.createTopic("a/b c+d").statusCode()).isEqualTo(200);
        assertThat(api.createTopic("日本😀").statusCode()).isEqualTo(200);
        assertThat(api.topics().body()).isEqualTo(
                "{\"success\":true,\"topics\":[\"orders\",\"a/b c+d\",\"日本😀\"]}");

        for (String topic : List.of("orders", "a/b c+d", "日本😀")) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> put = api.putMessage(topic, topic + "#" + i);
                assertThat(put.statusCode()).isEqualTo(200);
                assertThat(put.body()).isEqualTo("{\"success\":true}");
            }
        }
        for (String topic : List.of("orders", "a/b c+d", "日本😀")) {
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> pop = api.popMessage(topic);
                assertThat(pop.statusCode()).isEqualTo(200);
                assertThat(pop.body()).isEqualTo("{\"success\":true,\"message\":" + ApiClient.quote(topic + "#" + i) + "}");
            }
            HttpResponse<String> empty = api.popMessage(topic);
            assertThat(empty.statusCode()).isEqualTo(404);
            assertThat(empty.body()).isEqualTo("{\"success\":false}");
        }
        assertThat(api.putMessage("missing", "m").statusCode()).isEqualTo(404);
        assertThat(api.popMessage("missing").headers().firstValue("X-RRMQ-Error")).hasValue("no-such-topic");

        String status = api.get("/status").body();
        assertThat(status).startsWith("{\"role\":\"Leader\",\"term\":").contains("\"leader\":\"" + node.url() + "\"");
        assertThat(api.get("/").statusCode()).isEqualTo(200);
    }

    @Test
    void badInputGetsAJson4xxAndChangesNothing() throws Exception {
        api.createTopic("t");
        api.putMessage("t", "first");
        api.putMessage("t", "second");
        String topicsBefore = api.topics().body();
        int port = node.port();

        List<String> badTopicBodies = List.of("", "{", "[]", "\"t\"", "{\"topic\": 1}", "{\"topic\": \"\"}",
                "{\"topic\": null}", "{}", "{\"topic\": \"x\"} trailing", "{\"topic\": \"x\", \"topic\": \"y\"}",
                "{\"topic\": \"x\", \"other\": true}");
        for (String body : badTopicBodies) {
            HttpResponse<String> r = api.putJson("/topic", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.body()).as(body).startsWith("{\"success\":false,\"error\":\"");
        }
        List<String> badMessageBodies = List.of("{\"topic\": \"t\"}", "{\"topic\": \"t\", \"message\": 5}",
                "{\"message\": \"m\"}", "{\"topic\": \"t\", \"message\": {}}");
        for (String body : badMessageBodies) {
            assertThat(api.putJson("/message", body).statusCode()).as(body).isEqualTo(400);
        }
        assertThat(api.send("PUT", "/topic", "{\"topic\": \"x\"}", "application/xml").statusCode()).isEqualTo(415);
        assertThat(api.send("PUT", "/message", "{\"topic\": \"t\", \"message\": \"m\"}", "application/xml").statusCode())
                .isEqualTo(415);

        String huge = "{\"topic\": \"t\", \"message\": \"" + "x".repeat((1 << 20) + 10) + "\"}";
        HttpResponse<String> tooLarge = api.putJson("/message", huge);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).startsWith("{\"success\":false,\"error\":");
        RawHttp.Response chunked = RawHttp.send(port,
                "PUT /message HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
                RawHttp.chunked(300, 4096));
        assertThat(chunked.status()).isEqualTo(413);

        byte[] invalidUtf8 = {'{', '"', 't', 'o', 'p', 'i', 'c', '"', ':', '"', (byte) 0xFF, '"', '}'};
        assertThat(RawHttp.send(port, "PUT /topic HTTP/1.1\r\nHost: x\r\nContent-Length: " + invalidUtf8.length,
                invalidUtf8).status()).isEqualTo(400);

        HttpResponse<String> unknown = api.get("/topics");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("{\"success\":false,\"error\":");
        HttpResponse<String> wrongMethod = api.send("DELETE", "/message/t", null, null);
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
        assertThat(wrongMethod.body()).startsWith("{\"success\":false,\"error\":");
        assertThat(api.send("POST", "/topic", "{\"topic\": \"x\"}", "application/json").statusCode()).isEqualTo(405);
        for (String path : List.of("/message/%zz", "/message/%C3", "/message/")) {
            assertThat(RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: x", null).status()).as(path)
                    .isEqualTo(400);
        }

        // Still serving, and nothing changed.
        assertThat(node.isAlive()).isTrue();
        assertThat(api.topics().body()).isEqualTo(topicsBefore);
        assertThat(api.popMessage("t").body()).isEqualTo("{\"success\":true,\"message\":\"first\"}");
        assertThat(api.popMessage("t").body()).isEqualTo("{\"success\":true,\"message\":\"second\"}");
        assertThat(api.popMessage("t").statusCode()).isEqualTo(404);
        assertThat(node.log()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void sigtermAndRestartKeepTopicsAndMessages() throws Exception {
        api.createTopic("durable");
        api.createTopic("ünï/code");
        api.putMessage("durable", "m1");
        api.putMessage("durable", "m2");
        api.putMessage("ünï/code", "m3");
        assertThat(api.popMessage("durable").body()).contains("m1");

        int exit = node.terminate();
        assertThat(exit).isEqualTo(0);
        assertThat(node.log()).contains("stopped cleanly");

        node.start().awaitHttp(START);
        cluster.awaitLeader(START);
        assertThat(api.topics().body()).isEqualTo("{\"success\":true,\"topics\":[\"durable\",\"ünï/code\"]}");
        assertThat(api.popMessage("durable").body()).isEqualTo("{\"success\":true,\"message\":\"m2\"}");
        assertThat(api.popMessage("durable").statusCode()).isEqualTo(404);
        assertThat(api.popMessage("ünï/code").body()).isEqualTo("{\"success\":true,\"message\":\"m3\"}");
    }

    @Test
    void sigkillKeepsEveryAcknowledgedWrite() throws Exception {
        api.createTopic("k");
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            if (api.putMessage("k", "msg-" + i).statusCode() == 200) {
                acknowledged.add("msg-" + i);
            }
        }
        assertThat(acknowledged).hasSize(200);
        node.kill();

        node.start().awaitHttp(START);
        cluster.awaitLeader(START);
        List<String> popped = new ArrayList<>();
        while (true) {
            HttpResponse<String> r = api.popMessage("k");
            if (r.statusCode() != 200) {
                assertThat(r.statusCode()).isEqualTo(404);
                break;
            }
            popped.add(r.body().replace("{\"success\":true,\"message\":\"", "").replace("\"}", ""));
        }
        assertThat(popped).isEqualTo(acknowledged);
    }

    @Test
    void retriesWithARequestIdStayDeduplicatedAcrossSigkillAndRestart() throws Exception {
        api.createTopic("once");
        assertThat(api.putMessage("once", "a", "put-a").statusCode()).isEqualTo(200);
        api.putMessage("once", "b");
        HttpResponse<String> popped = api.popMessage("once", "pop-1");
        assertThat(popped.body()).isEqualTo("{\"success\":true,\"message\":\"a\"}");
        node.kill();

        node.start().awaitHttp(START);
        cluster.awaitLeader(START);
        HttpResponse<String> putRetry = api.putMessage("once", "a", "put-a");
        HttpResponse<String> popRetry = api.popMessage("once", "pop-1");

        assertThat(putRetry.statusCode()).isEqualTo(200);
        assertThat(putRetry.headers().firstValue("X-RRMQ-Replayed")).hasValue("true");
        assertThat(popRetry.body()).isEqualTo(popped.body());
        assertThat(popRetry.headers().firstValue("X-RRMQ-Replayed")).hasValue("true");
        assertThat(api.popMessage("once").body()).isEqualTo("{\"success\":true,\"message\":\"b\"}");
        assertThat(api.popMessage("once").statusCode()).as("\"a\" was neither stored twice nor popped twice")
                .isEqualTo(404);
    }

    @Test
    void producersOutrunningConsumersGet503QueueFullNotAnOutOfMemoryNode() throws Exception {
        // A node that admits 100 messages of 100 chars (-Drrmq.queue.bytes, 108 bytes each on disk).
        ClusterProcesses small = ClusterProcesses.create(1, work.resolve("small"), "SingleNodeIT-queue-full",
                List.of("-Xmx128m", "-Drrmq.queue.bytes=10800"));
        try {
            NodeProcess bounded = small.node(0).start();
            bounded.awaitHttp(START);
            small.awaitLeader(START);
            ApiClient client = new ApiClient(bounded.url());
            client.createTopic("flood");
            String payload = "p".repeat(100);
            int accepted = 0;
            HttpResponse<String> refused = null;
            for (int i = 0; i < 1000 && refused == null; i++) {
                HttpResponse<String> r = client.putMessage("flood", payload);
                if (r.statusCode() == 200) {
                    accepted++;
                } else {
                    refused = r;
                }
            }

            assertThat(accepted).isEqualTo(100);
            assertThat(refused).isNotNull();
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.body()).isEqualTo("{\"success\":false}");
            assertThat(refused.headers().firstValue("X-RRMQ-Error")).hasValue("queue-full");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(client.popMessage("flood").statusCode()).isEqualTo(200);
            assertThat(client.putMessage("flood", payload).statusCode()).as("room again after a pop").isEqualTo(200);
        } finally {
            small.close();
        }
    }

    @Test
    void aSecondProcessOnTheSameDataDirectoryRefusesToStart() throws Exception {
        ClusterProcesses other = ClusterProcesses.create(1, work.resolve("other"), "SingleNodeIT-second-process");
        try {
            NodeProcess intruder = new NodeProcess(0, other.node(0).port(), other.node(0).port(), other.configPath(), node.dataDir(),
                    other.node(0).logFile(), List.of("-XX:+UseSerialGC"));
            intruder.start();
            int exit = intruder.awaitExit(Duration.ofSeconds(15));
            assertThat(exit).isEqualTo(1);
            assertThat(intruder.log()).contains("cannot start node 0").contains("lock");
        } finally {
            other.close();
        }
        assertThat(api.createTopic("still-fine").statusCode()).isEqualTo(200);
    }

    @Test
    void keepAliveAndSequentialThroughput() throws Exception {
        api.createTopic("bench");
        int n = 300;
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            assertThat(api.putMessage("bench", "payload-" + i).statusCode()).isEqualTo(200);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.printf("single node, sequential PUT /message: %d in %d ms (%.2f ms each)%n", n,
                took.toMillis(), took.toNanos() / 1e6 / n);
        assertThat(new String(api.topics().body().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .contains("bench");
    }
}

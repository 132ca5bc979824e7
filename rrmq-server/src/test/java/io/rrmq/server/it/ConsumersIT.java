package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer endpoints on a real 3-node cluster of real JVMs (SPEC "Consumers"): batch puts, long
 * polls, at-least-once receive/ack/nack with visibility deadlines on the leader's stamped clock, dead
 * letters, bad input. One cluster for the class; the tests that kill or pause nodes run last and
 * bring them back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsumersIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Pattern DELIVERY = Pattern.compile(
            "\\{\"message\":\"([^\"]*)\",\"receipt\":\"([0-9a-f]{32})\",\"deliveries\":(\\d+)}");
    private static final Pattern MESSAGE = Pattern.compile("^\\{\"success\":true,\"message\":\"(.*)\"}$");

    private record Delivery(String message, String receipt, int deliveries) {
    }

    @TempDir
    static Path work;

    private ClusterProcesses cluster;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1)).build();

    @BeforeAll
    void start() throws IOException {
        cluster = ClusterProcesses.create(3, work, "ConsumersIT");
        cluster.startAll().awaitAllHttp(START);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private String leader() {
        return cluster.awaitLeader(START).url();
    }

    private HttpResponse<String> send(String base, String method, String path, String body, String requestId)
            throws IOException, InterruptedException {
        return http.send(request(base, method, path, body, requestId), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String base, String method, String path, String body,
                                                              String requestId) {
        return http.sendAsync(request(base, method, path, body, requestId), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(String base, String method, String path, String body, String requestId) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (requestId != null) {
            b.header("X-RRMQ-Request-Id", requestId);
        }
        return b.build();
    }

    private void createTopic(String topic) throws Exception {
        assertThat(send(leader(), "PUT", "/topic", "{\"topic\":\"" + topic + "\"}", null).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> putBatch(String base, String topic, List<String> messages) throws Exception {
        StringBuilder body = new StringBuilder("{\"topic\":\"" + topic + "\",\"messages\":[");
        for (int i = 0; i < messages.size(); i++) {
            body.append(i == 0 ? "" : ",").append('"').append(messages.get(i)).append('"');
        }
        return send(base, "PUT", "/messages", body.append("]}").toString(), UUID.randomUUID().toString());
    }

    private List<Delivery> receive(String base, String topic, String options) throws Exception {
        HttpResponse<String> r = send(base, "POST", "/message/" + topic + "/receive", options, UUID.randomUUID().toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return deliveries(r.body());
    }

    private static List<Delivery> deliveries(String body) {
        List<Delivery> out = new ArrayList<>();
        Matcher m = DELIVERY.matcher(body);
        while (m.find()) {
            out.add(new Delivery(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
        }
        return out;
    }

    private HttpResponse<String> endDeliveries(String base, String topic, String op, List<Delivery> deliveries)
            throws Exception {
        List<String> quoted = deliveries.stream().map(d -> "\"" + d.receipt() + "\"").toList();
        return send(base, "POST", "/message/" + topic + "/" + op, "{\"receipts\":[" + String.join(",", quoted) + "]}",
                UUID.randomUUID().toString());
    }

    private static List<String> messages(List<Delivery> deliveries) {
        return deliveries.stream().map(Delivery::message).toList();
    }

    private static List<String> range(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    /** Pops a topic empty through whichever node leads. */
    private List<String> drain(String topic) {
        return new RetryingApi(cluster).drain(topic);
    }

    // ---------------------------------------------------------------- tests

    @Test
    @Order(1)
    void badInputIsRefusedWith4xxAndChangesNothing() throws Exception {
        createTopic("bad");
        createTopic("other");
        String l = leader();
        assertThat(putBatch(l, "bad", List.of("a", "b")).statusCode()).isEqualTo(200);
        List<Delivery> held = receive(l, "bad", "{\"max\":1,\"visibility\":60}");
        assertThat(messages(held)).containsExactly("a");

        for (String options : List.of("{\"visibility\":0}", "{\"visibility\":43201}", "{\"max\":0}", "{\"max\":101}",
                "{\"max\":1.5}", "{\"wait\":21}", "{\"wait\":-1}", "{\"max\":\"1\"}", "{\"extra\":1}", "[]", "{")) {
            HttpResponse<String> r = send(l, "POST", "/message/bad/receive", options, null);
            assertThat(r.statusCode()).as(options).isEqualTo(400);
        }
        for (String wait : List.of("0", "21", "abc", "-1", "1&wait=2")) {
            assertThat(send(l, "GET", "/message/bad?wait=" + wait, null, null).statusCode()).as(wait).isEqualTo(400);
        }
        for (String receipts : List.of("{\"receipts\":[\"xyz\"]}", "{\"receipts\":[]}", "{\"receipts\":[1]}",
                "{\"receipts\":[\"" + "A".repeat(32) + "\"]}", "{}")) {
            assertThat(send(l, "POST", "/message/bad/ack", receipts, null).statusCode()).as(receipts).isEqualTo(400);
            assertThat(send(l, "POST", "/message/bad/nack", receipts, null).statusCode()).as(receipts).isEqualTo(400);
        }
        HttpResponse<String> unknown = send(l, "POST", "/message/bad/ack", "{\"receipts\":[\"" + "0".repeat(32) + "\"]}", null);
        assertThat(unknown.body()).isEqualTo("{\"success\":true,\"acked\":0}");
        HttpResponse<String> wrongTopic = endDeliveries(l, "other", "ack", held);
        assertThat(wrongTopic.body()).as("an ack for another topic").isEqualTo("{\"success\":true,\"acked\":0}");
        assertThat(endDeliveries(l, "missing", "ack", held).statusCode()).isEqualTo(404);

        assertThat(putBatch(l, "bad", range("m", 0, 1001)).statusCode()).as("1001 messages").isEqualTo(400);
        assertThat(putBatch(l, "bad", List.of()).statusCode()).isEqualTo(400);
        assertThat(putBatch(l, "missing", List.of("x")).statusCode()).isEqualTo(404);
        assertThat(send(l, "PUT", "/messages", "{\"topic\":\"bad\",\"messages\":[\"x\",2]}", null).statusCode()).isEqualTo(400);
        String huge = "{\"topic\":\"bad\",\"messages\":[\"" + "x".repeat(1 << 20) + "\"]}";
        assertThat(send(l, "PUT", "/messages", huge, null).statusCode()).isEqualTo(413);
        assertThat(send(l, "PUT", "/topic/bad/policy", "{\"maxDeliveries\":0,\"deadLetterTopic\":\"other\"}", null)
                .statusCode()).isEqualTo(400);
        assertThat(send(l, "PUT", "/topic/bad/policy", "{\"maxDeliveries\":2,\"deadLetterTopic\":\"bad\"}", null)
                .statusCode()).isEqualTo(400);
        assertThat(send(l, "PUT", "/topic/bad/policy", "{\"maxDeliveries\":2,\"deadLetterTopic\":\"missing\"}", null)
                .statusCode()).isEqualTo(404);
        assertThat(send(l, "GET", "/topic/bad/policy", null, null).statusCode()).isEqualTo(405);

        // Nothing changed: "a" is still in flight (nack finds it), "b" is the only visible message.
        assertThat(endDeliveries(l, "bad", "nack", held).body()).isEqualTo("{\"success\":true,\"nacked\":1}");
        assertThat(drain("bad")).containsExactly("a", "b");
        assertThat(drain("other")).isEmpty();
    }

    @Test
    @Order(2)
    void aConsumerKilledAfterReceivingHasItsMessagesRedeliveredToAnotherInOrderAndNoneAfterTheAck() throws Exception {
        createTopic("jobs");
        String l = leader();
        assertThat(putBatch(l, "jobs", range("job-", 0, 5)).body()).isEqualTo("{\"success\":true,\"count\":5}");
        String script = "import sys, urllib.request, time\n"
                + "r = urllib.request.Request(sys.argv[1] + '/message/jobs/receive', data=b'{\"max\":5,\"visibility\":2}',"
                + " method='POST', headers={'Content-Type': 'application/json'})\n"
                + "print(urllib.request.urlopen(r, timeout=10).read().decode(), flush=True)\n"
                + "time.sleep(600)\n";
        long before = System.currentTimeMillis();
        Process consumer = new ProcessBuilder("python3", "-c", script, l).redirectErrorStream(true).start();
        try {
            String received = new BufferedReader(new InputStreamReader(consumer.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            assertThat(messages(deliveries(received))).containsExactlyElementsOf(range("job-", 0, 5));
        } finally {
            consumer.destroyForcibly();
            consumer.waitFor(5, TimeUnit.SECONDS);
        }
        assertThat(receive(l, "jobs", "{\"max\":10}")).as("invisible while their visibility lasts").isEmpty();

        List<Delivery> again = await().atMost(START).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> receive(leader(), "jobs", "{\"max\":10,\"wait\":5,\"visibility\":30}"), d -> !d.isEmpty());
        long redeliveredAfter = System.currentTimeMillis() - before;
        assertThat(messages(again)).containsExactlyElementsOf(range("job-", 0, 5));
        assertThat(again).allSatisfy(d -> assertThat(d.deliveries()).isEqualTo(2));
        assertThat(redeliveredAfter).as("not before the visibility passed").isGreaterThanOrEqualTo(2000);
        assertThat(endDeliveries(leader(), "jobs", "ack", again).body()).isEqualTo("{\"success\":true,\"acked\":5}");
        assertThat(receive(leader(), "jobs", "{\"max\":10,\"wait\":3}")).as("acked: never again").isEmpty();
        System.out.printf("ConsumersIT: redelivered %d ms after the first receive (visibility 2000 ms)%n", redeliveredAfter);
    }

    @Test
    void anEmptyWaitEndsIn404AfterItsWaitAndAnEmptyReceiveWithAnEmptyList() throws Exception {
        createTopic("idle");
        String l = leader();
        long start = System.nanoTime();
        HttpResponse<String> empty = send(l, "GET", "/message/idle?wait=0.5", null, null);
        assertThat(empty.statusCode()).isEqualTo(404);
        assertThat(empty.headers().firstValue("X-RRMQ-Error")).hasValue("queue-empty");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        HttpResponse<String> emptyReceive = send(l, "POST", "/message/idle/receive", "{\"wait\":0.3}", null);
        assertThat(emptyReceive.body()).isEqualTo("{\"success\":true,\"messages\":[]}");
    }

    @Test
    @Order(3)
    void aLongPollAnswersSoonAfterAPutAndEachOfAHundredWaitersGetsExactlyOneMessage() throws Exception {
        createTopic("poll");
        String l = leader();
        CompletableFuture<HttpResponse<String>> waiting = sendAsync(l, "GET", "/message/poll?wait=10", null, "w-1");
        await().atMost(START).until(() -> cluster.commitIndex(cluster.awaitLeader(START)) > 0); // the waiter is in
        long putStart = System.nanoTime();
        assertThat(send(l, "PUT", "/message", "{\"topic\":\"poll\",\"message\":\"first\"}", null).statusCode()).isEqualTo(200);
        long putMicros = (System.nanoTime() - putStart) / 1000;
        HttpResponse<String> got = waiting.get(10, TimeUnit.SECONDS);
        long answeredMicros = (System.nanoTime() - putStart) / 1000;
        assertThat(got.body()).isEqualTo("{\"success\":true,\"message\":\"first\"}");
        System.out.printf("ConsumersIT: long poll answered %d us after the put started (the put took %d us)%n",
                answeredMicros, putMicros);
        assertThat(answeredMicros).as("within the put's commit latency + a margin").isLessThan(putMicros + 1_000_000);

        List<CompletableFuture<HttpResponse<String>>> waiters = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            waiters.add(sendAsync(l, "GET", "/message/poll?wait=15", null, "hundred-" + i));
        }
        assertThat(putBatch(l, "poll", range("h", 0, 100)).statusCode()).isEqualTo(200);
        Set<String> handedOut = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> w : waiters) {
            HttpResponse<String> r = w.get(20, TimeUnit.SECONDS);
            Matcher m = MESSAGE.matcher(r.body());
            assertThat(m.matches()).as(r.body()).isTrue();
            assertThat(handedOut.add(m.group(1))).as("handed out twice: " + m.group(1)).isTrue();
        }
        assertThat(handedOut).containsExactlyInAnyOrderElementsOf(range("h", 0, 100));
        assertThat(drain("poll")).isEmpty();
    }

    @Test
    @Order(4)
    void aWaiterThatDisconnectsPopsNothingAndAnEmptyWaitEndsIn404() throws Exception {
        createTopic("gone");
        String l = leader();
        URI uri = URI.create(l);
        for (int i = 0; i < 20; i++) {
            // The client is gone before the put is sent: no message may be popped for it, whichever
            // of its FIN and the put the server handles first. The queue is empty when it asks, so
            // its request waits (were a message queued, the server could pop it before the client
            // hung up: a request abandoned in flight, whose answer only its request id recovers).
            try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
                socket.getOutputStream().write("GET /message/gone?wait=15 HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }
            String message = "kept-" + i;
            assertThat(send(l, "PUT", "/message", "{\"topic\":\"gone\",\"message\":\"" + message + "\"}", null)
                    .statusCode()).isEqualTo(200);
            assertThat(drain("gone")).as("round %d", i).containsExactly(message);
        }

        long start = System.nanoTime();
        HttpResponse<String> empty = send(l, "GET", "/message/gone?wait=0.5", null, null);
        assertThat(empty.statusCode()).isEqualTo(404);
        assertThat(empty.headers().firstValue("X-RRMQ-Error")).hasValue("queue-empty");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        HttpResponse<String> emptyReceive = send(l, "POST", "/message/gone/receive", "{\"wait\":0.3}", null);
        assertThat(emptyReceive.body()).isEqualTo("{\"success\":true,\"messages\":[]}");
    }

    @Test
    @Order(5)
    void aMessageMovesToItsDeadLetterTopicAfterItsLastAllowedDelivery() throws Exception {
        createTopic("chores");
        createTopic("chores-dead");
        String l = leader();
        assertThat(send(l, "PUT", "/topic/chores/policy", "{\"maxDeliveries\":2,\"deadLetterTopic\":\"chores-dead\"}", null)
                .body()).isEqualTo("{\"success\":true}");
        assertThat(putBatch(l, "chores", List.of("poison", "fine")).statusCode()).isEqualTo(200);
        List<Delivery> first = receive(l, "chores", "{\"max\":1}");
        assertThat(endDeliveries(l, "chores", "nack", first).body()).isEqualTo("{\"success\":true,\"nacked\":1}");
        List<Delivery> second = receive(l, "chores", "{\"max\":1}");
        assertThat(second).containsExactly(new Delivery("poison", second.get(0).receipt(), 2));
        assertThat(endDeliveries(l, "chores", "nack", second).statusCode()).isEqualTo(200);
        assertThat(messages(receive(l, "chores-dead", "{\"max\":10}"))).containsExactly("poison");
        assertThat(drain("chores")).containsExactly("fine");
    }

    @Test
    @Order(6)
    void visibilityExpiresAcrossALeaderFailoverOnTheNewLeadersClock() throws Exception {
        createTopic("failover");
        NodeProcess old = cluster.awaitLeader(START);
        assertThat(putBatch(old.url(), "failover", List.of("f1", "f2", "f3")).statusCode()).isEqualTo(200);
        long before = System.currentTimeMillis();
        List<Delivery> held = receive(old.url(), "failover", "{\"max\":3,\"visibility\":4}");
        assertThat(messages(held)).containsExactly("f1", "f2", "f3");
        old.kill();
        NodeProcess successor = cluster.awaitLeader(START);
        if (System.currentTimeMillis() < before + 3500) {
            assertThat(receive(successor.url(), "failover", "{\"max\":10}")).as("still invisible on the new leader").isEmpty();
        }
        List<Delivery> again = await().atMost(START).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                .until(() -> receive(leader(), "failover", "{\"max\":10,\"wait\":5}"), d -> !d.isEmpty());
        assertThat(System.currentTimeMillis() - before).as("not before the deadline").isGreaterThanOrEqualTo(4000);
        assertThat(messages(again)).containsExactly("f1", "f2", "f3");
        assertThat(endDeliveries(leader(), "failover", "ack", again).body()).isEqualTo("{\"success\":true,\"acked\":3}");
        old.start().awaitHttp(START);
    }

    @Test
    @Order(7)
    void longPollWaitersRetriedWithTheirIdsAcrossALeaderKillLoseAndDuplicateNothing() throws Exception {
        createTopic("across");
        NodeProcess old = cluster.awaitLeader(START);
        List<CompletableFuture<HttpResponse<String>>> first = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            first.add(sendAsync(old.url(), "GET", "/message/across?wait=15", null, "across-" + i));
        }
        old.kill();
        for (CompletableFuture<HttpResponse<String>> f : first) {
            assertThat(f).failsWithin(Duration.ofSeconds(10)); // the connection died with the node
        }
        String successor = leader();
        List<CompletableFuture<HttpResponse<String>>> retries = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            retries.add(sendAsync(successor, "GET", "/message/across?wait=15", null, "across-" + i));
        }
        assertThat(putBatch(successor, "across", range("x", 0, 5)).statusCode()).isEqualTo(200);
        Set<String> got = new HashSet<>();
        for (CompletableFuture<HttpResponse<String>> r : retries) {
            Matcher m = MESSAGE.matcher(r.get(20, TimeUnit.SECONDS).body());
            assertThat(m.matches()).isTrue();
            assertThat(got.add(m.group(1))).isTrue();
        }
        assertThat(got).containsExactlyInAnyOrderElementsOf(range("x", 0, 5));
        assertThat(drain("across")).isEmpty();
        old.start().awaitHttp(START);
    }

    @Test
    @Order(8)
    void waitersOfALeaderThatLosesItsQuorumAreAnsweredAsAFollowerAnswers() throws Exception {
        createTopic("quorum");
        NodeProcess leader = cluster.awaitLeader(START);
        await().atMost(START).until(() -> cluster.nodes().stream().allMatch(n -> cluster.role(n).isPresent()));
        long before = cluster.commitIndex(leader);
        CompletableFuture<HttpResponse<String>> waiter = sendAsync(leader.url(), "GET", "/message/quorum?wait=15", null, null);
        // The waiter's first attempt (an empty pop through the log) is committed everywhere: from now on
        // it only waits, so losing the quorum cannot leave an attempt of it in flight (that would be 504).
        await().atMost(START).until(() -> cluster.nodes().stream().allMatch(n -> cluster.commitIndex(n) > before));
        List<NodeProcess> paused = new ArrayList<>();
        try {
            for (NodeProcess n : cluster.nodes()) {
                if (n != leader) {
                    n.pause();
                    paused.add(n);
                }
            }
            HttpResponse<String> r = waiter.get(12, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isIn(421, 503);
            assertThat(r.body()).isEqualTo("{\"success\":false}");
        } finally {
            for (NodeProcess n : paused) {
                n.resume();
            }
        }
        cluster.awaitLeader(START);
    }
}

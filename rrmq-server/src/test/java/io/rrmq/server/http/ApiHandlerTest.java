package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.QueueBound;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.RaftNode;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.testing.FakeRaftNode;
import io.rrmq.server.testing.RawHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client API over real HTTP, against a real Undertow and a fake Raft node. */
class ApiHandlerTest {
    private static final ClusterConfig CLUSTER = new ClusterConfig(List.of(
            new ClusterConfig.Member(0, "127.0.0.1", 0),
            new ClusterConfig.Member(1, "127.0.0.1", 9001),
            new ClusterConfig.Member(2, "127.0.0.1", 9002)));

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicReference<RaftNode> node = new AtomicReference<>();
    private FakeRaftNode fake;
    private HttpServer server;
    /** What the fake's queues are said to hold, against a bound of {@link #QUEUE_BOUND} bytes. */
    private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
    private static final long QUEUE_BOUND = 10_000;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeRaftNode(0);
        node.set(fake);
        ServerSettings settings = ServerSettings.defaults()
                .withProposalTimeout(Duration.ofMillis(300))
                .withMaxApiBodyBytes(1024);
        server = HttpServer.start("127.0.0.1", 0, settings,
                new ApiHandler(CLUSTER, 0, node::get, () -> new QueueBound(QUEUE_BOUND, queued::get), settings,
                        exchange -> Exchanges.send(exchange,
                        Replies.noContent())));
    }

    @AfterEach
    void stop() {
        server.close();
        fake.close();
    }

    private HttpResponse<String> send(String method, String path, String body, String contentType)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> put(String path, String json) throws Exception {
        return send("PUT", path, json, "application/json");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, null);
    }

    @Test
    void createsListsAndRejectsDuplicateTopics() throws Exception {
        HttpResponse<String> created = put("/topic", "{\"topic\": \"orders\"}");
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.body()).isEqualTo("{\"success\":true}");
        assertThat(created.headers().firstValue("Content-Type")).hasValue("application/json");

        HttpResponse<String> duplicate = put("/topic", "{\"topic\": \"orders\"}");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.body()).isEqualTo("{\"success\":false}");
        assertThat(duplicate.headers().firstValue("X-RRMQ-Error")).hasValue("topic-exists");

        put("/topic", "{\"topic\": \"billing\"}");
        HttpResponse<String> list = get("/topic");
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).isEqualTo("{\"success\":true,\"topics\":[\"orders\",\"billing\"]}");
    }

    @Test
    void aLeaderWhoseQueuesAreFullRefusesAPutWithoutProposingIt() throws Exception {
        put("/topic", "{\"topic\": \"q\"}");
        long proposalsBefore = fake.proposals();
        queued.set(QUEUE_BOUND - TopicStateMachine.footprint("xx") + 1);

        HttpResponse<String> refused = put("/message", "{\"topic\": \"q\", \"message\": \"xx\"}");

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).isEqualTo("{\"success\":false}");
        assertThat(refused.headers().firstValue("X-RRMQ-Error")).hasValue("queue-full");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(fake.proposals()).isEqualTo(proposalsBefore);
        assertThat(fake.messageCount()).isZero();

        queued.set(QUEUE_BOUND - TopicStateMachine.footprint("xx"));
        assertThat(put("/message", "{\"topic\": \"q\", \"message\": \"xx\"}").statusCode()).isEqualTo(200);
        assertThat(get("/message/q").statusCode()).as("a pop is never refused for room").isEqualTo(200);
    }

    @Test
    void aFollowerAnswers421EvenWhenItsOwnQueuesLookFull() throws Exception {
        fake.followerOf(1);
        queued.set(QUEUE_BOUND);

        HttpResponse<String> r = put("/message", "{\"topic\": \"q\", \"message\": \"m\"}");

        assertThat(r.statusCode()).isEqualTo(421);
    }

    @Test
    void listingTopicsIsALinearizableReadThatProposesNothing() throws Exception {
        put("/topic", "{\"topic\": \"orders\"}");
        long proposals = fake.proposals();
        long reads = fake.reads();

        HttpResponse<String> list = get("/topic");

        assertThat(list.body()).isEqualTo("{\"success\":true,\"topics\":[\"orders\"]}");
        assertThat(fake.proposals()).isEqualTo(proposals);
        assertThat(fake.reads()).isEqualTo(reads + 1);
    }

    @Test
    void linearizableStatusShowsTheConfirmedReadIndex() throws Exception {
        put("/topic", "{\"topic\": \"orders\"}");
        HttpResponse<String> status = get("/status?linearizable");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).startsWith("{\"role\":\"Leader\",\"term\":3,").contains("\"readIndex\":1,");
        assertThat(get("/status").body()).doesNotContain("readIndex");

        fake.mode(FakeRaftNode.Mode.NO_LEADER);
        HttpResponse<String> noLeader = get("/status?linearizable");
        assertThat(noLeader.statusCode()).isEqualTo(503);
        assertThat(noLeader.body()).isEqualTo("{\"success\":false}");
        fake.followerOf(2);
        assertThat(get("/status?linearizable").statusCode()).isEqualTo(421);
    }

    @Test
    void listsNoTopicsAsEmptyList() throws Exception {
        assertThat(get("/topic").body()).isEqualTo("{\"success\":true,\"topics\":[]}");
    }

    @Test
    void putsAndPopsInFifoOrder() throws Exception {
        put("/topic", "{\"topic\": \"q\"}");
        for (String m : List.of("one", "two", "", "four")) {
            HttpResponse<String> r = put("/message", "{\"topic\": \"q\", \"message\": \"" + m + "\"}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("{\"success\":true}");
        }
        assertThat(get("/message/q").body()).isEqualTo("{\"success\":true,\"message\":\"one\"}");
        assertThat(get("/message/q").body()).isEqualTo("{\"success\":true,\"message\":\"two\"}");
        assertThat(get("/message/q").body()).isEqualTo("{\"success\":true,\"message\":\"\"}");
        assertThat(get("/message/q").body()).isEqualTo("{\"success\":true,\"message\":\"four\"}");

        HttpResponse<String> empty = get("/message/q");
        assertThat(empty.statusCode()).isEqualTo(404);
        assertThat(empty.body()).isEqualTo("{\"success\":false}");
        assertThat(empty.headers().firstValue("X-RRMQ-Error")).hasValue("queue-empty");
    }

    private HttpResponse<String> sendWithId(String method, String path, String json, String requestId)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5))
                .header("X-RRMQ-Request-Id", requestId)
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void retriesWithTheSameRequestIdTakeEffectOnceAndSayReplayed() throws Exception {
        HttpResponse<String> created = sendWithId("PUT", "/topic", "{\"topic\": \"q\"}", "t-1");
        HttpResponse<String> createdAgain = sendWithId("PUT", "/topic", "{\"topic\": \"q\"}", "t-1");
        sendWithId("PUT", "/message", "{\"topic\": \"q\", \"message\": \"one\"}", "p-1");
        HttpResponse<String> putAgain = sendWithId("PUT", "/message", "{\"topic\": \"q\", \"message\": \"one\"}", "p-1");
        put("/message", "{\"topic\": \"q\", \"message\": \"two\"}");
        HttpResponse<String> popped = sendWithId("GET", "/message/q", null, "c-1");
        HttpResponse<String> poppedAgain = sendWithId("GET", "/message/q", null, "c-1");

        assertThat(created.headers().firstValue("X-RRMQ-Replayed")).isEmpty();
        assertThat(createdAgain.statusCode()).as("the retried create is not a duplicate").isEqualTo(200);
        assertThat(createdAgain.headers().firstValue("X-RRMQ-Replayed")).hasValue("true");
        assertThat(putAgain.statusCode()).isEqualTo(200);
        assertThat(putAgain.headers().firstValue("X-RRMQ-Replayed")).hasValue("true");
        assertThat(popped.body()).isEqualTo("{\"success\":true,\"message\":\"one\"}");
        assertThat(poppedAgain.body()).isEqualTo(popped.body());
        assertThat(poppedAgain.headers().firstValue("X-RRMQ-Replayed")).hasValue("true");
        assertThat(fake.messageCount()).as("only \"two\" is left").isEqualTo(1);
        assertThat(get("/message/q").body()).isEqualTo("{\"success\":true,\"message\":\"two\"}");
    }

    @Test
    void aRequestIdReusedForAnotherRequestIs422AndChangesNothing() throws Exception {
        put("/topic", "{\"topic\": \"q\"}");
        sendWithId("PUT", "/message", "{\"topic\": \"q\", \"message\": \"one\"}", "same");

        HttpResponse<String> reused = sendWithId("PUT", "/message", "{\"topic\": \"q\", \"message\": \"other\"}", "same");

        assertThat(reused.statusCode()).isEqualTo(422);
        assertThat(reused.body()).isEqualTo("{\"success\":false}");
        assertThat(reused.headers().firstValue("X-RRMQ-Error")).hasValue("request-id-reused");
        assertThat(fake.messageCount()).isEqualTo(1);
    }

    @Test
    void malformedRequestIdsAre400AndNeverReachRaft() throws Exception {
        put("/topic", "{\"topic\": \"q\"}");
        long before = fake.proposals();
        for (String id : List.of("x".repeat(65), "has space", "tab\tid")) {
            assertThat(sendWithId("PUT", "/message", "{\"topic\": \"q\", \"message\": \"m\"}", id).statusCode())
                    .as(id).isEqualTo(400);
            assertThat(sendWithId("GET", "/message/q", null, id).statusCode()).as(id).isEqualTo(400);
            assertThat(sendWithId("PUT", "/topic", "{\"topic\": \"r\"}", id).statusCode()).as(id).isEqualTo(400);
        }
        RawHttp.Response nonAscii = RawHttp.send(server.port(),
                "GET /message/q HTTP/1.1\r\nHost: x\r\nX-RRMQ-Request-Id: \u00e9t\u00e9", null);
        assertThat(nonAscii.status()).isEqualTo(400);
        assertThat(fake.proposals()).isEqualTo(before);
        assertThat(fake.messageCount()).isZero();
    }

    @Test
    void missingTopicIs404WithReason() throws Exception {
        HttpResponse<String> put = put("/message", "{\"topic\": \"nope\", \"message\": \"m\"}");
        assertThat(put.statusCode()).isEqualTo(404);
        assertThat(put.body()).isEqualTo("{\"success\":false}");
        assertThat(put.headers().firstValue("X-RRMQ-Error")).hasValue("no-such-topic");

        HttpResponse<String> pop = get("/message/nope");
        assertThat(pop.statusCode()).isEqualTo(404);
        assertThat(pop.headers().firstValue("X-RRMQ-Error")).hasValue("no-such-topic");
    }

    @Test
    void topicInPathIsPercentDecodedIncludingSlashAndUnicode() throws Exception {
        String topic = "a/b c+d/ünï/日本";
        put("/topic", "{\"topic\": \"" + topic + "\"}");
        put("/message", "{\"topic\": \"" + topic + "\", \"message\": \"x\"}");
        put("/message", "{\"topic\": \"" + topic + "\", \"message\": \"y\"}");

        String encoded = "a%2Fb%20c+d%2F%C3%BCn%C3%AF%2F%E6%97%A5%E6%9C%AC";
        assertThat(get("/message/" + encoded).body()).isEqualTo("{\"success\":true,\"message\":\"x\"}");
        // A literal slash means the same as %2F.
        assertThat(get("/message/a/b%20c+d/%C3%BCn%C3%AF/%E6%97%A5%E6%9C%AC").body())
                .isEqualTo("{\"success\":true,\"message\":\"y\"}");
    }

    @Test
    void rawUtf8BytesInThePathAreAccepted() throws Exception {
        put("/topic", "{\"topic\": \"ünï\"}");
        put("/message", "{\"topic\": \"ünï\", \"message\": \"raw\"}");
        RawHttp.Response r = RawHttp.send(server.port(), "GET /message/ünï HTTP/1.1\r\nHost: x", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"success\":true,\"message\":\"raw\"}");
    }

    @Test
    void plusInThePathStaysAPlus() throws Exception {
        put("/topic", "{\"topic\": \"a+b\"}");
        put("/message", "{\"topic\": \"a+b\", \"message\": \"plus\"}");
        assertThat(get("/message/a+b").statusCode()).isEqualTo(200);
        assertThat(get("/message/a%2Bb").headers().firstValue("X-RRMQ-Error")).hasValue("queue-empty");
    }

    @Test
    void badPathEncodingsAre400AndChangeNothing() throws Exception {
        put("/topic", "{\"topic\": \"t\"}");
        put("/message", "{\"topic\": \"t\", \"message\": \"keep\"}");
        long before = fake.proposals();
        for (String path : List.of("/message/", "/message/%zz", "/message/abc%4", "/message/%C3%28")) {
            RawHttp.Response r = RawHttp.send(server.port(), "GET " + path + " HTTP/1.1\r\nHost: x", null);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.body()).as(path).startsWith("{\"success\":false,\"error\":");
        }
        assertThat(fake.proposals()).isEqualTo(before);
        assertThat(fake.messageCount()).isEqualTo(1);
    }

    @Test
    void malformedBodiesAre400AndNeverReachRaft() throws Exception {
        long before = fake.proposals();
        List<String> topicBodies = List.of("", "   ", "{", "[]", "\"topic\"", "null", "42",
                "{\"topic\": \"\"}", "{\"topic\": 5}", "{\"topic\": null}", "{\"topic\": [\"a\"]}",
                "{\"topic\": {}}", "{}", "{\"topic\": \"a\"} x", "{\"topic\": \"a\"}{}",
                "{\"topic\": \"a\", \"topic\": \"b\"}", "{\"topic\": \"a\", \"extra\": 1}",
                "{'topic': 'a'}", "{\"topic\": \"a\",}", "{\"topic\": \"\\ud800\"}", "{\"topic\": \"a\" // c\n}");
        for (String body : topicBodies) {
            HttpResponse<String> r = put("/topic", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.body()).as(body).startsWith("{\"success\":false,\"error\":\"");
            assertThat(r.headers().firstValue("X-RRMQ-Error")).as(body).hasValue("bad-request");
        }
        List<String> messageBodies = List.of("{\"topic\": \"a\"}", "{\"message\": \"m\"}",
                "{\"topic\": \"a\", \"message\": 1}", "{\"topic\": \"a\", \"message\": null}",
                "{\"topic\": \"\", \"message\": \"m\"}", "{\"topic\": \"a\", \"message\": false}");
        for (String body : messageBodies) {
            assertThat(put("/message", body).statusCode()).as(body).isEqualTo(400);
        }
        assertThat(fake.proposals()).isEqualTo(before);
        assertThat(fake.topics()).isEmpty();
    }

    @Test
    void invalidUtf8BodyIs400() throws Exception {
        byte[] body = {'{', '"', 't', 'o', 'p', 'i', 'c', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        RawHttp.Response r = RawHttp.send(server.port(),
                "PUT /topic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length, body);
        assertThat(r.status()).isEqualTo(400);
        assertThat(fake.topics()).isEmpty();
    }

    @Test
    void contentTypeMustBeJsonOrAbsentOrACommonDefaultForRawBodies() throws Exception {
        assertThat(send("PUT", "/topic", "{\"topic\": \"a\"}", "application/json; charset=utf-8")
                .statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/topic", "{\"topic\": \"b\"}", null).statusCode()).isEqualTo(200);
        HttpResponse<String> xml = send("PUT", "/topic", "{\"topic\": \"c\"}", "application/xml");
        assertThat(xml.statusCode()).isEqualTo(415);
        assertThat(xml.body()).startsWith("{\"success\":false,\"error\":");
        assertThat(send("PUT", "/topic", "{\"topic\": \"d\"}", "multipart/form-data; boundary=x").statusCode())
                .isEqualTo(415);
        // What curl -d and Python's urllib send by default for a raw body.
        assertThat(send("PUT", "/topic", "{\"topic\": \"e\"}", "application/x-www-form-urlencoded").statusCode())
                .isEqualTo(200);
        assertThat(send("PUT", "/topic", "topic=f", "application/x-www-form-urlencoded").statusCode())
                .isEqualTo(400);
        assertThat(fake.topics()).containsExactly("a", "b", "e");
    }

    @Test
    void oversizedBodiesAre413ByLengthAndWhileReadingChunks() throws Exception {
        String big = "{\"topic\": \"" + "x".repeat(2000) + "\"}";
        HttpResponse<String> declared = put("/topic", big);
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).startsWith("{\"success\":false,\"error\":");

        RawHttp.Response chunked = RawHttp.send(server.port(),
                "PUT /topic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked",
                RawHttp.chunked(8, 512));
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.body()).startsWith("{\"success\":false,\"error\":");
        assertThat(fake.proposals()).isZero();
        // still serving
        assertThat(put("/topic", "{\"topic\": \"after\"}").statusCode()).isEqualTo(200);
    }

    @Test
    void anOversizedBodyIsReadToItsEndSoThe413ArrivesAndTheConnectionStaysUsable() throws Exception {
        byte[] big = ("{\"topic\": \"" + "x".repeat(200_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        byte[] small = "{\"topic\": \"after\"}".getBytes(StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("PUT /topic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + big.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(big);
            out.write(("PUT /topic HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + small.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(small);
            out.flush();
            java.io.InputStream in = socket.getInputStream();
            String replies = "";
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (!replies.contains("{\"success\":true}") && System.nanoTime() < deadline) {
                byte[] buf = new byte[4096];
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                replies += new String(buf, 0, n, StandardCharsets.UTF_8);
            }
            assertThat(replies).startsWith("HTTP/1.1 413").contains("HTTP/1.1 200").contains("{\"success\":true}");
        }
        assertThat(fake.topics()).containsExactly("after");
    }

    @Test
    void smallChunkedBodyIsAccepted() throws Exception {
        byte[] json = "{\"topic\": \"chunky\"}".getBytes(StandardCharsets.UTF_8);
        String body = Integer.toHexString(json.length) + "\r\n" + new String(json, StandardCharsets.UTF_8)
                + "\r\n0\r\n\r\n";
        RawHttp.Response r = RawHttp.send(server.port(),
                "PUT /topic HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked",
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).isEqualTo(200);
        assertThat(fake.topics()).containsExactly("chunky");
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405WithAllow() throws Exception {
        HttpResponse<String> unknown = get("/nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("{\"success\":false,\"error\":");

        HttpResponse<String> wrong = send("DELETE", "/topic", null, null);
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(wrong.headers().firstValue("Allow")).hasValue("GET, PUT");
        assertThat(send("POST", "/message", "{}", null).headers().firstValue("Allow")).hasValue("PUT");
        assertThat(send("PUT", "/message/q", "{}", null).headers().firstValue("Allow")).hasValue("GET");
        assertThat(send("POST", "/status", "{}", null).statusCode()).isEqualTo(405);
        assertThat(send("GET", "/raft", null, null).headers().firstValue("Allow")).hasValue("POST");
        assertThat(fake.proposals()).isZero();
    }

    @Test
    void followerAnswers421WithTheLeaderUrl() throws Exception {
        fake.followerOf(2);
        HttpResponse<String> r = put("/topic", "{\"topic\": \"t\"}");
        assertThat(r.statusCode()).isEqualTo(421);
        assertThat(r.body()).isEqualTo("{\"success\":false}");
        assertThat(r.headers().firstValue("X-RRMQ-Leader")).hasValue("http://127.0.0.1:9002");
        assertThat(r.headers().firstValue("X-RRMQ-Error")).hasValue("not-leader");
        assertThat(get("/message/t").statusCode()).isEqualTo(421);
        assertThat(get("/topic").statusCode()).isEqualTo(421);
    }

    @Test
    void noLeaderAndOverloadAre503WithRetryAfter() throws Exception {
        fake.mode(FakeRaftNode.Mode.NO_LEADER);
        HttpResponse<String> noLeader = put("/topic", "{\"topic\": \"t\"}");
        assertThat(noLeader.statusCode()).isEqualTo(503);
        assertThat(noLeader.body()).isEqualTo("{\"success\":false}");
        assertThat(noLeader.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(noLeader.headers().firstValue("X-RRMQ-Error")).hasValue("no-leader");

        fake.mode(FakeRaftNode.Mode.OVERLOADED);
        HttpResponse<String> overloaded = get("/topic");
        assertThat(overloaded.statusCode()).isEqualTo(503);
        assertThat(overloaded.headers().firstValue("X-RRMQ-Error")).hasValue("overloaded");
    }

    @Test
    void unknownOutcomesAre504() throws Exception {
        fake.mode(FakeRaftNode.Mode.LEADERSHIP_LOST);
        HttpResponse<String> lost = put("/topic", "{\"topic\": \"t\"}");
        assertThat(lost.statusCode()).isEqualTo(504);
        assertThat(lost.body()).isEqualTo("{\"success\":false}");
        assertThat(lost.headers().firstValue("X-RRMQ-Error")).hasValue("leadership-lost");

        fake.mode(FakeRaftNode.Mode.HANG);
        HttpResponse<String> timeout = put("/topic", "{\"topic\": \"t\"}");
        assertThat(timeout.statusCode()).isEqualTo(504);
        assertThat(timeout.headers().firstValue("X-RRMQ-Error")).hasValue("timeout");
    }

    @Test
    void whileStartingApiIs503StatusIsFollowerAndLivenessIsOk() throws Exception {
        node.set(null);
        HttpResponse<String> api = put("/topic", "{\"topic\": \"t\"}");
        assertThat(api.statusCode()).isEqualTo(503);
        assertThat(api.body()).isEqualTo("{\"success\":false}");
        assertThat(api.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(api.headers().firstValue("X-RRMQ-Error")).hasValue("starting");

        HttpResponse<String> status = get("/status");
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(status.body()).startsWith("{\"role\":\"Follower\",\"term\":0,").contains("\"ready\":false");

        HttpResponse<String> live = get("/");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"ok\",\"id\":0,\"ready\":false}");
    }

    @Test
    void statusReportsRoleTermAndLeader() throws Exception {
        HttpResponse<String> leader = get("/status");
        assertThat(leader.body()).isEqualTo("{\"role\":\"Leader\",\"term\":3,\"id\":0,"
                + "\"leader\":\"http://127.0.0.1:0\",\"leaderId\":0,\"commitIndex\":0,\"lastApplied\":0,"
                + "\"lastLogIndex\":0,\"ready\":true,\"storageError\":null,\"clusterId\":\"" + CLUSTER.clusterId() + "\","
                + "\"members\":[{\"id\":0,\"url\":\"http://127.0.0.1:0\",\"role\":\"Voter\",\"address\":\"\"},"
                + "{\"id\":1,\"url\":\"http://127.0.0.1:9001\",\"role\":\"Voter\",\"address\":\"\"},"
                + "{\"id\":2,\"url\":\"http://127.0.0.1:9002\",\"role\":\"Voter\",\"address\":\"\"}],"
                + "\"metrics\":{\"proposals\":0,"
                + "\"entriesPersisted\":0,\"fsyncs\":0,\"entriesApplied\":0,\"snapshotsTaken\":0,"
                + "\"snapshotsInstalled\":0,\"lastSnapshotCaptureMicros\":0,\"lastSnapshotMicros\":0,"
                + "\"readsServed\":0,\"readRounds\":0,\"leaseReads\":0}}");
        fake.mode(FakeRaftNode.Mode.NO_LEADER);
        assertThat(get("/status").body()).startsWith("{\"role\":\"Follower\",\"term\":3,\"id\":0,\"leader\":null,");
    }

    @Test
    void keepAliveConnectionServesManyRequests() throws Exception {
        put("/topic", "{\"topic\": \"k\"}");
        for (int i = 0; i < 200; i++) {
            assertThat(put("/message", "{\"topic\": \"k\", \"message\": \"" + i + "\"}").statusCode())
                    .isEqualTo(200);
        }
        for (int i = 0; i < 200; i++) {
            assertThat(get("/message/k").body()).isEqualTo("{\"success\":true,\"message\":\"" + i + "\"}");
        }
    }
}

package io.rrmq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.cli.ScriptedServer.Reply;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The retry rules of {@link ClusterClient}, against real HTTP servers with scripted replies. */
class ClusterClientTest {
    private static final String OK = "{\"success\":true}";
    private static final String FAIL = "{\"success\":false}";

    private final List<ScriptedServer> servers = new ArrayList<>();
    private final List<String> trace = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(ScriptedServer::close);
    }

    private ScriptedServer server() throws Exception {
        ScriptedServer s = new ScriptedServer();
        servers.add(s);
        return s;
    }

    private ClusterClient client(Duration timeout, URI... nodes) {
        RetryPolicy policy = new RetryPolicy(timeout, Duration.ofMillis(500), Duration.ofMillis(300),
                Duration.ofMillis(10), Duration.ofMillis(100));
        return new ClusterClient(new NodeList(List.of(nodes)), policy, new SplittableRandom(1), trace::add);
    }

    private static ApiRequest put(String id) {
        return ApiRequest.putMessage("t", "m", id);
    }

    /** A port nothing listens on. */
    private static URI closedPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    @Test
    void followsTheLeaderHintOfA421() throws Exception {
        ScriptedServer leader = server().then(Reply.of(200, OK));
        ScriptedServer follower = server().then(Reply.of(421, FAIL,
                Map.of("X-RRMQ-Leader", leader.url().toString(), "X-RRMQ-Error", "not-leader")));

        Outcome outcome = client(Duration.ofSeconds(2), follower.url(), leader.url()).send(put("id-1"));

        assertThat(outcome).isInstanceOf(Outcome.Answered.class);
        Outcome.Answered a = (Outcome.Answered) outcome;
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.node()).isEqualTo(leader.url());
        assertThat(a.attempts()).isEqualTo(2);
        assertThat(follower.requests()).hasSize(1);
        assertThat(leader.requests()).extracting(ScriptedServer.Request::requestId).containsExactly("id-1");
    }

    @Test
    void followsAHintToANodeOutsideTheList() throws Exception {
        ScriptedServer leader = server().then(Reply.of(200, OK));
        ScriptedServer follower = server().then(Reply.of(421, FAIL, Map.of("X-RRMQ-Leader", leader.url().toString())));

        Outcome outcome = client(Duration.ofSeconds(2), follower.url()).send(put("id"));

        assertThat(((Outcome.Answered) outcome).node()).isEqualTo(leader.url());
    }

    @Test
    void honoursRetryAfterOfA503() throws Exception {
        ScriptedServer node = server().then(Reply.of(503, FAIL, Map.of("Retry-After", "1")), Reply.of(200, OK));
        long start = System.nanoTime();

        Outcome outcome = client(Duration.ofSeconds(5), node.url()).send(put("id"));

        assertThat(((Outcome.Answered) outcome).status()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void triesTheNextNodeAfterA503WithoutPausing() throws Exception {
        ScriptedServer busy = server().then(Reply.of(503, FAIL, Map.of("Retry-After", "1")));
        ScriptedServer leader = server().then(Reply.of(200, OK));
        long start = System.nanoTime();

        Outcome outcome = client(Duration.ofSeconds(5), busy.url(), leader.url()).send(put("id"));

        assertThat(((Outcome.Answered) outcome).node()).isEqualTo(leader.url());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(900));
    }

    @Test
    void retriesA504WithTheSameRequestId() throws Exception {
        ScriptedServer node = server().then(Reply.of(504, FAIL), Reply.of(504, FAIL), Reply.of(200, OK));

        Outcome outcome = client(Duration.ofSeconds(5), node.url()).send(put("same-id"));

        assertThat(((Outcome.Answered) outcome).status()).isEqualTo(200);
        assertThat(node.requests()).extracting(ScriptedServer.Request::requestId)
                .containsExactly("same-id", "same-id", "same-id");
    }

    @Test
    void movesOnFromANodeWhoseEngineStoppedWithTheSameRequestId() throws Exception {
        Reply closed = Reply.of(504, FAIL, Map.of("X-RRMQ-Error", "node-closed"));
        ScriptedServer stopped = server().then(closed, closed, closed, closed, closed);
        ScriptedServer leader = server().then(Reply.of(200, OK));

        Outcome outcome = client(Duration.ofSeconds(3), stopped.url(), leader.url()).send(put("kept-id"));

        assertThat(((Outcome.Answered) outcome).node()).isEqualTo(leader.url());
        assertThat(stopped.requests()).extracting(ScriptedServer.Request::requestId).containsExactly("kept-id");
        assertThat(leader.requests()).extracting(ScriptedServer.Request::requestId).containsExactly("kept-id");
    }

    @Test
    void retriesAConnectionLostAfterSendingWithTheSameRequestId() throws Exception {
        ScriptedServer node = server().then(Reply.dropConnection(), Reply.of(200, OK));

        Outcome outcome = client(Duration.ofSeconds(5), node.url()).send(put("id-x"));

        assertThat(((Outcome.Answered) outcome).status()).isEqualTo(200);
        assertThat(node.requests()).extracting(ScriptedServer.Request::requestId).containsExactly("id-x", "id-x");
    }

    @Test
    void aWriteThatIsNeverConfirmedHasAnUnknownOutcome() throws Exception {
        ScriptedServer node = server().then(Reply.of(504, FAIL, Map.of("X-RRMQ-Error", "timeout")));

        Outcome outcome = client(Duration.ofMillis(400), node.url()).send(put("id"));

        assertThat(outcome).isInstanceOf(Outcome.Unknown.class);
        assertThat(((Outcome.Unknown) outcome).reason()).contains("504 timeout");
        assertThat(node.requests().size()).isGreaterThan(1);
    }

    @Test
    void aWriteWithoutAReplyWithinTheRequestTimeoutHasAnUnknownOutcome() throws Exception {
        ScriptedServer node = server().then(Reply.of(200, OK).delayed(2000));

        Outcome outcome = client(Duration.ofMillis(700), node.url()).send(put("id"));

        assertThat(outcome).isInstanceOf(Outcome.Unknown.class);
    }

    @Test
    void aReadThatIsNeverAnsweredIsUnavailableNotUnknown() throws Exception {
        ScriptedServer node = server().then(Reply.of(504, FAIL));

        Outcome outcome = client(Duration.ofMillis(300), node.url()).send(ApiRequest.listTopics());

        assertThat(outcome).isInstanceOf(Outcome.Unavailable.class);
        assertThat(node.requests()).allSatisfy(r -> assertThat(r.requestId()).isNull());
    }

    @Test
    void noNodeReachableIsUnavailableAfterTryingEveryNode() throws Exception {
        URI a = closedPort();
        URI b = closedPort();

        Outcome outcome = client(Duration.ofMillis(300), a, b).send(put("id"));

        assertThat(outcome).isInstanceOf(Outcome.Unavailable.class);
        assertThat(trace).anyMatch(l -> l.contains(a.toString())).anyMatch(l -> l.contains(b.toString()));
    }

    @Test
    void skipsANodeThatRefusesConnections() throws Exception {
        ScriptedServer leader = server().then(Reply.of(200, OK));

        Outcome outcome = client(Duration.ofSeconds(2), closedPort(), leader.url()).send(put("id"));

        assertThat(((Outcome.Answered) outcome).node()).isEqualTo(leader.url());
    }

    @Test
    void aNotLeaderReplyWithoutAHintMovesOnToTheNextNode() throws Exception {
        ScriptedServer follower = server().then(Reply.of(421, FAIL));
        ScriptedServer leader = server().then(Reply.of(200, OK));

        Outcome outcome = client(Duration.ofSeconds(2), follower.url(), leader.url()).send(put("id"));

        assertThat(((Outcome.Answered) outcome).node()).isEqualTo(leader.url());
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 404, 405, 409, 413, 415})
    void neverRetriesADefinite4xx(int status) throws Exception {
        ScriptedServer node = server().then(Reply.of(status, FAIL, Map.of("X-RRMQ-Error", "why")), Reply.of(200, OK));

        Outcome outcome = client(Duration.ofSeconds(2), node.url()).send(put("id"));

        Outcome.Answered a = (Outcome.Answered) outcome;
        assertThat(a.status()).isEqualTo(status);
        assertThat(a.error()).isEqualTo("why");
        assertThat(node.requests()).hasSize(1);
    }

    @Test
    void sendsTheJsonBodyAndContentType() throws Exception {
        ScriptedServer node = server().then(Reply.of(200, OK));

        client(Duration.ofSeconds(2), node.url()).send(ApiRequest.putMessage("a \"b\"", "line\nnext ü", "id"));

        ScriptedServer.Request r = node.requests().get(0);
        assertThat(r.method()).isEqualTo("PUT");
        assertThat(r.path()).isEqualTo("/message");
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo("{\"topic\":\"a \\\"b\\\"\",\"message\":\"line\\nnext ü\"}");
    }

    @Test
    void encodesTheTopicOfAPopAsOnePathSegment() throws Exception {
        ScriptedServer node = server().then(Reply.of(200, "{\"success\":true,\"message\":\"m\"}"));

        client(Duration.ofSeconds(2), node.url()).send(ApiRequest.popMessage("a b/c?d", "id"));

        assertThat(node.requests().get(0).path()).isEqualTo("/message/a%20b%2Fc%3Fd");
    }

    @Test
    void parsesHeaders() {
        assertThat(ClusterClient.retryAfter("2")).contains(Duration.ofSeconds(2));
        assertThat(ClusterClient.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEmpty();
        assertThat(ClusterClient.leaderUrl("http://127.0.0.1:8568")).contains(URI.create("http://127.0.0.1:8568"));
        assertThat(ClusterClient.leaderUrl("127.0.0.1:8568")).contains(URI.create("http://127.0.0.1:8568"));
        assertThat(ClusterClient.leaderUrl("not a url")).isEmpty();
    }
}

package io.rrmq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rrmq.cli.CliRunner.Result;
import io.rrmq.cli.ScriptedServer.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line as a script sees it: arguments, stdout, stderr, exit codes; one scripted node. */
class MainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ScriptedServer node;
    private CliRunner cli;

    @BeforeEach
    void start() throws Exception {
        node = new ScriptedServer();
        cli = new CliRunner("--nodes", node.url().toString(), "--timeout", "500ms");
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void printsTheVersion() {
        Result r = new CliRunner().run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("rrmq ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"put", "get", "topics", "create-topic", "status", "metrics", "completion", "receive", "ack", "nack"})
    void everyCommandHasHelpWithExamples(String command) {
        Result r = new CliRunner().run(command, "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("Usage: rrmq " + command).contains("Examples:");
    }

    @Test
    void sendsTheTokenFromTheOptionOrTheEnvironmentAndExits6WhenRefused() throws Exception {
        node.then(ScriptedServer.Reply.of(401, "{\"success\":false}", java.util.Map.of("X-RRMQ-Error", "unauthorized")),
                ScriptedServer.Reply.of(403, "{\"success\":false}", java.util.Map.of("X-RRMQ-Error", "forbidden")),
                ScriptedServer.Reply.of(200, "{\"success\":true,\"topics\":[]}"));

        Result unknown = cli.run("--token", "wrong-token-0123456789", "put", "t", "m");
        Result forbidden = cli.env("RRMQ_TOKEN", "env-token-0123456789").run("create-topic", "t");
        Result allowed = cli.run("--token", "option-token-0123456", "topics");

        assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(6);
        assertThat(unknown.err()).contains("token");
        assertThat(forbidden.exitCode()).isEqualTo(6);
        assertThat(allowed.exitCode()).isZero();
        assertThat(node.requests()).extracting(ScriptedServer.Request::authorization).containsExactly(
                "Bearer wrong-token-0123456789", "Bearer env-token-0123456789", "Bearer option-token-0123456");
    }

    @Test
    void helpDocumentsTheExitCodes() {
        assertThat(new CliRunner().run("--help").out()).contains("Exit codes:").contains("4 unknown outcome");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(new CliRunner().run().exitCode()).isEqualTo(2);
        assertThat(new CliRunner().run("frobnicate").exitCode()).isEqualTo(2);
        assertThat(cli.run("put").exitCode()).isEqualTo(2);
        assertThat(cli.run("get", "a", "b").exitCode()).isEqualTo(2);
        assertThat(cli.run("put", "").exitCode()).isEqualTo(2);
        assertThat(cli.run("--timeout", "soon", "topics").exitCode()).isEqualTo(2);
        assertThat(new CliRunner("--nodes", "nohost").run("topics").exitCode()).isEqualTo(2);
        assertThat(node.requests()).isEmpty();
    }

    @Test
    void aMissingConfigIsAUsageErrorWithAHint(@TempDir Path dir) {
        Result r = new CliRunner("--config", dir.resolve("none.json").toString()).run("topics");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("config file not found").contains("--nodes");
    }

    @Test
    void readsNodesFromTheConfigFile(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"addresses\":[{\"ip\":\"127.0.0.1\",\"port\":" + node.url().getPort() + "}]}");
        node.then(Reply.of(200, "{\"success\":true,\"topics\":[]}"));

        assertThat(new CliRunner("--config", config.toString()).run("topics").exitCode()).isZero();
    }

    @Test
    void readsNodesFromTheEnvironment() {
        node.then(Reply.of(200, "{\"success\":true,\"topics\":[\"a\"]}"));
        Result r = new CliRunner().env(RrmqCommand.NODES_ENV, node.url().toString()).run("topics");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("a\n");
    }

    @Test
    void sharedOptionsGoBeforeOrAfterTheCommand() throws Exception {
        node.then(Reply.of(200, "{\"success\":true,\"topics\":[\"a\",\"b c\"]}"));
        Result before = new CliRunner("--json", "--nodes", node.url().toString()).run("topics");
        Result after = new CliRunner().run("topics", "--nodes", node.url().toString(), "--json");

        assertThat(json(before.out())).isEqualTo(json("{\"ok\":true,\"topics\":[\"a\",\"b c\"]}"));
        assertThat(after.out()).isEqualTo(before.out());
    }

    @Test
    void putSendsTheArgumentAndPrintsOk() {
        node.then(Reply.of(200, "{\"success\":true}"));
        Result r = cli.run("put", "orders", "hi there");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("OK\n");
        assertThat(node.requests().get(0).body()).isEqualTo("{\"topic\":\"orders\",\"message\":\"hi there\"}");
        assertThat(node.requests().get(0).requestId()).matches("[0-9a-f-]{36}");
    }

    @Test
    void putReadsStdinAndStripsExactlyOneTrailingNewline() {
        node.then(Reply.of(200, "{\"success\":true}"));
        cli.runWithStdin("line 1\nline 2\n\n", "put", "t");
        cli.runWithStdin("crlf\r\n", "put", "t");
        cli.runWithStdin("none", "put", "t");
        assertThat(node.requests()).extracting(ScriptedServer.Request::body).containsExactly(
                "{\"topic\":\"t\",\"message\":\"line 1\\nline 2\\n\"}",
                "{\"topic\":\"t\",\"message\":\"crlf\"}",
                "{\"topic\":\"t\",\"message\":\"none\"}");
    }

    @Test
    void putUsesTheGivenRequestId() {
        node.then(Reply.of(200, "{\"success\":true}"));
        assertThat(cli.run("put", "--request-id", "retry-42", "t", "m").exitCode()).isZero();
        assertThat(node.requests().get(0).requestId()).isEqualTo("retry-42");
        assertThat(cli.run("put", "--request-id", "has space", "t", "m").exitCode()).isEqualTo(2);
    }

    @Test
    void getPrintsTheMessageRaw() {
        node.then(Reply.of(200, "{\"success\":true,\"message\":\"héllo\\n\\\"world\\\"\"}"));
        assertThat(cli.run("get", "t").out()).isEqualTo("héllo\n\"world\"\n");
        assertThat(cli.run("get", "-n", "t").out()).isEqualTo("héllo\n\"world\"");
    }

    @Test
    void anEmptyQueueExitsWith1AndSaysSoOnStderr() throws Exception {
        node.then(Reply.of(404, "{\"success\":false}", Map.of("X-RRMQ-Error", "queue-empty")));
        Result plain = cli.run("get", "orders");
        assertThat(plain.exitCode()).isEqualTo(1);
        assertThat(plain.out()).isEmpty();
        assertThat(plain.err()).isEqualTo("rrmq: queue is empty: orders\n");

        Result json = cli.run("get", "orders", "--json");
        JsonNode doc = json(json.out());
        assertThat(doc.get("ok").asBoolean()).isFalse();
        assertThat(doc.get("error").asText()).isEqualTo("queue-empty");
        assertThat(doc.get("exitCode").asInt()).isEqualTo(1);
        assertThat(doc.get("topic").asText()).isEqualTo("orders");
        assertThat(doc.get("requestId").asText()).isNotEmpty();
    }

    @Test
    void anExistingTopicExitsWith1() {
        node.then(Reply.of(409, "{\"success\":false}", Map.of("X-RRMQ-Error", "topic-exists")));
        Result r = cli.run("create-topic", "orders");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("topic already exists: orders");
    }

    @Test
    void aMalformedRequestExitsWith2() {
        node.then(Reply.of(413, "{\"success\":false}"));
        assertThat(cli.run("put", "t", "big").exitCode()).isEqualTo(2);
    }

    @Test
    void aMessageOverTheServersLimitIsRefusedWithoutSendingIt() {
        Result r = cli.run("put", "t", "x".repeat(ApiRequest.MAX_BODY_BYTES));
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("request too large");
        assertThat(node.requests()).isEmpty();
    }

    @Test
    void anUnconfirmedWriteExitsWith4AndNamesItsRequestId() throws Exception {
        node.then(Reply.of(504, "{\"success\":false}"));
        Result r = cli.run("put", "t", "m", "--json", "--request-id", "abc");
        assertThat(r.exitCode()).isEqualTo(4);
        assertThat(r.err()).contains("--request-id abc");
        JsonNode doc = json(r.out());
        assertThat(doc.get("error").asText()).isEqualTo("unknown-outcome");
        assertThat(doc.get("requestId").asText()).isEqualTo("abc");
    }

    @Test
    void anUnreachableClusterExitsWith3() throws Exception {
        node.close();
        Result r = cli.run("topics", "--json");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(json(r.out()).get("error").asText()).isEqualTo("unavailable");
        assertThat(r.err()).startsWith("rrmq: cluster unavailable");
    }

    @Test
    void statusShowsOneRowPerNode() throws Exception {
        node.then(Reply.of(200, "{\"role\":\"Leader\",\"term\":3,\"id\":0,\"leader\":\"" + node.url()
                + "\",\"leaderId\":0,\"commitIndex\":7,\"lastApplied\":7}"));
        java.net.URI down;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            down = java.net.URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
        CliRunner two = new CliRunner("--nodes", node.url() + "," + down);

        Result plain = two.run("status");
        assertThat(plain.exitCode()).as(plain.toString()).isZero();
        String[] lines = plain.out().split("\n");
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).startsWith("NODE").contains("REACHABLE", "ROLE", "TERM", "LEADER", "COMMIT");
        assertThat(lines[1]).contains(node.url().toString(), "yes", "Leader", "3", "7");
        assertThat(lines[2]).contains(down.toString(), "no", "connection refused");

        JsonNode doc = json(two.run("status", "--json").out());
        assertThat(doc.get("ok").asBoolean()).isTrue();
        assertThat(doc.get("leader").asText()).isEqualTo(node.url().toString());
        assertThat(doc.get("nodes")).hasSize(2);
        assertThat(doc.get("nodes").get(0).get("commitIndex").asLong()).isEqualTo(7);
        assertThat(doc.get("nodes").get(1).get("reachable").asBoolean()).isFalse();
        assertThat(doc.get("nodes").get(1).get("role").isNull()).isTrue();
    }

    @Test
    void statusWithoutALeaderExitsWith3() {
        node.then(Reply.of(200, "{\"role\":\"Candidate\",\"term\":4,\"leader\":null,\"commitIndex\":7}"));
        Result r = cli.run("status");
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.out()).contains("Candidate");
        assertThat(r.err()).contains("no node is the leader");
    }

    @Test
    void completionPrintsABashScript() {
        Result r = new CliRunner().run("completion");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("complete -F").contains("create-topic");
    }
}

package io.rrmq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rrmq.cli.CliRunner.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code get --wait}, {@code put --batch}, {@code receive}, {@code ack}, {@code nack} against a scripted node. */
class ConsumerCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RECEIPT = "0123456789abcdef0123456789abcdef";

    private ScriptedServer node;
    private CliRunner cli;

    @BeforeEach
    void start() throws Exception {
        node = new ScriptedServer();
        cli = new CliRunner("--nodes", node.url().toString(), "--timeout", "5s");
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void getWaitSendsALongPollAndAllowsTheWaitBeyondTheRequestTimeout() {
        node.then(ScriptedServer.Reply.of(200, "{\"success\":true,\"message\":\"late\"}").delayed(700));
        Result r = new CliRunner("--nodes", node.url().toString(), "--timeout", "5s", "--request-timeout", "200ms")
                .run("get", "--wait", "1.5s", "orders");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("late\n");
        assertThat(node.requests().get(0).path()).isEqualTo("/message/orders");
        assertThat(node.requests().get(0).query()).isEqualTo("wait=1.5");
        assertThat(cli.run("get", "--wait", "21s", "orders").exitCode()).isEqualTo(2);
        assertThat(cli.run("get", "--wait", "0", "orders").exitCode()).isEqualTo(2);
    }

    @Test
    void putBatchSendsOneMessagePerLineInRequestsOfAtMostAThousand() throws Exception {
        node.then(ScriptedServer.Reply.of(200, "{\"success\":true,\"count\":1000}"),
                ScriptedServer.Reply.of(200, "{\"success\":true,\"count\":500}"));
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 1500; i++) {
            lines.append("m").append(i).append(i % 2 == 0 ? "\n" : "\r\n");
        }
        Result r = cli.runWithStdin(lines.toString(), "put", "--batch", "orders");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("OK 1500\n");
        assertThat(node.requests()).hasSize(2);
        JsonNode first = JSON.readTree(node.requests().get(0).body());
        assertThat(node.requests().get(0).path()).isEqualTo("/messages");
        assertThat(first.get("messages")).hasSize(1000);
        assertThat(first.get("messages").get(1).asText()).isEqualTo("m1");
        assertThat(JSON.readTree(node.requests().get(1).body()).get("messages")).hasSize(500);
        assertThat(node.requests().get(1).requestId()).isNotEqualTo(node.requests().get(0).requestId());
    }

    @Test
    void receivePrintsReceiptDeliveriesAndMessageAndExits1WhenNothingCame() throws Exception {
        node.then(ScriptedServer.Reply.of(200, "{\"success\":true,\"messages\":[{\"message\":\"hi there\",\"receipt\":\""
                        + RECEIPT + "\",\"deliveries\":2}]}"),
                ScriptedServer.Reply.of(200, "{\"success\":true,\"messages\":[]}"));
        Result got = cli.run("receive", "--max", "5", "--visibility", "2m", "orders");
        Result none = cli.run("receive", "orders");
        assertThat(got.exitCode()).isZero();
        assertThat(got.out()).isEqualTo(RECEIPT + " 2 hi there\n");
        JsonNode sent = JSON.readTree(node.requests().get(0).body());
        assertThat(sent.get("max").asInt()).isEqualTo(5);
        assertThat(sent.get("visibility").asInt()).isEqualTo(120);
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(cli.run("receive", "--max", "101", "orders").exitCode()).isEqualTo(2);
    }

    @Test
    void ackAndNackPrintTheirCounts() throws Exception {
        node.then(ScriptedServer.Reply.of(200, "{\"success\":true,\"acked\":1}"),
                ScriptedServer.Reply.of(200, "{\"success\":true,\"nacked\":0}"));
        Result acked = cli.run("ack", "orders", RECEIPT);
        Result nacked = cli.run("--json", "nack", "orders", RECEIPT);
        assertThat(acked.out()).isEqualTo("acked 1\n");
        assertThat(JSON.readTree(nacked.out()).get("nacked").asInt()).isZero();
        assertThat(node.requests().get(0).path()).isEqualTo("/message/orders/ack");
        assertThat(node.requests().get(1).path()).isEqualTo("/message/orders/nack");
        assertThat(JSON.readTree(node.requests().get(0).body()).get("receipts").get(0).asText()).isEqualTo(RECEIPT);
    }
}

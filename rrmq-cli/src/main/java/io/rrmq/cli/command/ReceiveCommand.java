package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.rrmq.cli.ApiRequest;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.Outcome;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import io.rrmq.cli.UsageException;
import java.math.BigDecimal;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rrmq receive TOPIC}: at-least-once delivery; the messages stay until acked. */
@Command(name = "receive", header = "Receive messages at least once: they come back unless acked in time.",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Receive up to --max messages of TOPIC, oldest first. They stay in the topic, invisible"
                + " to others for --visibility, and come back (ahead of newer ones) unless acked with"
                + " `rrmq ack TOPIC RECEIPT` before then. Prints one line per message:"
                + " RECEIPT DELIVERIES MESSAGE (use --json for messages with newlines).",
            "No message (after --wait) exits with 1.",
            "With --json: {\"ok\":true,\"topic\":...,\"messages\":[{\"message\",\"receipt\",\"deliveries\"}],\"requestId\":...}."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  rrmq receive orders",
            "  rrmq receive --max 10 --visibility 2m --wait 20s orders",
            "  read -r receipt n msg < <(rrmq receive orders) && handle \"$msg\" && rrmq ack orders \"$receipt\"",
            "", io.rrmq.cli.ExitCode.HELP})
public final class ReceiveCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic to receive from.")
    private String topic;

    @Option(names = "--max", paramLabel = "N", description = "At most N messages (1-100, default 1).")
    private int max = 1;

    @Option(names = "--visibility", paramLabel = "DURATION",
            description = "How long the messages stay invisible unless acked (1s-12h, default 30s).")
    private String visibility = "30s";

    @Option(names = {"-w", "--wait"}, paramLabel = "DURATION",
            description = "If nothing is visible, wait up to DURATION (at most 20s) for messages.")
    private String wait;

    @Option(names = "--request-id", paramLabel = "ID", description = REQUEST_ID_HELP)
    private String requestId;

    public ReceiveCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws UsageException, InterruptedException {
        String t = Arguments.require(topic);
        String id = Arguments.requestId(requestId);
        if (max < 1 || max > 100) {
            throw new UsageException("--max must be from 1 to 100");
        }
        BigDecimal visible = Arguments.seconds(visibility, "--visibility", 1, true, 43_200);
        BigDecimal waiting = wait == null ? BigDecimal.ZERO : Arguments.seconds(wait, "--wait", 0, true, 20);
        Outcome outcome = client.send(ApiRequest.receive(t, max, visible.toPlainString(), waiting.toPlainString(), id),
                Duration.ofMillis(waiting.movePointRight(3).longValue()));
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            JsonNode body = body(a);
            JsonNode messages = body == null ? null : body.get("messages");
            if (messages == null || !messages.isArray()) {
                return badReply(output, a);
            }
            StringBuilder plain = new StringBuilder();
            ArrayNode list = root.json().createArrayNode();
            for (JsonNode m : messages) {
                plain.append(m.path("receipt").asText()).append(' ').append(m.path("deliveries").asInt()).append(' ')
                        .append(m.path("message").asText()).append('\n');
                list.addObject().put("message", m.path("message").asText()).put("receipt", m.path("receipt").asText())
                        .put("deliveries", m.path("deliveries").asInt());
            }
            if (list.isEmpty()) {
                return output.failure(ExitCode.REFUSED, "queue-empty", "no message to receive: " + t,
                        root.json().createObjectNode().put("topic", t).put("requestId", id));
            }
            var document = output.okDocument().put("topic", t);
            document.set("messages", list);
            return output.success(plain.toString(), document.put("requestId", id));
        }
        return notDone(output, outcome, t, id);
    }
}

package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.rrmq.cli.ApiRequest;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.Outcome;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import io.rrmq.cli.UsageException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rrmq ack TOPIC RECEIPT...} and {@code rrmq nack TOPIC RECEIPT...}. */
public abstract class AckCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic the messages were received from.")
    private String topic;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "RECEIPT", description = "Receipts printed by receive.")
    private List<String> receipts;

    @Option(names = "--request-id", paramLabel = "ID", description = REQUEST_ID_HELP)
    private String requestId;

    private final String op;
    private final String field;

    AckCommand(RrmqCommand root, String op, String field) {
        super(root);
        this.op = op;
        this.field = field;
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws UsageException, InterruptedException {
        String t = Arguments.require(topic);
        String id = Arguments.requestId(requestId);
        Outcome outcome = client.send(Arguments.withinSizeLimit(ApiRequest.endDeliveries(t, op, receipts, id)));
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            JsonNode body = body(a);
            JsonNode count = body == null ? null : body.get(field);
            if (count == null || !count.isInt()) {
                return badReply(output, a);
            }
            return output.success(field + " " + count.asInt() + "\n",
                    output.okDocument().put("topic", t).put(field, count.asInt()).put("requestId", id));
        }
        return notDone(output, outcome, t, id);
    }

    /** {@code rrmq ack}. */
    @Command(name = "ack", header = "Acknowledge received messages: they are removed for good.",
            mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
            description = {"Remove the messages whose receipts are given. Prints `acked N`: the receipts that"
                    + " named a live delivery of TOPIC; a stale receipt (its visibility passed, or already acked)"
                    + " acks nothing, and its message is, or will be, delivered again.",
                "With --json: {\"ok\":true,\"topic\":...,\"acked\":n,\"requestId\":...}."},
            footerHeading = "%n",
            footer = {"Examples:", "  rrmq ack orders 3f9c0d...e1", "", io.rrmq.cli.ExitCode.HELP})
    public static final class Ack extends AckCommand {
        public Ack(RrmqCommand root) {
            super(root, "ack", "acked");
        }
    }

    /** {@code rrmq nack}. */
    @Command(name = "nack", header = "Give received messages back at once, for another delivery.",
            mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
            description = {"Make the messages whose receipts are given visible again at once (or move them to"
                    + " the dead-letter topic after their last allowed delivery). Prints `nacked N`.",
                "With --json: {\"ok\":true,\"topic\":...,\"nacked\":n,\"requestId\":...}."},
            footerHeading = "%n",
            footer = {"Examples:", "  rrmq nack orders 3f9c0d...e1", "", io.rrmq.cli.ExitCode.HELP})
    public static final class Nack extends AckCommand {
        public Nack(RrmqCommand root) {
            super(root, "nack", "nacked");
        }
    }
}

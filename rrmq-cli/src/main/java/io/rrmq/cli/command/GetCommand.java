package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.rrmq.cli.ApiRequest;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.Outcome;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import io.rrmq.cli.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rrmq get TOPIC}: pops the oldest message of a topic. */
@Command(name = "get", header = "Pop the oldest message of a topic and print it.",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Pop the oldest message of TOPIC and print it raw on stdout, followed by a newline"
                + " (none with -n). The message is removed: a pop is a replicated write, retried with"
                + " one request id. An empty queue or a missing topic exits with 1.",
            "With --json: {\"ok\":true,\"topic\":...,\"message\":...,\"requestId\":...}."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  rrmq get orders",
            "  while msg=$(rrmq get orders); do echo \"got $msg\"; done    # drain a queue",
            "  rrmq get -n orders > message.bin",
            "  rrmq get --wait 20s orders              # long poll: wait up to 20 s for a message",
            "", io.rrmq.cli.ExitCode.HELP})
public final class GetCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic to pop from.")
    private String topic;

    @Option(names = {"-n", "--no-newline"}, description = "Print the message exactly, without a newline after it.")
    private boolean noNewline;

    @Option(names = "--request-id", paramLabel = "ID", description = REQUEST_ID_HELP)
    private String requestId;

    @Option(names = {"-w", "--wait"}, paramLabel = "DURATION",
            description = "Long poll: if the queue is empty, wait up to DURATION (at most 20s, e.g. 20s, 1.5s,"
                    + " 500ms) for a message instead of failing at once; waiters are served in arrival order.")
    private String wait;

    public GetCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws UsageException, InterruptedException {
        String t = Arguments.require(topic);
        String id = Arguments.requestId(requestId);
        Outcome outcome;
        if (wait == null) {
            outcome = client.send(ApiRequest.popMessage(t, id));
        } else {
            java.math.BigDecimal seconds = Arguments.seconds(wait, "--wait", 0, false, 20);
            outcome = client.send(ApiRequest.popMessage(t, id, seconds.toPlainString()),
                    java.time.Duration.ofMillis(seconds.movePointRight(3).longValue()));
        }
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            JsonNode body = body(a);
            JsonNode message = body == null ? null : body.get("message");
            if (message == null || !message.isTextual()) {
                return badReply(output, a);
            }
            String text = message.asText();
            return output.success(noNewline ? text : text + "\n",
                    output.okDocument().put("topic", t).put("message", text).put("requestId", id));
        }
        return notDone(output, outcome, t, id);
    }
}

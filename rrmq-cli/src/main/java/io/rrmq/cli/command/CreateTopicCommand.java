package io.rrmq.cli.command;

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

/** {@code rrmq create-topic TOPIC}. */
@Command(name = "create-topic", header = "Create a topic.",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Create TOPIC (any non-empty string). Exits with 1 if it already exists.",
            "Prints OK (with --json: {\"ok\":true,\"topic\":...,\"requestId\":...})."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  rrmq create-topic orders",
            "  rrmq create-topic orders || echo 'exists already (or see the exit code)'",
            "", io.rrmq.cli.ExitCode.HELP})
public final class CreateTopicCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "Name of the new topic.")
    private String topic;

    @Option(names = "--request-id", paramLabel = "ID", description = REQUEST_ID_HELP)
    private String requestId;

    public CreateTopicCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws UsageException, InterruptedException {
        String t = Arguments.require(topic);
        String id = Arguments.requestId(requestId);
        Outcome outcome = client.send(Arguments.withinSizeLimit(ApiRequest.createTopic(t, id)));
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            return output.success("OK\n", output.okDocument().put("topic", t).put("requestId", id));
        }
        return notDone(output, outcome, t, id);
    }
}

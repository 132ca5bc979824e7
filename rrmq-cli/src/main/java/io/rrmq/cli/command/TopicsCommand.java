package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rrmq.cli.ApiRequest;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.Outcome;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import picocli.CommandLine.Command;

/** {@code rrmq topics}: lists the topics. */
@Command(name = "topics", header = "List the topics.",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"List the topics, one per line, in creation order (a linearizable read, served by the leader).",
            "With --json: {\"ok\":true,\"topics\":[...]}."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  rrmq topics",
            "  rrmq topics | grep -qx orders || rrmq create-topic orders",
            "", io.rrmq.cli.ExitCode.HELP})
public final class TopicsCommand extends ClusterCommand {
    public TopicsCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws InterruptedException {
        Outcome outcome = client.send(ApiRequest.listTopics());
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            JsonNode body = body(a);
            JsonNode topics = body == null ? null : body.get("topics");
            if (topics == null || !topics.isArray()) {
                return badReply(output, a);
            }
            StringBuilder plain = new StringBuilder();
            ObjectNode document = output.okDocument();
            ArrayNode array = document.putArray("topics");
            for (JsonNode topic : topics) {
                plain.append(topic.asText()).append('\n');
                array.add(topic.asText());
            }
            return output.success(plain.toString(), document);
        }
        return notDone(output, outcome, null, null);
    }
}

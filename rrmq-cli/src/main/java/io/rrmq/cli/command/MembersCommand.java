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

/** {@code rrmq members}: lists the members as the leader sees them. */
@Command(name = "members", header = "List, add and remove members (admin).",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Without a subcommand: one line per member, ID URL ROLE MATCH_INDEX (ROLE Voter or Learner;"
                + " MATCH_INDEX is how far the leader knows its log to match its own), as the leader sees them.",
            "Admin commands are signed with the cluster key when rrmq can read it (--cluster-key,"
                + " $RRMQ_CLUSTER_KEY_FILE, or the default next to the nodes' data), else need an admin --token.",
            "With --json: {\"ok\":true,\"leaderId\":N,\"members\":[{\"id\",\"url\",\"role\",\"matchIndex\"}]}."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  rrmq members",
            "  python3 src/node.py --join http://127.0.0.1:8567 --address http://127.0.0.1:8570 &",
            "  rrmq members add http://127.0.0.1:8570   # returns once it votes",
            "  rrmq members remove 2                    # or the member's URL",
            "", io.rrmq.cli.ExitCode.HELP})
public final class MembersCommand extends ClusterCommand {
    public MembersCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws InterruptedException {
        Outcome outcome = client.send(ApiRequest.listMembers());
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            JsonNode body = body(a);
            JsonNode members = body == null ? null : body.get("members");
            if (members == null || !members.isArray()) {
                return badReply(output, a);
            }
            StringBuilder plain = new StringBuilder();
            ObjectNode document = output.okDocument();
            document.put("leaderId", body.path("leaderId").asInt(-1));
            ArrayNode array = document.putArray("members");
            for (JsonNode m : members) {
                plain.append(m.path("id").asInt()).append(' ').append(m.path("url").asText()).append(' ')
                        .append(m.path("role").asText()).append(' ').append(m.path("matchIndex").asLong()).append('\n');
                array.add(m);
            }
            return output.success(plain.toString(), document);
        }
        return notDone(output, outcome, null, null);
    }
}

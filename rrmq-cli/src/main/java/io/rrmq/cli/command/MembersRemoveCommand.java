package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rrmq.cli.ApiRequest;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.Outcome;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import io.rrmq.cli.UsageException;
import java.net.URI;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rrmq members remove ID|URL}: removes a member; returns once the change is committed. */
@Command(name = "remove", header = "Remove a member (admin).",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Removes the member with this id (see rrmq members) or URL; returns once the change is"
                + " committed. Removing the leader first hands leadership to another voter.",
            "The removed node stops serving (503 removed); stop its process afterwards."},
        footerHeading = "%n", footer = {"", io.rrmq.cli.ExitCode.HELP})
public final class MembersRemoveCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "ID|URL", description = "The member's id or URL.")
    private String member;

    public MembersRemoveCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient ignored, Output output) throws InterruptedException, UsageException {
        ClusterClient client = root.clusterClient(output, MembershipTimeouts.policy(root));
        int id = resolve(client, output);
        if (id < 0) {
            return output.failure(ExitCode.REFUSED, "no-such-member", "no member has the URL " + member, null);
        }
        Outcome outcome = client.send(ApiRequest.removeMember(id));
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            ObjectNode document = output.okDocument();
            document.put("removed", id);
            return output.success("removed node " + id + "\n", document);
        }
        return notDone(output, outcome, null, null);
    }

    /** The id itself, or the id of the member at that URL (-1 if none), asked of the leader. */
    private int resolve(ClusterClient client, Output output) throws InterruptedException, UsageException {
        if (member.matches("[0-9]+")) {
            return Integer.parseInt(member);
        }
        URI wanted = io.rrmq.cli.NodeList.parse(member).get(0);
        Outcome outcome = client.send(ApiRequest.listMembers());
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            JsonNode body = body(a);
            for (JsonNode m : body == null ? root.json().createArrayNode() : body.path("members")) {
                URI url = io.rrmq.cli.NodeList.parse(m.path("url").asText()).get(0);
                if (url.getHost().equalsIgnoreCase(wanted.getHost()) && url.getPort() == wanted.getPort()) {
                    return m.path("id").asInt();
                }
            }
            return -1;
        }
        throw new UsageException("cannot list the members to find " + member + ": " + outcome);
    }
}

package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rrmq.cli.ApiRequest;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.Outcome;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rrmq members add URL}: adds a node started with {@code --join} and waits until it votes. */
@Command(name = "add", header = "Add a node as a voter (admin).",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Adds the node listening at URL (started with node.py --join ... --address URL) as a"
                + " learner, lets it catch up, then makes it a voter; returns once it is one (exit 0).",
            "A node that does not catch up stays a learner and the command fails (exit 1) saying why.",
            "Waits up to 2 minutes unless --timeout says otherwise."},
        footerHeading = "%n", footer = {"", io.rrmq.cli.ExitCode.HELP})
public final class MembersAddCommand extends ClusterCommand {
    @Parameters(index = "0", paramLabel = "URL", description = "The new node's URL, e.g. http://127.0.0.1:8570.")
    private String url;

    public MembersAddCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient ignored, Output output) throws InterruptedException, io.rrmq.cli.UsageException {
        ClusterClient client = root.clusterClient(output, MembershipTimeouts.policy(root));
        Outcome outcome = client.send(ApiRequest.addMember(url));
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            JsonNode body = body(a);
            if (body == null || !body.has("id")) {
                return badReply(output, a);
            }
            ObjectNode document = output.okDocument();
            document.put("id", body.get("id").asInt());
            document.put("url", url);
            document.put("role", body.path("role").asText());
            return output.success("added " + url + " as node " + body.get("id").asInt() + " ("
                    + body.path("role").asText() + ")\n", document);
        }
        return notDone(output, outcome, null, null);
    }
}

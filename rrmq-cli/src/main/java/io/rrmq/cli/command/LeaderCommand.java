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
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code rrmq leader transfer [ID]}: hands leadership to another voter. */
@Command(name = "transfer", header = "Hand leadership to another voter (admin).",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"The leader stops taking writes, brings the target's log up to its own and tells it to"
                + " campaign at once (Raft thesis §3.10). Without ID: the most up-to-date voter.",
            "Prints the new leader's id; fails (exit 3) if no node took over within an election timeout."},
        footerHeading = "%n", footer = {"", io.rrmq.cli.ExitCode.HELP})
public final class LeaderCommand extends ClusterCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "The voter to hand leadership to.")
    private Integer target;

    public LeaderCommand(RrmqCommand root) {
        super(root);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws InterruptedException, UsageException {
        Outcome outcome = client.send(ApiRequest.transferLeadership(target == null ? -1 : target));
        if (outcome instanceof Outcome.Answered a && ExitCode.forStatus(a.status()) == ExitCode.OK) {
            JsonNode body = body(a);
            if (body == null || !body.has("leaderId")) {
                return badReply(output, a);
            }
            ObjectNode document = output.okDocument();
            document.put("leaderId", body.get("leaderId").asInt());
            return output.success("leader is now node " + body.get("leaderId").asInt() + "\n", document);
        }
        return notDone(output, outcome, null, null);
    }
}

package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.Outcome;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import io.rrmq.cli.UsageException;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A subcommand that talks to the cluster: turns usage problems into exit code 2 and an
 * {@link Outcome} into output and an exit code, the same way for every command.
 */
abstract class ClusterCommand implements Callable<Integer> {
    /** The option every write command has. */
    static final String REQUEST_ID_HELP = "Request id sent as X-RRMQ-Request-Id on every retry"
            + " (default: a random UUID). Rerun with the same id after exit code 4 to retry safely.";

    protected final RrmqCommand root;

    ClusterCommand(RrmqCommand root) {
        this.root = root;
    }

    @Override
    public final Integer call() throws Exception {
        Output output = root.output();
        try {
            return run(client(output), output).code();
        } catch (UsageException e) {
            return output.failure(ExitCode.USAGE, "usage", e.getMessage(), null).code();
        }
    }

    /** The client this command uses; checks the command's own options first. */
    protected ClusterClient client(Output output) throws UsageException {
        return root.clusterClient(output);
    }

    protected abstract ExitCode run(ClusterClient client, Output output) throws UsageException, InterruptedException;

    /**
     * The output and exit code of an outcome that is not a 2xx answer.
     *
     * @param topic     the topic the command was about, for messages and JSON (may be {@code null})
     * @param requestId the request id of a write, or {@code null}
     */
    protected ExitCode notDone(Output output, Outcome outcome, String topic, String requestId) {
        ObjectNode extra = root.json().createObjectNode();
        if (topic != null) {
            extra.put("topic", topic);
        }
        if (requestId != null) {
            extra.put("requestId", requestId);
        }
        if (outcome instanceof Outcome.Unavailable u) {
            return output.failure(ExitCode.UNAVAILABLE, "unavailable", "cluster unavailable: " + u.reason(), extra);
        }
        if (outcome instanceof Outcome.Unknown u) {
            return output.failure(ExitCode.UNKNOWN_OUTCOME, "unknown-outcome",
                    "outcome unknown, the request may have taken effect: " + u.reason()
                            + "; rerun with --request-id " + requestId + " to retry it safely", extra);
        }
        Outcome.Answered a = (Outcome.Answered) outcome;
        String error = a.error() != null ? a.error() : defaultError(a.status());
        JsonNode body = body(a);
        JsonNode explained = body == null ? null : body.get("error");
        String message = explained != null && explained.isTextual() ? explained.asText() + " (" + a.status() + " " + error + ")"
                : message(error, a.status(), topic);
        return output.failure(ExitCode.forStatus(a.status()), error, message, extra);
    }

    /** Parses a 2xx body; {@code null} if it is not JSON. */
    protected JsonNode body(Outcome.Answered answer) {
        try {
            return root.json().readTree(answer.body());
        } catch (IOException e) {
            return null;
        }
    }

    protected ExitCode badReply(Output output, Outcome.Answered answer) {
        return output.failure(ExitCode.SOFTWARE, "bad-reply",
                "unexpected reply from " + answer.node() + ": " + answer.status() + " " + answer.body(), null);
    }

    private static String defaultError(int status) {
        return switch (status) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 409 -> "conflict";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status;
        };
    }

    private static String message(String error, int status, String topic) {
        String t = topic == null ? "" : ": " + topic;
        return switch (error) {
            case "no-such-topic" -> "no such topic" + t;
            case "queue-empty" -> "queue is empty" + t;
            case "topic-exists" -> "topic already exists" + t;
            case "too-large" -> "request too large (the server takes bodies up to 1 MiB)";
            case "unauthorized" -> "the cluster wants a client token (--token or $RRMQ_TOKEN), or knows not this one";
            case "forbidden" -> "this token may not do that (an admin token is needed)";
            default -> "request refused (" + status + " " + error + ")" + t;
        };
    }
}

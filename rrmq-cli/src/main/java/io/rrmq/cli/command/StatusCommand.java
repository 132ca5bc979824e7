package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.HttpExchanger;
import io.rrmq.cli.Output;
import io.rrmq.cli.RetryPolicy;
import io.rrmq.cli.RrmqCommand;
import io.rrmq.cli.UsageException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rrmq status}: every node's view of the cluster, from its {@code GET /status}. */
@Command(name = "status", header = "Show every node: reachable, role, term, leader, commit index.",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Ask every node for its GET /status (at the same time, once, no retries) and print one row"
                + " per node: address, reachable, role, term, leader, commit index.",
            "Exits with 0 if a reachable node is the leader, 3 otherwise (the table is printed either way).",
            "With --json: {\"ok\":bool,\"leader\":url|null,\"nodes\":[{\"address\",\"reachable\",\"role\","
                + "\"term\",\"leader\",\"commitIndex\",\"error\"}]} (unknown values are null).",
            "With --watch: the table again every second, redrawn in place on a terminal, until Ctrl-C (or --count"
                + " refreshes); a node that is down stays in the table with the reason. Exits with 0. With --json"
                + " as well: one document per refresh, one per line."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  rrmq status",
            "  rrmq --nodes 127.0.0.1:8567,127.0.0.1:8568,127.0.0.1:8569 status",
            "  rrmq status --json | jq -r .leader",
            "  rrmq status --watch",
            "", io.rrmq.cli.ExitCode.HELP})
public final class StatusCommand extends ClusterCommand {
    /** What the terminal is sent before each refresh of {@code --watch}: cursor home, clear the screen. */
    static final String CLEAR_SCREEN = "\033[H\033[2J";
    /** A refresh of {@code --watch} waits this long at most for a node, unless {@code --request-timeout}. */
    static final Duration WATCH_REQUEST_TIMEOUT = Duration.ofMillis(900);
    static final Duration WATCH_PERIOD = Duration.ofSeconds(1);

    @Option(names = "--watch", description = "Refresh every second until Ctrl-C.")
    private boolean watch;

    @Option(names = "--count", paramLabel = "N",
            description = "With --watch: stop after N refreshes (default: until Ctrl-C).")
    private Integer count;

    public StatusCommand(RrmqCommand root) {
        super(root);
    }

    /**
     * One node's row: {@code reachable} if it answered HTTP at all; {@code role}, {@code term},
     * {@code leader}, {@code commitIndex} are null when unknown; {@code error} says why.
     */
    record NodeStatus(URI address, boolean reachable, String role, Long term, String leader, Long commitIndex,
                      String error) {
    }

    @Override
    protected ClusterClient client(Output output) throws UsageException {
        if (!watch && count != null) {
            throw new UsageException("--count needs --watch");
        }
        if (count != null && count < 1) {
            throw new UsageException("--count: expected a positive number, got " + count);
        }
        return watch && !root.requestTimeoutGiven()
                ? root.clusterClient(output, RetryPolicy.of(RetryPolicy.DEFAULT_TIMEOUT, WATCH_REQUEST_TIMEOUT))
                : root.clusterClient(output);
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws InterruptedException {
        if (!watch) {
            return show(client, output, poll(client));
        }
        // On a terminal each refresh redraws the screen; into a pipe or a file, text frames are
        // separated by a blank line and JSON documents follow one per line.
        boolean terminal = System.console() != null && !output.isJson();
        return new StatusWatch(root.context().out(), WATCH_PERIOD, count == null ? Long.MAX_VALUE : count,
                terminal ? CLEAR_SCREEN : "", !terminal && !output.isJson())
                .run(() -> {
                    List<NodeStatus> rows = poll(client);
                    if (output.isJson()) {
                        return root.json().writeValueAsString(document(rows, leader(rows))) + "\n";
                    }
                    String leader = leader(rows);
                    return "Every " + WATCH_PERIOD.toSeconds() + "s: rrmq status   " + LocalTime.now().withNano(0) + "\n\n"
                            + table(rows) + (leader != null ? "" : "\n" + (rows.stream().anyMatch(NodeStatus::reachable)
                            ? "no node is the leader" : "no node reachable") + "\n");
                });
    }

    /** Every node's {@code /status}, asked at once. */
    private List<NodeStatus> poll(ClusterClient client) throws InterruptedException {
        List<CompletableFuture<HttpExchanger.Reply>> replies = new ArrayList<>();
        for (URI node : client.nodes().nodes()) {
            replies.add(client.getOnce(node, "/status"));
        }
        List<NodeStatus> rows = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            rows.add(toStatus(client.nodes().get(i), replies.get(i)));
        }
        return rows;
    }

    /**
     * The leader: the reachable node that says it is Leader in the highest term (a deposed leader
     * cut off in a minority may still believe it is one, in an older term); null if none.
     */
    private static String leader(List<NodeStatus> rows) {
        return rows.stream()
                .filter(r -> "Leader".equals(r.role()))
                .max(Comparator.comparingLong(r -> r.term() == null ? -1 : r.term()))
                .map(r -> r.address().toString()).orElse(null);
    }

    private ObjectNode document(List<NodeStatus> rows, String leader) {
        ObjectNode document = root.json().createObjectNode();
        document.put("leader", leader);
        ArrayNode nodes = document.putArray("nodes");
        for (NodeStatus r : rows) {
            ObjectNode n = nodes.addObject();
            n.put("address", r.address().toString());
            n.put("reachable", r.reachable());
            n.put("role", r.role());
            n.put("term", r.term());
            n.put("leader", r.leader());
            n.put("commitIndex", r.commitIndex());
            n.put("error", r.error());
        }
        return document;
    }

    private ExitCode show(ClusterClient client, Output output, List<NodeStatus> rows) {
        String leader = leader(rows);
        ObjectNode document = document(rows, leader);
        if (leader != null) {
            ObjectNode ok = output.okDocument();
            ok.setAll(document);
            return output.success(table(rows), ok);
        }
        if (!output.isJson()) {
            root.context().out().print(table(rows));
            root.context().out().flush();
        }
        boolean anyReachable = rows.stream().anyMatch(NodeStatus::reachable);
        if (rows.stream().anyMatch(r -> "HTTP 401".equals(r.error()) || "HTTP 403".equals(r.error()))) {
            return output.failure(ExitCode.UNAUTHORIZED, "unauthorized",
                    "the cluster wants a client token (--token or $RRMQ_TOKEN)", document);
        }
        return output.failure(ExitCode.UNAVAILABLE, "unavailable",
                anyReachable ? "no node is the leader" : "no node reachable", document);
    }

    private NodeStatus toStatus(URI node, CompletableFuture<HttpExchanger.Reply> reply) throws InterruptedException {
        HttpExchanger.Reply response;
        try {
            response = reply.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof HttpExchanger.NotSentException notSent ? notSent.getCause()
                    : e.getCause();
            String why = cause instanceof java.net.ConnectException ? "connection refused"
                    : cause instanceof java.net.SocketTimeoutException ? "timed out"
                    : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            return new NodeStatus(node, false, null, null, null, null, why);
        }
        if (response.status() != 200) {
            return new NodeStatus(node, true, null, null, null, null, "HTTP " + response.status());
        }
        JsonNode body;
        try {
            body = root.json().readTree(response.body());
        } catch (IOException e) {
            return new NodeStatus(node, true, null, null, null, null, "reply is not JSON");
        }
        if (body == null || !body.isObject()) {
            return new NodeStatus(node, true, null, null, null, null, "reply is not a JSON object");
        }
        return new NodeStatus(node, true, text(body, "role"), number(body, "term"), text(body, "leader"),
                number(body, "commitIndex"), null);
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || !v.isTextual() ? null : v.asText();
    }

    private static Long number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        return v == null || !v.canConvertToLong() ? null : v.asLong();
    }

    /** The table for people: aligned columns, "-" for unknown values, the error last. */
    static String table(List<NodeStatus> rows) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"NODE", "REACHABLE", "ROLE", "TERM", "LEADER", "COMMIT", ""});
        for (NodeStatus r : rows) {
            cells.add(new String[] {r.address().toString(), r.reachable() ? "yes" : "no", dash(r.role()),
                dash(r.term()), dash(r.leader()), dash(r.commitIndex()), r.error() == null ? "" : r.error()});
        }
        int[] widths = new int[7];
        for (String[] row : cells) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(row[c]).append(" ".repeat(widths[c] - row[c].length())).append("  ");
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }

    private static String dash(Object value) {
        return value == null ? "-" : value.toString();
    }
}

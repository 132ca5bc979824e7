package io.rrmq.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rrmq.cli.ClusterClient;
import io.rrmq.cli.DurationConverter;
import io.rrmq.cli.ExitCode;
import io.rrmq.cli.HttpExchanger;
import io.rrmq.cli.Output;
import io.rrmq.cli.RrmqCommand;
import io.rrmq.cli.UsageException;
import io.rrmq.cli.metrics.MetricsSummary;
import io.rrmq.prometheus.PrometheusText;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rrmq metrics}: a short summary of one node's {@code GET /metrics}, for people. */
@Command(name = "metrics", header = "Summarise one node's Prometheus metrics.",
        mixinStandardHelpOptions = true, versionProvider = io.rrmq.cli.VersionProvider.class,
        description = {"Read one node's GET /metrics (the leader's, unless --node) and print: role and term,"
                + " commit and applied index, each follower's lag (on the leader), topics and queued messages,"
                + " messages put and popped through that node, storage sync (fsync) p50/p99 and the p99 of"
                + " client HTTP requests, both estimated from the histograms' buckets since the node started.",
            "With --sample DURATION: read it twice, DURATION apart, and show the put and pop rates.",
            "Exits with 0, 3 if no node answers, 6 on 401/403, 5 if the reply is not valid Prometheus text.",
            "With --json: {\"ok\":true,\"node\",\"role\",\"term\",\"commitIndex\",\"appliedIndex\",\"followerLag\":{id:n},"
                + "\"topics\",\"messagesQueued\",\"putTotal\",\"popTotal\",\"putPerSecond\",\"popPerSecond\","
                + "\"fsyncP50Seconds\",\"fsyncP99Seconds\",\"httpP99Seconds\"} (null when unknown)."},
        footerHeading = "%n",
        footer = {"Examples:",
            "  rrmq metrics",
            "  rrmq metrics --sample 2s",
            "  rrmq metrics --node 127.0.0.1:8568 --json | jq .followerLag",
            "", io.rrmq.cli.ExitCode.HELP})
public final class MetricsCommand extends ClusterCommand {
    @Option(names = "--node", paramLabel = "URL", description = "The node to read (default: the leader, else the first that answers).")
    private String node;

    @Option(names = "--sample", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Read the metrics twice, this far apart, to show put/pop rates per second.")
    private Duration sample;

    public MetricsCommand(RrmqCommand root) {
        super(root);
    }

    /** One reading: the node's families and when they were read. */
    private record Scrape(Map<String, PrometheusText.Family> families, long atNanos) {
    }

    @Override
    protected ExitCode run(ClusterClient client, Output output) throws UsageException, InterruptedException {
        URI target = node != null ? io.rrmq.cli.NodeList.parse(node).get(0) : chooseNode(client);
        if (target == null) {
            return output.failure(ExitCode.UNAVAILABLE, "unavailable", "no node answered GET /status", null);
        }
        Scrape first;
        Scrape second = null;
        try {
            first = scrape(client, target);
            if (sample != null) {
                Thread.sleep(sample.toMillis());
                second = scrape(client, target);
            }
        } catch (IOException e) {
            return output.failure(ExitCode.UNAVAILABLE, "unavailable", target + ": " + e.getMessage(), null);
        } catch (Refused r) {
            return output.failure(r.code, r.code == ExitCode.UNAUTHORIZED ? "unauthorized" : "bad-reply",
                    target + ": " + r.getMessage(), null);
        }
        Scrape last = second != null ? second : first;
        MetricsSummary summary = MetricsSummary.of(last.families());
        Double putRate = null;
        Double popRate = null;
        if (second != null) {
            MetricsSummary before = MetricsSummary.of(first.families());
            double seconds = (second.atNanos() - first.atNanos()) / 1e9;
            putRate = rate(before.putTotal(), summary.putTotal(), seconds);
            popRate = rate(before.popTotal(), summary.popTotal(), seconds);
        }
        ObjectNode document = output.okDocument().put("node", target.toString());
        document.put("role", summary.role());
        document.put("term", whole(summary.term()));
        document.put("commitIndex", whole(summary.commitIndex()));
        document.put("appliedIndex", whole(summary.appliedIndex()));
        ObjectNode lag = document.putObject("followerLag");
        summary.followerLag().forEach((peer, entries) -> lag.put(peer, entries.longValue()));
        document.put("topics", whole(summary.topics()));
        document.put("messagesQueued", whole(summary.messagesQueued()));
        document.put("putTotal", whole(summary.putTotal()));
        document.put("popTotal", whole(summary.popTotal()));
        document.put("putPerSecond", putRate);
        document.put("popPerSecond", popRate);
        document.put("fsyncP50Seconds", summary.fsyncP50());
        document.put("fsyncP99Seconds", summary.fsyncP99());
        document.put("httpP99Seconds", summary.httpP99());
        return output.success(text(target, summary, putRate, popRate), document);
    }

    /** A definite failure of the node's reply: the exit code says which. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ExitCode code;

        Refused(ExitCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private static Scrape scrape(ClusterClient client, URI node) throws IOException, Refused {
        HttpExchanger.Reply reply = client.getNow(node, "/metrics");
        if (reply.status() == 401 || reply.status() == 403) {
            throw new Refused(ExitCode.UNAUTHORIZED, "HTTP " + reply.status() + " (--token or $RRMQ_TOKEN)");
        }
        if (reply.status() != 200) {
            throw new Refused(ExitCode.SOFTWARE, "GET /metrics answered HTTP " + reply.status());
        }
        try {
            return new Scrape(PrometheusText.parse(reply.body()), System.nanoTime());
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new Refused(ExitCode.SOFTWARE, "GET /metrics is not valid Prometheus text: " + e.getMessage());
        }
    }

    /** The leader by its own {@code /status}, else the first node that answered; null if none did. */
    private URI chooseNode(ClusterClient client) {
        URI firstAnswering = null;
        for (URI candidate : client.nodes().nodes()) {
            try {
                HttpExchanger.Reply reply = client.getNow(candidate, "/status");
                if (firstAnswering == null) {
                    firstAnswering = candidate;
                }
                JsonNode body = reply.status() == 200 ? root.json().readTree(reply.body()) : null;
                if (body != null && "Leader".equals(body.path("role").asText())) {
                    return candidate;
                }
            } catch (IOException e) {
                // down or not HTTP: the next one
            }
        }
        return firstAnswering;
    }

    private static Double rate(Double before, Double after, double seconds) {
        return before == null || after == null || seconds <= 0 ? null : Math.max(0, after - before) / seconds;
    }

    private static Long whole(Double value) {
        return value == null ? null : value.longValue();
    }

    static String text(URI node, MetricsSummary s, Double putRate, Double popRate) {
        StringBuilder b = new StringBuilder();
        line(b, "node", node.toString());
        line(b, "role", dash(s.role()) + ", term " + dash(whole(s.term())));
        line(b, "commit", dash(whole(s.commitIndex())) + " (applied " + dash(whole(s.appliedIndex())) + ")");
        line(b, "lag", s.followerLag().isEmpty() ? "- (shown by the leader)" : s.followerLag().entrySet().stream()
                .map(e -> "peer " + e.getKey() + ": " + e.getValue().longValue()).collect(Collectors.joining(", ")));
        line(b, "topics", dash(whole(s.topics())) + " (" + dash(whole(s.messagesQueued())) + " messages queued)");
        String rates = putRate == null ? "" : String.format(Locale.ROOT, "; %.1f/s put, %.1f/s popped", putRate,
                popRate == null ? 0 : popRate);
        line(b, "messages", dash(whole(s.putTotal())) + " put, " + dash(whole(s.popTotal())) + " popped through this node"
                + rates);
        line(b, "fsync", "p50 " + millis(s.fsyncP50()) + ", p99 " + millis(s.fsyncP99()));
        line(b, "http p99", millis(s.httpP99()) + " (client requests)");
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(label).append(" ".repeat(Math.max(1, 10 - label.length()))).append(value).append('\n');
    }

    private static String millis(Double seconds) {
        return seconds == null ? "-" : String.format(Locale.ROOT, "%.2f ms", seconds * 1000);
    }

    private static String dash(Object value) {
        return value == null ? "-" : value.toString();
    }
}

package io.rrmq.bench;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rrmq-bench}: load against an RRMQ cluster (or an etcd cluster, to compare). */
@Command(name = "rrmq-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Drives HTTP load at an RRMQ cluster (or, with --op etcd-put, at etcd's JSON gateway)",
                "and prints throughput and latency percentiles. Closed loop by default; --rate R runs an",
                "open loop at R requests/s with latency measured from each request's scheduled start."},
        footer = {"", "Examples:",
                "  rrmq-bench --url http://127.0.0.1:8567 --op put -c 16 -d 10s",
                "  rrmq-bench --url http://127.0.0.1:8567 --op get -c 16 --prefill 50000",
                "  rrmq-bench --url http://127.0.0.1:8567 --op put -c 64 --rate 2000 --json",
                "  rrmq-bench --url http://127.0.0.1:8567 --op put-batch --batch 100 -c 16",
                "  rrmq-bench --url http://127.0.0.1:8567 --op receive-ack -c 16 --prefill 50000",
                "  rrmq-bench --url http://127.0.0.1:2379 --op etcd-put -c 16"})
public final class Main implements Callable<Integer> {
    @Option(names = "--url", required = true, split = ",", description = "node URL(s); RRMQ finds the leader from any")
    List<URI> urls = new ArrayList<>();

    @Option(names = "--op", description = "put, get (pop), mixed, put-batch, receive-ack, long-poll, topics (GET /topic), etcd-put"
            + " (default: ${DEFAULT-VALUE})",
            converter = OperationConverter.class)
    Operation operation = Operation.PUT;

    @Option(names = {"-c", "--connections"}, description = "concurrent connections (default: ${DEFAULT-VALUE})")
    int connections = 16;

    @Option(names = {"-d", "--duration"}, description = "measured time, e.g. 10s (default: ${DEFAULT-VALUE})",
            converter = DurationConverter.class)
    Duration duration = Duration.ofSeconds(10);

    @Option(names = {"-w", "--warmup"}, description = "unmeasured load first (default: ${DEFAULT-VALUE})",
            converter = DurationConverter.class)
    Duration warmup = Duration.ofSeconds(2);

    @Option(names = {"-r", "--rate"}, description = "open loop: total requests/s; 0 = closed loop (default: 0)")
    int rate;

    @Option(names = {"-s", "--size"}, description = "payload bytes (default: ${DEFAULT-VALUE})")
    int size = 100;

    @Option(names = "--topics", description = "topics to spread over (default: ${DEFAULT-VALUE})")
    int topics = 4;

    @Option(names = "--prefill", description = "messages to put first, unmeasured (for --op get)")
    int prefill;

    @Option(names = "--batch", description = "messages per request of --op put-batch (default: ${DEFAULT-VALUE})")
    int batch = 100;

    @Option(names = "--timeout", description = "per-request timeout (default: ${DEFAULT-VALUE})",
            converter = DurationConverter.class)
    Duration timeout = Duration.ofSeconds(5);

    @Option(names = "--label", description = "name of the run in the output (default: the operation)")
    String label;

    @Option(names = "--json", description = "print the result as one JSON object")
    boolean json;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BenchPlan plan = new BenchPlan(urls, operation, connections, warmup, duration, rate, size, topics, prefill,
                timeout, batch);
        String name = label != null ? label : operation.name().toLowerCase(java.util.Locale.ROOT);
        Report report = new LoadRun(plan, System.err).run(name);
        if (json) {
            System.out.println(report.toJson());
        } else {
            System.out.println(Report.tableHeader());
            System.out.println(report.tableRow());
        }
        return report.ok() > 0 ? 0 : 1;
    }

    static final class OperationConverter implements CommandLine.ITypeConverter<Operation> {
        @Override
        public Operation convert(String value) {
            return Operation.valueOf(value.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    /** Accepts {@code 500ms}, {@code 10s}, {@code 2m} or an ISO-8601 duration. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.startsWith("p")) {
                return Duration.parse(value);
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
            }
            throw new CommandLine.TypeConversionException("not a duration: " + value + " (try 500ms, 10s, 2m)");
        }
    }
}

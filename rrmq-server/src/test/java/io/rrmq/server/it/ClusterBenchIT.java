package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figures of a real cluster of processes on this machine: election time, failover time, sequential
 * and concurrent PUT throughput, fsyncs per entry. A benchmark, not a test: it asserts only that
 * requests succeed, and runs only when asked:
 *
 * <pre>
 * mvn -B -pl rrmq-server -am verify -Dit.test=ClusterBenchIT -Drrmq.bench=true \
 *     -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false [-Drrmq.bench.rounds=20]
 * </pre>
 */
@EnabledIfSystemProperty(named = "rrmq.bench", matches = "true")
class ClusterBenchIT {
    private static final Duration START = Duration.ofSeconds(15);
    private static final int ROUNDS = Integer.getInteger("rrmq.bench.rounds", 20);
    private static final Pattern COUNTER = Pattern.compile("\"(fsyncs|entriesPersisted)\":(\\d+)");

    @TempDir
    Path work;

    @Test
    void electionOnFreshFiveNodeClusters() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            try (ClusterProcesses cluster = ClusterProcesses.create(5, work.resolve("e" + round), "bench-election")) {
                long start = System.nanoTime();
                cluster.startAll();
                cluster.awaitLeader(START);
                millis.add((System.nanoTime() - start) / 1_000_000);
            }
        }
        report("election, 5 fresh nodes spawned -> one leader", millis);
    }

    @Test
    void failoverAfterSigkillOfTheLeaderOnFiveNodes() throws Exception {
        List<Long> leaderSeen = new ArrayList<>();
        List<Long> firstAck = new ArrayList<>();
        try (ClusterProcesses cluster = ClusterProcesses.create(5, work, "bench-failover")) {
            cluster.startAll().awaitAllHttp(START);
            new ApiClient(cluster.awaitLeader(START).url()).createTopic("f");
            for (int round = 0; round < ROUNDS; round++) {
                NodeProcess leader = cluster.awaitLeader(START);
                long killed = System.nanoTime();
                leader.kill();
                NodeProcess next = cluster.awaitLeader(START);
                leaderSeen.add((System.nanoTime() - killed) / 1_000_000);
                // First acknowledged PUT through any survivor, trying them in turn as a client would.
                boolean acked = false;
                while (!acked && System.nanoTime() - killed < START.toNanos()) {
                    for (NodeProcess n : cluster.nodes()) {
                        if (n != leader && put(n, "f", "r" + round)) {
                            acked = true;
                            break;
                        }
                    }
                }
                assertThat(acked).isTrue();
                firstAck.add((System.nanoTime() - killed) / 1_000_000);
                leader.start().awaitHttp(START);
                assertThat(next.isAlive()).isTrue();
            }
        }
        report("failover, SIGKILL leader -> new leader seen (5 nodes)", leaderSeen);
        report("failover, SIGKILL leader -> first acknowledged PUT (5 nodes)", firstAck);
    }

    @Test
    void putThroughputAndFsyncsPerEntryOnThreeNodes() throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.create(3, work, "bench-put")) {
            cluster.startAll().awaitAllHttp(START);
            NodeProcess leader = cluster.awaitLeader(START);
            ApiClient api = new ApiClient(leader.url());
            api.createTopic("b");
            String payload = "x".repeat(100);
            for (int i = 0; i < 500; i++) {
                api.putMessage("b", payload); // warm-up
            }
            run(cluster, leader, 1, 3000, payload);
            run(cluster, leader, 16, 1000, payload);
            run(cluster, leader, 64, 300, payload);
        }
    }

    private void run(ClusterProcesses cluster, NodeProcess leader, int clients, int perClient, String payload)
            throws Exception {
        long[] before = counters(cluster, leader);
        Histogram latency = new Histogram(60_000_000_000L, 3);
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        try {
            List<Future<Histogram>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> {
                    ApiClient api = new ApiClient(leader.url());
                    Histogram h = new Histogram(60_000_000_000L, 3);
                    for (int i = 0; i < perClient; i++) {
                        long t = System.nanoTime();
                        HttpResponse<String> r = api.putMessage("b", payload);
                        h.recordValue(System.nanoTime() - t);
                        assertThat(r.statusCode()).isEqualTo(200);
                    }
                    return h;
                }));
            }
            for (Future<Histogram> f : results) {
                latency.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = counters(cluster, leader);
        long entries = after[1] - before[1];
        System.out.printf("PUT /message, %d client(s) x %d, 100-byte payloads, 3 nodes: %.0f req/s, "
                        + "p50 %.2f ms, p99 %.2f ms, max %.2f ms; leader fsyncs per entry %.3f (%d / %d)%n",
                clients, perClient, clients * perClient / seconds, latency.getValueAtPercentile(50) / 1e6,
                latency.getValueAtPercentile(99) / 1e6, latency.getMaxValue() / 1e6,
                entries == 0 ? 0.0 : (after[0] - before[0]) / (double) entries, after[0] - before[0], entries);
    }

    /** The leader's {fsyncs, entriesPersisted} from {@code /status}. */
    private static long[] counters(ClusterProcesses cluster, NodeProcess node) {
        String status = cluster.status(node).orElseThrow();
        long[] out = new long[2];
        Matcher m = COUNTER.matcher(status);
        while (m.find()) {
            out[m.group(1).equals("fsyncs") ? 0 : 1] = Long.parseLong(m.group(2));
        }
        return out;
    }

    private static boolean put(NodeProcess node, String topic, String message) {
        try {
            return new ApiClient(node.url()).putMessage(topic, message).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static void report(String what, List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        int n = sorted.size();
        long median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        System.out.printf("%s over %d: median %d ms, max %d ms, all %s%n", what, n, median, sorted.get(n - 1), millis);
    }
}

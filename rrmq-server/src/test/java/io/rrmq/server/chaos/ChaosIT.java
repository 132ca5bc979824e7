package io.rrmq.server.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.server.chaos.Operation.Kind;
import io.rrmq.server.chaos.Operation.Outcome;
import io.rrmq.server.it.ClusterProcesses;
import io.rrmq.server.it.LeaderObserver;
import io.rrmq.server.it.NodeProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chaos on real processes: producers and consumers run against a 3-node cluster while a
 * {@link Nemesis} kills the leader, kills followers and pauses nodes; then everything is healed,
 * the load stopped, every topic drained, and the whole history handed to {@link HistoryChecker}
 * (no acknowledged put lost, none delivered twice, no failed put delivered, FIFO per topic). A
 * {@link LeaderObserver} checks election safety throughout.
 *
 * <p>Load: {@value #TOPICS} topics with one producer each (payloads {@code <topic>-<seq>}, seq
 * increasing), {@value #CONSUMERS} consumers popping from random topics. Every operation carries a
 * fresh {@code X-RRMQ-Request-Id} and is retried with it through leader changes (see
 * {@link ChaosClient}); without server-side request identity those retries are blind and the
 * checker reports duplicates and losses.
 *
 * <pre>
 * mvn -B -pl rrmq-server -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ChaosIT \
 *     [-Dchaos.duration=10m] [-Dchaos.seed=1234] [-Dchaos.nodes=5]
 * </pre>
 * Properties: {@code chaos.duration} (load phase; {@code 60s} by default, {@code ms}/{@code s}/{@code m}
 * suffixes), {@code chaos.seed} (the nemesis's and consumers' choices; printed), {@code chaos.nodes}
 * (3 by default), {@code chaos.opBudget} (per-operation retry budget, {@code 10s}).
 */
class ChaosIT {
    private static final int TOPICS = 4;
    private static final int CONSUMERS = 4;
    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration DRAIN_BUDGET = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void noAcknowledgedMessageIsLostOrDuplicatedUnderKillsAndPauses() throws Exception {
        Duration duration = duration(System.getProperty("chaos.duration", "60s"));
        Duration opBudget = duration(System.getProperty("chaos.opBudget", "10s"));
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        int size = Integer.getInteger("chaos.nodes", 3);
        System.out.printf("ChaosIT: seed %d (re-run with -Dchaos.seed=%d), %d nodes, load for %s%n",
                seed, seed, size, duration);
        long wallStart = System.nanoTime();

        try (ClusterProcesses cluster = ClusterProcesses.create(size, work, "ChaosIT")) {
            LeaderObserver observer = LeaderObserver.start(cluster);
            cluster.startAll().awaitAllHttp(START);
            cluster.awaitLeader(START);
            long epoch = System.nanoTime();
            ChaosClient client = new ChaosClient(cluster.nodes().stream().map(NodeProcess::url).toList(), epoch);
            List<String> topics = new ArrayList<>();
            for (int t = 0; t < TOPICS; t++) {
                String topic = "chaos-" + t;
                ChaosClient.Reply created = client.createTopic(topic, "topic-" + t, START);
                assertThat(created.status()).as("creating " + topic).isIn(200, 409);
                topics.add(topic);
            }

            History history = new History();
            AtomicBoolean loadRunning = new AtomicBoolean(true);
            List<Thread> load = new ArrayList<>();
            for (int t = 0; t < TOPICS; t++) {
                String topic = topics.get(t);
                load.add(new Thread(() -> produce(client, topic, opBudget, history, loadRunning), "producer-" + t));
            }
            for (int c = 0; c < CONSUMERS; c++) {
                int consumer = c;
                Random random = new Random(seed + 1 + c);
                load.add(new Thread(() -> consume(client, consumer, topics, random, opBudget, history, loadRunning),
                        "consumer-" + c));
            }
            Nemesis nemesis = new Nemesis(cluster, seed, epoch);
            Thread nemesisThread = new Thread(nemesis, "nemesis");
            load.forEach(Thread::start);
            nemesisThread.start();

            Thread.sleep(duration.toMillis());

            nemesis.stop();
            nemesisThread.join(60_000);
            assertThat(nemesisThread.isAlive()).as("nemesis ended").isFalse();
            nemesis.healAll();
            cluster.awaitLeader(START);
            loadRunning.set(false);
            for (Thread t : load) {
                t.join(opBudget.toMillis() + 5_000);
                assertThat(t.isAlive()).as(t.getName() + " ended").isFalse();
            }
            int loadOps = history.size();
            for (String topic : topics) {
                drain(client, topic, history);
            }
            observer.close();

            HistoryChecker.Verdict verdict = HistoryChecker.check(history.operations());
            long ackedPuts = history.operations().stream()
                    .filter(o -> o.kind() == Kind.PUT && o.outcome() == Outcome.OK).count();
            System.out.printf("ChaosIT summary: seed %d, %d nodes, %.1f s wall | %d ops under load, %d in drain | %s"
                            + " | faults %s | election-safety violations %d%n",
                    seed, size, (System.nanoTime() - wallStart) / 1e9, loadOps, history.size() - loadOps,
                    verdict.summary(), nemesis.injected(), observer.violations().size());
            System.out.println("ChaosIT attempts by how they ended: " + client.attemptEnds());
            verdict.violations().forEach(v -> System.out.println("  VIOLATION " + v));
            Path dump = cluster.node(0).logFile().resolveSibling("history.txt");
            Files.write(dump, history.operations().stream()
                    .sorted(Comparator.comparingLong(Operation::invokedAt)).map(Operation::toString).toList());
            System.out.println("ChaosIT: history (by invocation) in " + dump.getFileName() + " beside the node logs");

            assertThat(nemesis.failure()).as("nemesis failure").isNull();
            assertThat(observer.violations()).as("terms with two leaders").isEmpty();
            assertThat(verdict.violations()).as("history violations (seed " + seed + ")").isEmpty();
            assertThat(ackedPuts).as("acknowledged puts").isGreaterThanOrEqualTo(minimum("chaos.minAckedPuts", 300));
            assertThat((long) nemesis.total()).as("faults injected")
                    .isGreaterThanOrEqualTo(minimum("chaos.minFaults", Math.max(3, duration.toSeconds() / 12)));
        }
    }

    private static void produce(ChaosClient client, String topic, Duration budget, History history,
                                 AtomicBoolean running) {
        try {
            for (int seq = 0; running.get(); seq++) {
                String payload = String.format("%s-%07d", topic, seq);
                history.add(client.put(Thread.currentThread().getName(), topic, payload, "p-" + payload, budget));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void consume(ChaosClient client, int consumer, List<String> topics, Random random,
                                Duration budget, History history, AtomicBoolean running) {
        try {
            for (int n = 0; running.get(); n++) {
                String topic = topics.get(random.nextInt(topics.size()));
                Operation pop = client.pop(Thread.currentThread().getName(), topic, "c" + consumer + "-" + n, budget);
                history.add(pop);
                if (pop.foundEmpty()) {
                    Thread.sleep(10);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Pops until the topic is found empty; bounded by the number of operations recorded so far. */
    private static void drain(ChaosClient client, String topic, History history) throws InterruptedException {
        int bound = history.size() + 100;
        for (int n = 0; n < bound; n++) {
            Operation pop = client.pop("drain", topic, "d-" + topic + "-" + n, DRAIN_BUDGET);
            history.add(pop);
            if (pop.foundEmpty()) {
                return;
            }
        }
    }

    private static long minimum(String property, long fallback) {
        return Long.getLong(property, fallback);
    }

    /** "500ms", "60s", "10m", or bare seconds. */
    static Duration duration(String text) {
        String s = text.trim().toLowerCase();
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        }
        if (s.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        if (s.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }
}

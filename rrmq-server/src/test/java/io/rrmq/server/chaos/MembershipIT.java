package io.rrmq.server.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.server.chaos.Operation.Kind;
import io.rrmq.server.chaos.Operation.Outcome;
import io.rrmq.server.it.AdminClient;
import io.rrmq.server.it.ClusterProcesses;
import io.rrmq.server.it.LeaderObserver;
import io.rrmq.server.it.NodeProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes on real processes under a steady load of producers and consumers with request
 * ids (as {@link ChaosIT}): a node replaced (a new one added through {@code --join}, the leader
 * removed, its process stopped), a cluster grown to five and shrunk back, a rolling restart with
 * SIGTERM. Each ends with a drain and the {@link HistoryChecker}: nothing acknowledged lost, nothing
 * delivered twice, FIFO per topic; election safety throughout ({@link LeaderObserver}).
 */
class MembershipIT {
    private static final Duration START = Duration.ofSeconds(20);
    private static final Duration CHANGE = Duration.ofSeconds(60);
    private static final Duration OP_BUDGET = Duration.ofSeconds(15);
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");
    private static final Pattern VOTER = Pattern.compile("\"id\":(\\d+),\"url\":\"[^\"]*\",\"role\":\"Voter\"");

    @TempDir
    Path work;

    private ClusterProcesses cluster;
    private Load load;

    @AfterEach
    void stop() throws InterruptedException {
        if (load != null) {
            load.stop();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodeIsReplacedUnderLoadTheLeaderFirstAndNothingIsLost() throws Exception {
        cluster = ClusterProcesses.create(3, work, "MembershipIT-replace");
        NodeProcess joiner = cluster.newJoiner();
        LeaderObserver observer = LeaderObserver.start(cluster);
        cluster.startAll().awaitAllHttp(START);
        cluster.awaitLeader(START);
        AdminClient admin = new AdminClient(cluster);
        load = Load.start(cluster, 2);
        Thread.sleep(1_000);

        // Admin requests need the cluster key's signature: none, or one over another body, is 401.
        String body = "{\"url\":\"" + joiner.url() + "\"}";
        String leaderUrl = cluster.awaitLeader(START).url();
        assertThat(admin.raw(leaderUrl, "POST", "/cluster/members", body, null).statusCode()).isEqualTo(401);
        assertThat(admin.raw(leaderUrl, "POST", "/cluster/members", body,
                admin.sign("POST", "/cluster/members", "{\"url\":\"http://127.0.0.1:1\"}")).statusCode()).isEqualTo(401);
        assertThat(voters(admin)).hasSize(3);

        long added = System.nanoTime();
        HttpResponse<String> add = admin.add(joiner.url(), CHANGE);
        assertThat(add.statusCode()).as(add.body()).isEqualTo(200);
        System.out.printf("MembershipIT: added %s as a voter in %d ms under load%n", joiner.url(),
                (System.nanoTime() - added) / 1_000_000);
        assertThat(voters(admin)).hasSize(4);

        // Remove the leader: it hands leadership over first, then the new leader removes it.
        NodeProcess oldLeader = cluster.awaitLeader(START);
        int oldLeaderId = idOf(oldLeader);
        long removed = System.nanoTime();
        HttpResponse<String> remove = admin.remove(oldLeaderId, CHANGE);
        assertThat(remove.statusCode()).as(remove.body()).isEqualTo(200);
        System.out.printf("MembershipIT: removed the leader (node %d) in %d ms under load%n", oldLeaderId,
                (System.nanoTime() - removed) / 1_000_000);
        await().atMost(START).until(() -> cluster.api(oldLeader).createTopic("after-removal").headers()
                .firstValue("X-RRMQ-Error").filter("removed"::equals).isPresent());
        assertThat(oldLeader.terminate()).as("a removed node exits cleanly on SIGTERM").isZero();
        Thread.sleep(1_000);

        History history = load.finish();
        observer.close();
        assertThat(voters(admin)).hasSize(3).doesNotContain(oldLeaderId);
        check(history, observer);
    }

    @Test
    void aClusterGrowsToFiveShrinksBackAndKeepsItsMembershipAcrossAFullRestart() throws Exception {
        cluster = ClusterProcesses.create(3, work, "MembershipIT-grow");
        NodeProcess fourth = cluster.newJoiner();
        NodeProcess fifth = cluster.newJoiner();
        cluster.startAll().awaitAllHttp(START);
        cluster.awaitLeader(START);
        AdminClient admin = new AdminClient(cluster);
        load = Load.start(cluster, 2);
        for (NodeProcess joiner : List.of(fourth, fifth)) {
            HttpResponse<String> add = admin.add(joiner.url(), CHANGE);
            assertThat(add.statusCode()).as(add.body()).isEqualTo(200);
        }
        List<Integer> five = voters(admin);
        assertThat(five).hasSize(5);
        for (NodeProcess joiner : List.of(fourth, fifth)) {
            HttpResponse<String> remove = admin.remove(idOf(joiner), CHANGE);
            assertThat(remove.statusCode()).as(remove.body()).isEqualTo(200);
            assertThat(joiner.terminate()).isZero();
        }
        History history = load.finish();
        List<Integer> three = voters(admin);
        assertThat(three).containsExactlyInAnyOrder(0, 1, 2);

        // A full restart: the log, not the file, says who the members are, and nothing is lost.
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.node(i).terminate()).isZero();
        }
        for (int i = 0; i < 3; i++) {
            cluster.node(i).start();
        }
        cluster.awaitLeader(START);
        assertThat(voters(admin)).containsExactlyInAnyOrder(0, 1, 2);
        load.drainInto(history);
        check(history, null);
    }

    @Test
    void aRollingRestartWithSigtermAnswersNoRequestWith504() throws Exception {
        cluster = ClusterProcesses.create(3, work, "MembershipIT-rolling");
        LeaderObserver observer = LeaderObserver.start(cluster);
        cluster.startAll().awaitAllHttp(START);
        cluster.awaitLeader(START);
        load = Load.start(cluster, 2);
        Thread.sleep(1_000);
        long maxStall = 0;
        for (NodeProcess node : cluster.nodes()) {
            long stopped = System.nanoTime();
            assertThat(node.terminate()).as("node " + node.index() + " exits cleanly").isZero();
            node.start().awaitHttp(START);
            NodeProcess leader = cluster.awaitLeader(START);
            long committed = cluster.commitIndex(leader);
            await().atMost(START).until(() -> cluster.commitIndex(node) >= committed);
            maxStall = Math.max(maxStall, (System.nanoTime() - stopped) / 1_000_000);
        }
        History history = load.finish();
        observer.close();
        Map<String, Long> ends = load.client.attemptEnds();
        System.out.printf("MembershipIT rolling restart: attempts by how they ended %s; slowest node back in %d ms%n",
                ends, maxStall);
        check(history, observer);
        assertThat(ends.keySet()).as("no request answered 504").noneMatch(end -> end.startsWith("504"));
    }

    // ---------------------------------------------------------------- helpers

    private static void check(History history, LeaderObserver observer) {
        HistoryChecker.Verdict verdict = HistoryChecker.check(history.operations());
        System.out.println("MembershipIT history: " + verdict.summary());
        verdict.violations().forEach(v -> System.out.println("  VIOLATION " + v));
        assertThat(verdict.violations()).as("history violations").isEmpty();
        if (observer != null) {
            assertThat(observer.violations()).as("terms with two leaders").isEmpty();
        }
        long acked = history.operations().stream().filter(o -> o.kind() == Kind.PUT && o.outcome() == Outcome.OK).count();
        assertThat(acked).as("acknowledged puts").isGreaterThan(20);
    }

    private int idOf(NodeProcess node) {
        String status = cluster.status(node).orElseThrow();
        Matcher m = ID.matcher(status.substring(status.indexOf("\"id\"")));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static List<Integer> voters(AdminClient admin) throws InterruptedException {
        HttpResponse<String> members = admin.members(START);
        assertThat(members.statusCode()).as(members.body()).isEqualTo(200);
        List<Integer> ids = new ArrayList<>();
        Matcher m = VOTER.matcher(members.body());
        while (m.find()) {
            ids.add(Integer.parseInt(m.group(1)));
        }
        return ids;
    }

    /** Producers and consumers of {@link ChaosIT}, against every node the cluster has or will have. */
    private static final class Load {
        private final ChaosClient client;
        private final List<String> topics = new ArrayList<>();
        private final History history = new History();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();

        private Load(ChaosClient client) {
            this.client = client;
        }

        static Load start(ClusterProcesses cluster, int topicCount) throws InterruptedException {
            Load load = new Load(new ChaosClient(cluster.nodes().stream().map(NodeProcess::url).toList(),
                    System.nanoTime()));
            for (int t = 0; t < topicCount; t++) {
                String topic = "m-" + t;
                assertThat(load.client.createTopic(topic, "topic-" + t, START).status()).isIn(200, 409);
                load.topics.add(topic);
            }
            for (String topic : load.topics) {
                load.threads.add(new Thread(() -> load.produce(topic), "producer-" + topic));
            }
            for (int c = 0; c < topicCount; c++) {
                Random random = new Random(c);
                int consumer = c;
                load.threads.add(new Thread(() -> load.consume(consumer, random), "consumer-" + c));
            }
            load.threads.forEach(Thread::start);
            return load;
        }

        private void produce(String topic) {
            try {
                for (int seq = 0; running.get(); seq++) {
                    String payload = String.format("%s-%07d", topic, seq);
                    history.add(client.put(Thread.currentThread().getName(), topic, payload, "p-" + payload, OP_BUDGET));
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void consume(int consumer, Random random) {
            try {
                for (int n = 0; running.get(); n++) {
                    String topic = topics.get(random.nextInt(topics.size()));
                    Operation pop = client.pop(Thread.currentThread().getName(), topic, "c" + consumer + "-" + n,
                            OP_BUDGET);
                    history.add(pop);
                    if (pop.foundEmpty()) {
                        Thread.sleep(20);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Stops the load, waits for every operation to end, drains every topic. */
        History finish() throws InterruptedException {
            stop();
            drainInto(history);
            return history;
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(OP_BUDGET.toMillis() + 5_000);
            }
        }

        void drainInto(History into) throws InterruptedException {
            for (String topic : topics) {
                int bound = into.size() + 100;
                for (int n = 0; n < bound; n++) {
                    Operation pop = client.pop("drain", topic, "d-" + topic + "-" + n + "-" + System.nanoTime(), OP_BUDGET);
                    into.add(pop);
                    if (pop.foundEmpty()) {
                        break;
                    }
                }
            }
        }
    }
}

package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code GET /topic} is a linearizable read without a log entry (ReadIndex): a leader confirms with a
 * heartbeat round that it still leads before it answers, or, with {@code -Drrmq.raft.lease=true},
 * serves on the lease a recent round gave it. Real processes, real SIGSTOP.
 */
class LinearizableReadIT {
    private static final Duration START = Duration.ofSeconds(15);
    private static final int READS_QUEUED = 16;
    private static final List<String> LEASE = List.of("-Xmx128m", "-Drrmq.raft.lease=true");
    private static final String BOTH = "{\"success\":true,\"topics\":[\"before\",\"during\"]}";

    @TempDir
    Path work;

    private ClusterProcesses cluster;
    private LeaderObserver observer;

    @AfterEach
    void stopAndCheckElectionSafety() throws Exception {
        if (observer != null) {
            observer.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (observer != null) {
            assertThat(observer.violations()).as("terms with two leaders").isEmpty();
        }
    }

    /**
     * The leader is frozen (SIGSTOP) while the others elect a new one that creates a topic; reads sent
     * to the frozen node wait in its socket. Resumed, it still believes it leads until it hears the
     * new term, and the reads it takes up then, and those sent to it right after, must not answer
     * the state from before: each is either refused (421/503/504) or lists the new topic. With lease
     * reads on, its lease ran out while it was frozen (the new leader could only be elected after
     * the followers' election timeout, longer than any lease), so it must start a round, which fails.
     */
    @ParameterizedTest(name = "lease reads {0}")
    @ValueSource(booleans = {false, true})
    void aStaleExLeaderNeverAnswersGetTopicWithOldState(boolean leaseReads, TestInfo test) throws Exception {
        cluster = ClusterProcesses.create(3, work, "LinearizableReadIT-stale-" + (leaseReads ? "lease" : "round"),
                leaseReads ? LEASE : List.of("-Xmx128m"));
        observer = LeaderObserver.start(cluster);
        cluster.startAll().awaitAllHttp(START);
        NodeProcess old = leaderThatCreated("before", null);
        assertThat(new ApiClient(old.url()).topics().body()).isEqualTo("{\"success\":true,\"topics\":[\"before\"]}");

        old.pause();
        NodeProcess next = leaderThatCreated("during", old);

        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> reads = new ArrayList<>();
        for (int i = 0; i < READS_QUEUED; i++) {
            HttpRequest get = HttpRequest.newBuilder(URI.create(old.url() + "/topic")).timeout(Duration.ofSeconds(15))
                    .GET().build();
            reads.add(http.sendAsync(get, HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(300); // not synchronization: gives the requests time to reach the frozen node's socket
        old.resume();

        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> read : reads) {
            refused += checkNotStale(read.get(20, TimeUnit.SECONDS));
        }
        // And the reads sent once it runs again (it may believe it leads for a few more milliseconds).
        ApiClient ex = new ApiClient(old.url());
        int after = 0;
        for (long end = System.nanoTime() + Duration.ofSeconds(1).toNanos(); System.nanoTime() < end && after < 500; after++) {
            refused += checkNotStale(ex.topics());
        }
        System.out.println("LinearizableReadIT (lease reads " + leaseReads + "): of " + READS_QUEUED
                + " reads queued at the frozen ex-leader and " + after + " sent after it resumed, " + refused
                + " were refused and the others answered with the new state");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(new ApiClient(cluster.awaitLeader(START).url()).topics().body()).isEqualTo(BOTH));
    }

    /** 1 if {@code r} is a refusal, 0 if it lists the new topic; fails on anything else (a stale list). */
    private static int checkNotStale(HttpResponse<String> r) {
        if (r.statusCode() == 200) {
            assertThat(r.body()).as("a read the ex-leader answered").isEqualTo(BOTH);
            return 0;
        }
        assertThat(r.statusCode()).as(r.body()).isIn(421, 503, 504);
        assertThat(r.body()).isEqualTo("{\"success\":false}");
        return 1;
    }

    /**
     * With lease reads on, a leader that holds its lease serves reads without a heartbeat round: of
     * many reads one after another, most are served on the lease ({@code leaseReads} in /status),
     * and far fewer rounds carry reads than there are reads. (Without the lease each of them waits
     * for a round of its own: see {@link #linearizableStatusConfirmsAReadIndexOnEveryNode}.)
     */
    @Test
    void aLeaderHoldingItsLeaseServesReadsWithoutARound() throws Exception {
        cluster = ClusterProcesses.create(3, work, "LinearizableReadIT-lease", LEASE);
        observer = LeaderObserver.start(cluster);
        cluster.startAll().awaitAllHttp(START);
        NodeProcess leader = leaderThatCreated("t", null);
        ApiClient api = new ApiClient(leader.url());
        String before = api.get("/status").body();

        int reads = 300;
        for (int i = 0; i < reads; i++) {
            HttpResponse<String> r = api.topics();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }

        String after = api.get("/status").body();
        long served = counter(after, "readsServed") - counter(before, "readsServed");
        long lease = counter(after, "leaseReads") - counter(before, "leaseReads");
        long rounds = counter(after, "readRounds") - counter(before, "readRounds");
        System.out.println("LinearizableReadIT lease: " + reads + " reads, " + served + " served, " + lease
                + " on the lease, " + rounds + " rounds carried reads");
        assertThat(served).isGreaterThanOrEqualTo(reads);
        assertThat(lease).as("reads served on the lease").isGreaterThanOrEqualTo(reads / 2);
        assertThat(rounds).as("rounds that carried reads").isLessThanOrEqualTo(reads / 2);
    }

    private static long counter(String status, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\":(\\d+)").matcher(status);
        assertThat(m.find()).as(name + " in " + status).isTrue();
        return Long.parseLong(m.group(1));
    }

    /**
     * The leader, once it has created {@code topic} (200, or 409 when a retry finds it done); elections
     * on a loaded machine can move leadership between finding the leader and asking it (421: retry).
     */
    private NodeProcess leaderThatCreated(String topic, NodeProcess excluded) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            NodeProcess leader = cluster.nodes().stream().filter(n -> n != excluded) // a paused node would not answer
                    .filter(n -> cluster.role(n).filter("Leader"::equals).isPresent()).findFirst().orElse(null);
            if (leader == null) {
                return null;
            }
            int status = new ApiClient(leader.url()).createTopic(topic).statusCode();
            return status == 200 || status == 409 ? leader : null;
        }, java.util.Objects::nonNull);
    }

    /**
     * {@code /status?linearizable} on every node: the leader confirms, followers ask it. Without lease
     * reads (the default) every read the leader serves took a round: no lease reads are counted.
     */
    @Test
    void linearizableStatusConfirmsAReadIndexOnEveryNode(TestInfo test) throws Exception {
        cluster = ClusterProcesses.create(3, work, "LinearizableReadIT-" + test.getTestMethod().orElseThrow().getName());
        observer = LeaderObserver.start(cluster);
        cluster.startAll().awaitAllHttp(START);
        NodeProcess leader = leaderThatCreated("t", null);
        long committed = cluster.commitIndex(leader);
        for (NodeProcess node : cluster.nodes()) {
            HttpResponse<String> status = new ApiClient(node.url()).get("/status?linearizable");
            assertThat(status.statusCode()).as(node.url()).isEqualTo(200);
            long readIndex = Long.parseLong(status.body().replaceAll(".*\"readIndex\":(\\d+).*", "$1"));
            assertThat(readIndex).as("read index of " + node.url()).isGreaterThanOrEqualTo(committed);
        }
        String status = new ApiClient(leader.url()).get("/status").body();
        assertThat(counter(status, "readRounds")).as("rounds that carried reads").isPositive();
        assertThat(counter(status, "leaseReads")).as("lease reads, off by default").isZero();
    }
}

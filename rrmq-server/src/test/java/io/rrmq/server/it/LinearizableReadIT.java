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

/**
 * {@code GET /topic} is a linearizable read without a log entry (ReadIndex): a leader confirms with a
 * heartbeat round that it still leads before it answers. Real processes, real SIGSTOP.
 */
class LinearizableReadIT {
    private static final Duration START = Duration.ofSeconds(15);
    private static final int READS_QUEUED = 16;

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
     * new term, and the reads it takes up then must not answer the state from before: each is either
     * refused (421/503/504) or lists the new topic.
     */
    @Test
    void aStaleExLeaderNeverAnswersGetTopicWithOldState(TestInfo test) throws Exception {
        cluster = ClusterProcesses.create(3, work, "LinearizableReadIT-" + test.getTestMethod().orElseThrow().getName());
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
            HttpResponse<String> r = read.get(20, TimeUnit.SECONDS);
            if (r.statusCode() == 200) {
                assertThat(r.body()).as("a read the ex-leader answered").isEqualTo(
                        "{\"success\":true,\"topics\":[\"before\",\"during\"]}");
            } else {
                assertThat(r.statusCode()).as(r.body()).isIn(421, 503, 504);
                assertThat(r.body()).isEqualTo("{\"success\":false}");
                refused++;
            }
        }
        System.out.println("LinearizableReadIT: of " + READS_QUEUED + " reads queued at the frozen ex-leader, "
                + refused + " were refused and " + (READS_QUEUED - refused) + " answered with the new state");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(new ApiClient(cluster.awaitLeader(START).url()).topics().body())
                        .isEqualTo("{\"success\":true,\"topics\":[\"before\",\"during\"]}"));
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

    /** {@code /status?linearizable} on every node: the leader confirms, followers ask it. */
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
    }
}

package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nodes with different {@code -Drrmq.queue.bytes} never apply a put differently: the leader's bound
 * decides, before proposing, and every node stores what the leader admitted. Before this was so, the
 * followers of a leader with a larger bound dropped the puts past their own bound while the leader
 * acknowledged them, and a failover lost acknowledged messages.
 *
 * <p>Scenario: a rolling restart gives both followers a bound of about 50 messages while the leader
 * keeps one of about 200; the leader is filled until it answers 503 {@code queue-full}; then it is
 * killed, and everything it acknowledged must come out of the new leader, in order.
 */
class QueueBoundIT {
    private static final Duration START = Duration.ofSeconds(15);
    private static final String PAYLOAD = "p".repeat(1000);
    /** TopicStateMachine.footprint of PAYLOAD: its UTF-8 bytes + 8, its record on disk. */
    private static final long FOOTPRINT = io.rrmq.mq.TopicStateMachine.footprint(PAYLOAD);
    private static final List<String> LARGE = List.of("-Xmx128m", "-Drrmq.queue.bytes=" + 200 * FOOTPRINT);
    private static final List<String> SMALL = List.of("-Xmx128m", "-Drrmq.queue.bytes=" + 50 * FOOTPRINT);

    @TempDir
    Path work;

    private ClusterProcesses cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void followersWithASmallerBoundLoseNothingTheLeaderAcknowledged() throws Exception {
        cluster = ClusterProcesses.create(3, work, "QueueBoundIT", LARGE);
        cluster.startAll().awaitAllHttp(START);
        NodeProcess leader = cluster.awaitLeader(START);
        ApiClient leaderApi = new ApiClient(leader.url());
        assertThat(leaderApi.createTopic("t").statusCode()).isEqualTo(200);
        for (NodeProcess follower : cluster.nodes()) {
            if (follower != leader) {
                assertThat(follower.terminate()).isZero();
                follower.jvmFlags(SMALL).start().awaitHttp(START);
                long committed = cluster.commitIndex(leader);
                await().atMost(START).until(() -> cluster.commitIndex(follower) >= committed);
            }
        }
        assertThat(cluster.awaitLeader(START)).as("the leader during the rolling restart").isSameAs(leader);

        List<String> acknowledged = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 1000 && refused == null; i++) {
            String message = i + "-" + PAYLOAD;
            HttpResponse<String> r = leaderApi.putMessage("t", message, UUID.randomUUID().toString());
            if (r.statusCode() == 200) {
                acknowledged.add(message);
            } else {
                refused = r;
            }
        }
        assertThat(refused).isNotNull();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("X-RRMQ-Error")).hasValue("queue-full");
        assertThat(acknowledged.size()).as("the leader's bound is in force").isBetween(190, 200);

        leader.kill();
        NodeProcess successor = cluster.awaitLeader(START);
        ApiClient successorApi = new ApiClient(successor.url());
        HttpResponse<String> overBound = await().atMost(START).until(
                () -> successorApi.putMessage("t", "one more", UUID.randomUUID().toString()),
                r -> r.statusCode() != 503 || "queue-full".equals(r.headers().firstValue("X-RRMQ-Error").orElse("")));
        assertThat(overBound.statusCode()).as("the new leader's queues are past its own bound").isEqualTo(503);

        List<String> drained = new RetryingApi(cluster).drain("t");
        assertThat(drained).as("every acknowledged message, in order").containsExactlyElementsOf(acknowledged);
    }
}

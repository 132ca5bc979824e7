package io.rrmq.raft.runtime;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RaftNode#readIndex()} and {@link RaftNode#query} on real runtimes. */
class RaftRuntimeReadTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private int awaitLeader() {
        return await().atMost(DEADLINE).until(() -> cluster.leader(), java.util.Optional::isPresent).orElseThrow();
    }

    private static long asLong(byte[] bytes) {
        return ByteBuffer.wrap(bytes).getLong();
    }

    @Test
    void queryOnTheLeaderSeesEveryAcknowledgedWriteAndWritesNothing() throws Exception {
        cluster = new LocalCluster(3, RaftConfig.defaults());
        int leader = awaitLeader();
        RaftNode node = cluster.node(leader);
        for (int i = 0; i < 20; i++) {
            node.propose(("w" + i).getBytes(StandardCharsets.UTF_8)).get(10, SECONDS);
            assertThat(asLong(node.query(new byte[0]).get(10, SECONDS))).isEqualTo(i + 1);
        }
        // A write is acknowledged once a majority has it, possibly before the leader's own fsync of
        // it ends: wait for that fsync, so that it is not counted against the reads.
        await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> node.metrics().entriesPersisted() >= node.status().lastLogIndex());
        long fsyncs = node.metrics().fsyncs();
        long persisted = node.metrics().entriesPersisted();
        List<CompletableFuture<Long>> reads = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            reads.add(node.readIndex());
        }
        CompletableFuture.allOf(reads.toArray(new CompletableFuture[0])).get(10, SECONDS);
        assertThat(node.metrics().fsyncs()).as("fsyncs for 500 reads").isEqualTo(fsyncs);
        assertThat(node.metrics().entriesPersisted()).isEqualTo(persisted);
        assertThat(reads.get(0).get()).isGreaterThanOrEqualTo(21); // 20 writes after the first entry
    }

    @Test
    void followerReadWaitsUntilItHasAppliedTheLeadersIndex() throws Exception {
        cluster = new LocalCluster(3, RaftConfig.defaults());
        int leader = awaitLeader();
        int follower = (leader + 1) % 3;
        long written = asLong(cluster.node(leader).propose("x".getBytes(StandardCharsets.UTF_8)).get(10, SECONDS));
        long readIndex = cluster.node(follower).readIndex().get(10, SECONDS);
        assertThat(readIndex).isGreaterThanOrEqualTo(written);
        assertThat(asLong(cluster.node(follower).query(new byte[0]).get(10, SECONDS))).isEqualTo(1);
        assertThat(cluster.node(follower).status().lastApplied()).isGreaterThanOrEqualTo(written);
    }

    @Test
    void isolatedLeaderFailsItsReadsWithNotLeader() {
        cluster = new LocalCluster(3, RaftConfig.defaults());
        int leader = awaitLeader();
        cluster.isolate(leader);
        CompletableFuture<Long> read = cluster.node(leader).readIndex();
        assertThatThrownBy(() -> read.get(10, SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NotLeaderException.class);
    }
}

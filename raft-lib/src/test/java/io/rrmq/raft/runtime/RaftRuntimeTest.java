package io.rrmq.raft.runtime;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.LeadershipLostException;
import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.OverloadedException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.Role;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RaftRuntimeTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private LocalCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private int awaitLeader() {
        return await().atMost(DEADLINE).until(() -> cluster.leader(), java.util.Optional::isPresent).orElseThrow();
    }

    @Test
    void replicatesConcurrentProposalsToEveryStateMachineInOneOrder() throws Exception {
        cluster = new LocalCluster(3, RaftConfig.defaults());
        int leader = awaitLeader();
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            futures.add(cluster.node(leader).propose(bytes("m" + i)));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(10, SECONDS);
        long previous = 0;
        for (CompletableFuture<byte[]> f : futures) {
            long index = ByteBuffer.wrap(f.get()).getLong();
            assertThat(index).isGreaterThan(previous); // answered with its own, increasing index
            previous = index;
        }
        List<String> expected = cluster.stateMachine(leader).applied();
        assertThat(expected).hasSize(2000);
        for (int id = 0; id < 3; id++) {
            int node = id;
            await().atMost(DEADLINE).untilAsserted(
                    () -> assertThat(cluster.stateMachine(node).applied()).isEqualTo(expected));
        }
    }

    @Test
    void groupCommitCoversManyEntriesWithOneSync() throws Exception {
        cluster = new LocalCluster(1, RaftConfig.defaults());
        int leader = awaitLeader();
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            futures.add(cluster.node(leader).propose(bytes("m" + i)));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(10, SECONDS);
        assertThat(cluster.node(leader).metrics().fsyncs()).isLessThan(5000);
        assertThat(cluster.node(leader).metrics().entriesPersisted()).isGreaterThanOrEqualTo(5000);
    }

    @Test
    void followerRefusesProposalsAndNamesTheLeader() {
        cluster = new LocalCluster(3, RaftConfig.defaults());
        int leader = awaitLeader();
        int follower = (leader + 1) % 3;
        await().atMost(DEADLINE).until(() -> cluster.node(follower).status().leaderId() == leader);
        assertThatThrownBy(() -> cluster.node(follower).propose(bytes("x")).get(5, SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(NotLeaderException.class,
                        e -> assertThat(e.leaderHint()).isEqualTo(leader));
        assertThat(cluster.stateMachine(follower).applied()).doesNotContain("x");
    }

    @Test
    void isolatedLeaderFailsPendingProposalsAndTheRestElectANewLeader() throws Exception {
        cluster = new LocalCluster(3, RaftConfig.defaults());
        int old = awaitLeader();
        cluster.isolate(old);
        CompletableFuture<byte[]> stranded = cluster.node(old).propose(bytes("stranded"));
        // Check-quorum makes the cut-off leader step down; its pending proposal's fate is unknown.
        assertThatThrownBy(() -> stranded.get(5, SECONDS)).cause().isInstanceOf(LeadershipLostException.class);
        int fresh = await().atMost(DEADLINE).until(() -> cluster.leader(), l -> l.isPresent() && l.get() != old).orElseThrow();
        cluster.node(fresh).propose(bytes("after")).get(5, SECONDS);
        cluster.heal();
        await().atMost(DEADLINE).untilAsserted(() -> {
            assertThat(cluster.node(old).status().role()).isEqualTo(Role.FOLLOWER);
            assertThat(cluster.stateMachine(old).applied()).containsExactly("after");
        });
    }

    @Test
    void clusterRecoversEverythingAcknowledgedAfterEveryNodeCrashes() throws Exception {
        cluster = new LocalCluster(3, RaftConfig.defaults());
        int leader = awaitLeader();
        List<String> acked = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            cluster.node(leader).propose(bytes("v" + i)).get(5, SECONDS);
            acked.add("v" + i);
        }
        for (int id = 0; id < 3; id++) {
            cluster.crash(id);
        }
        for (int id = 0; id < 3; id++) {
            cluster.restart(id);
        }
        int next = awaitLeader();
        cluster.node(next).propose(bytes("fresh")).get(5, SECONDS);
        List<String> applied = cluster.stateMachine(next).applied();
        assertThat(applied.subList(0, 300)).isEqualTo(acked);
        assertThat(applied.get(300)).isEqualTo("fresh");
    }

    @Test
    void proposalsBeyondThePendingLimitFailFast() {
        cluster = new LocalCluster(3, RaftConfig.defaults().withMaxPendingProposals(8));
        int leader = awaitLeader();
        int followerA = (leader + 1) % 3;
        int followerB = (leader + 2) % 3;
        cluster.isolate(followerA);
        cluster.isolate(followerB); // nothing can commit, so proposals pile up
        RaftNode node = cluster.node(leader);
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            futures.add(node.propose(bytes("p" + i)));
        }
        long overloaded = futures.stream().filter(f -> f.isCompletedExceptionally()
                && f.handle((r, e) -> e instanceof OverloadedException).join()).count();
        assertThat(overloaded).isEqualTo(12);
    }
}

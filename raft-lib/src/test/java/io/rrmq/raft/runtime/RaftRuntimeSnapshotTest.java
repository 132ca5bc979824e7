package io.rrmq.raft.runtime;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RaftRuntimeSnapshotTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** A snapshot every 50 entries, nothing kept behind it, small chunks: every mechanism runs. */
    private static final RaftConfig CONFIG = RaftConfig.defaults().withSnapshots(50, 1 << 20, 0)
            .withSnapshotChunkBytes(256);
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

    private List<String> proposeAll(int leader, String prefix, int count) throws Exception {
        List<CompletableFuture<byte[]>> futures = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            commands.add(prefix + i);
            futures.add(cluster.node(leader).propose((prefix + i).getBytes(StandardCharsets.UTF_8)));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(20, SECONDS);
        return commands;
    }

    /**
     * Cuts {@code lagging} off while the leader commits 400 commands (prefixed {@code prefix}), takes
     * a snapshot and compacts its log: the follower now needs InstallSnapshot. Returns the commands.
     */
    private List<String> missedByIsolated(int leader, int lagging, String prefix) throws Exception {
        cluster.isolate(lagging);
        List<String> commands = proposeAll(leader, prefix, 400);
        await().atMost(DEADLINE).until(() -> cluster.node(leader).metrics().snapshotsTaken() >= 1);
        await().atMost(DEADLINE).until(() -> cluster.storage(leader).currentEntries().get(0).index() > 1);
        return commands;
    }

    @Test
    void followerBehindTheCompactionPointCatchesUpThroughInstallSnapshot() throws Exception {
        cluster = new LocalCluster(3, CONFIG);
        int leader = awaitLeader();
        int lagging = (leader + 1) % 3;
        List<String> expected = missedByIsolated(leader, lagging, "a");
        cluster.heal();
        await().atMost(DEADLINE).untilAsserted(() ->
                assertThat(cluster.stateMachine(lagging).applied()).isEqualTo(expected));
        assertThat(cluster.node(lagging).metrics().snapshotsInstalled()).isPositive();
        // It goes on replicating with AppendEntries after the snapshot.
        expected.addAll(proposeAll(awaitLeader(), "b", 20));
        await().atMost(DEADLINE).untilAsserted(() ->
                assertThat(cluster.stateMachine(lagging).applied()).isEqualTo(expected));
    }

    @Test
    void everyNodeRestartsFromItsSnapshotAndTheLogTailAfterCompaction() throws Exception {
        cluster = new LocalCluster(3, CONFIG);
        int leader = awaitLeader();
        List<String> acked = proposeAll(leader, "v", 300);
        for (int id = 0; id < 3; id++) {
            int node = id;
            await().atMost(DEADLINE).until(() -> cluster.node(node).metrics().snapshotsTaken() >= 1);
        }
        for (int id = 0; id < 3; id++) {
            cluster.crash(id);
        }
        for (int id = 0; id < 3; id++) {
            List<LogEntry> log = cluster.storage(id).currentEntries();
            assertThat(log.get(0).index()).as("node %d compacted its log", id).isGreaterThan(1);
            cluster.restart(id);
        }
        int next = awaitLeader();
        cluster.node(next).propose("fresh".getBytes(StandardCharsets.UTF_8)).get(10, SECONDS);
        List<String> applied = cluster.stateMachine(next).applied();
        assertThat(applied.subList(0, 300)).isEqualTo(acked);
        assertThat(applied.get(300)).isEqualTo("fresh");
    }

    @Test
    void aMachineWithACheckpointOfTheSnapshotResumesItAndReplaysOnlyTheLogAfterIt() throws Exception {
        cluster = new LocalCluster(3, CONFIG, true);
        int leader = awaitLeader();
        List<String> acked = proposeAll(leader, "c", 300);
        int follower = (leader + 1) % 3;
        await().atMost(DEADLINE).until(() -> cluster.node(follower).metrics().snapshotsTaken() >= 1);
        cluster.crash(follower);
        long snapshot = cluster.snapshots(follower).list().get(0).lastIncludedIndex();
        cluster.restart(follower);
        assertThat(cluster.stateMachine(follower).resumedFrom()).isEqualTo(snapshot);
        assertThat(cluster.stateMachine(follower).restores()).isZero();
        acked.addAll(proposeAll(awaitLeader(), "d", 10));
        await().atMost(DEADLINE).untilAsserted(() ->
                assertThat(cluster.stateMachine(follower).applied()).isEqualTo(acked));
    }

    @Test
    void snapshotsByReferenceAreMadeWholeToBeSentAndResumedFromTheCheckpointAtRestart() throws Exception {
        cluster = new LocalCluster(3, CONFIG, true, true);
        int leader = awaitLeader();
        int lagging = (leader + 1) % 3;
        List<String> expected = missedByIsolated(leader, lagging, "r");
        long reference = cluster.snapshots(leader).list().get(0).lastIncludedIndex();
        assertThat(cluster.snapshots(leader).size(reference)).as("a reference, not the state").isLessThan(200);
        cluster.heal();
        await().atMost(DEADLINE).untilAsserted(() ->
                assertThat(cluster.stateMachine(lagging).applied()).isEqualTo(expected));
        assertThat(cluster.node(lagging).metrics().snapshotsInstalled()).isPositive();
        assertThat(cluster.stateMachine(leader).expansions()).isPositive();
        // Every node restarts: from its checkpoint where its snapshot is a reference, else (the
        // follower that installed a whole one and took none since) from the snapshot.
        for (int id = 0; id < 3; id++) {
            cluster.crash(id);
        }
        for (int id = 0; id < 3; id++) {
            cluster.restart(id);
        }
        assertThat(cluster.stateMachine(leader).resumedFrom()).isPositive();
        expected.addAll(proposeAll(awaitLeader(), "s", 20));
        for (int id = 0; id < 3; id++) {
            int node = id;
            await().atMost(DEADLINE).untilAsserted(() ->
                    assertThat(cluster.stateMachine(node).applied()).isEqualTo(expected));
        }
    }

    @Test
    void chunksAskedForAgainWhileTheLeaderMakesItsSnapshotWholeAreSentOnce() throws Exception {
        cluster = new LocalCluster(3, CONFIG, true, true);
        int leader = awaitLeader();
        int lagging = (leader + 1) % 3;
        List<String> expected = missedByIsolated(leader, lagging, "w");
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        cluster.stateMachine(leader).holdExpansions(gate);
        cluster.heal();
        await().atMost(DEADLINE).until(() -> cluster.stateMachine(leader).expansionWaiting());
        // While the expansion waits, chunk timeouts pass: at each the core asks for the window again.
        Duration timeouts = CONFIG.tickInterval().multipliedBy(6L * CONFIG.electionTicks());
        await().pollDelay(timeouts).atMost(timeouts.plusSeconds(5)).until(() -> true);
        gate.countDown();
        await().atMost(DEADLINE).untilAsserted(() ->
                assertThat(cluster.stateMachine(lagging).applied()).isEqualTo(expected));
        long installed = cluster.snapshots(lagging).list().get(0).lastIncludedIndex();
        long fileChunks = (cluster.snapshots(lagging).size(installed) + 255) / 256;
        assertThat((long) cluster.chunksDelivered(lagging)).as("chunks sent for a file of %d", fileChunks)
                .isLessThanOrEqualTo(fileChunks + 4);
    }

    @Test
    void aNodeBelowItsDiskReserveRefusesProposalsAndResumesWhenSpaceReturns() throws Exception {
        cluster = new LocalCluster(1, CONFIG);
        int leader = awaitLeader();
        cluster.storage(leader).simulateLowSpace("disk-full: test");
        await().atMost(DEADLINE).until(() -> cluster.node(leader).storageError() != null);
        CompletableFuture<byte[]> refused = cluster.node(leader).propose(new byte[] {1});
        assertThat(refused).failsWithin(Duration.ofSeconds(1)).withThrowableThat()
                .havingCause().isInstanceOf(io.rrmq.raft.StorageFullException.class);
        cluster.storage(leader).simulateLowSpace(null);
        await().atMost(DEADLINE).until(() -> cluster.node(leader).storageError() == null);
        cluster.node(leader).propose(new byte[] {2}).get(5, SECONDS);
    }

    @Test
    void aFastWriterIsRefusedAfterAboutAMebibyteOfEntriesNotOnlyWhenTheClockSaysSo() throws Exception {
        // Free space is checked every 250 ms and after every MiB written: a writer faster than
        // that must not go through the reserve between two checks (a tmpfs ran out in DiskFullIT).
        cluster = new LocalCluster(1, CONFIG);
        int leader = awaitLeader();
        cluster.node(leader).propose(new byte[] {0}).get(5, SECONDS);
        cluster.storage(leader).simulateLowSpace("disk-full: test");
        byte[] data = new byte[64 << 10];
        long acceptedBytes = 0;
        for (int i = 0; i < 400; i++) { // 25 MiB, one proposal at a time
            try {
                cluster.node(leader).propose(data).get(5, SECONDS);
                acceptedBytes += data.length;
            } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e).hasCauseInstanceOf(io.rrmq.raft.StorageFullException.class);
                break;
            }
        }
        assertThat(acceptedBytes).as("bytes accepted once the disk was low").isLessThanOrEqualTo(2L << 20);
    }

    @Test
    void theLogStaysBoundedUnderSteadyLoad() throws Exception {
        cluster = new LocalCluster(1, CONFIG);
        int leader = awaitLeader();
        for (int round = 0; round < 10; round++) {
            proposeAll(leader, "r" + round + "-", 100);
        }
        await().atMost(DEADLINE).untilAsserted(() ->
                assertThat(cluster.storage(leader).currentEntries().size()).isLessThanOrEqualTo(2 * 50 + 10));
        assertThat(cluster.snapshots(leader).list()).hasSizeLessThanOrEqualTo(2);
    }
}

package io.rrmq.raft.runtime;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftObserver;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.raft.storage.MemoryRaftStorage;
import io.rrmq.raft.storage.MemorySnapshotStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RaftObserver}: what a running node reports, on which occasion. */
class RaftObserverTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private final RaftNode[] nodes = new RaftNode[2];
    private final Recorder[] recorders = {new Recorder(), new Recorder()};

    /** Counts every call; thread-safe, as the runtime calls it from several threads. */
    static final class Recorder implements RaftObserver {
        final AtomicInteger syncs = new AtomicInteger();
        final AtomicLong syncedEntries = new AtomicLong();
        final AtomicLong entriesSent = new AtomicLong();
        final ConcurrentHashMap<Integer, Long> matchIndex = new ConcurrentHashMap<>();
        final AtomicInteger applied = new AtomicInteger();
        final AtomicInteger ticks = new AtomicInteger();
        final List<RaftStatus> changes = new CopyOnWriteArrayList<>();

        @Override
        public void synced(long nanos, int entries) {
            assertThat(nanos).isNotNegative();
            syncs.incrementAndGet();
            syncedEntries.addAndGet(entries);
        }

        @Override
        public void appendEntriesSent(int peer, int entries) {
            entriesSent.addAndGet(entries);
        }

        @Override
        public void appendEntriesAcknowledged(int peer, long index) {
            matchIndex.merge(peer, index, Math::max);
        }

        @Override
        public void proposalApplied(long nanos) {
            applied.incrementAndGet();
        }

        @Override
        public void statusChanged(RaftStatus before, RaftStatus after) {
            changes.add(after);
        }

        @Override
        public void ticked(RaftStatus status) {
            ticks.incrementAndGet();
        }
    }

    @AfterEach
    void close() {
        for (RaftNode node : nodes) {
            if (node != null) {
                node.close();
            }
        }
    }

    @Test
    void reportsElectionReplicationSyncsAndAppliedProposals() throws Exception {
        for (int id = 0; id < 2; id++) {
            nodes[id] = RaftRuntime.start(RaftConfig.defaults(), id, io.rrmq.raft.Configuration.ofVoters(List.of(0, 1)), new RecordingStateMachine(),
                    new MemoryRaftStorage(), new MemorySnapshotStore(), m -> nodes[m.to()].receive(m), 11 + id,
                    recorders[id]);
        }
        await().atMost(DEADLINE).until(() -> nodes[0].status().role() == Role.LEADER
                || nodes[1].status().role() == Role.LEADER);
        int leader = nodes[0].status().role() == Role.LEADER ? 0 : 1;
        int follower = 1 - leader;

        for (int i = 0; i < 10; i++) {
            nodes[leader].propose(("m" + i).getBytes(StandardCharsets.UTF_8)).get(5, SECONDS);
        }

        Recorder l = recorders[leader];
        assertThat(l.applied.get()).isEqualTo(10);
        assertThat(l.entriesSent.get()).isGreaterThanOrEqualTo(10);
        long lastIndex = nodes[leader].status().lastLogIndex();
        await().atMost(DEADLINE).until(() -> l.matchIndex.getOrDefault(follower, 0L) == lastIndex);
        assertThat(l.syncs.get()).isPositive();
        assertThat(l.syncedEntries.get()).isGreaterThanOrEqualTo(10);
        assertThat(l.changes).anySatisfy(s -> assertThat(s.role()).isEqualTo(Role.LEADER));
        assertThat(recorders[follower].applied.get()).as("only the proposing node times proposals").isZero();
        assertThat(recorders[follower].changes).anySatisfy(s -> assertThat(s.leaderId()).isEqualTo(leader));
        int ticks = l.ticks.get();
        await().atMost(DEADLINE).until(() -> l.ticks.get() > ticks + 5);
        assertThat(nodes[leader].pendingProposals()).isZero();
    }
}

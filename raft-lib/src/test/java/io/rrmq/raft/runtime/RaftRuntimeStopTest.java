package io.rrmq.raft.runtime;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.NodeClosedException;
import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.Role;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.storage.MemoryRaftStorage;
import io.rrmq.raft.storage.MemorySnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RaftNode#stopped()}: how an embedder learns that a node stopped by itself, and why. */
class RaftRuntimeStopTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private RaftNode node;

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
    }

    private RaftNode startSingleNode(RaftStorage storage, StateMachine machine) throws IOException {
        node = RaftRuntime.start(RaftConfig.defaults(), 0, List.of(0), machine, storage, new MemorySnapshotStore(),
                m -> { }, 7);
        await().atMost(DEADLINE).until(() -> node.status().role() == Role.LEADER);
        return node;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void failedSyncStopsTheNodeAndReportsTheCause() throws Exception {
        FailingStorage storage = new FailingStorage();
        startSingleNode(storage, new RecordingStateMachine());
        node.propose(bytes("before")).get(5, SECONDS);
        assertThat(node.stopped()).isNotDone();

        storage.failSyncs.set(true);
        var lost = node.propose(bytes("during"));

        assertThatThrownBy(() -> node.stopped().get(5, SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class).hasMessageContaining("injected fsync failure");
        assertThatThrownBy(() -> lost.get(5, SECONDS)).cause().isInstanceOf(NodeClosedException.class);
        assertThatThrownBy(() -> node.propose(bytes("after")).get(5, SECONDS))
                .cause().isInstanceOf(NodeClosedException.class);
    }

    @Test
    void stateMachineThatThrowsStopsTheNode() throws Exception {
        RecordingStateMachine recording = new RecordingStateMachine();
        StateMachine machine = new StateMachine() {
            @Override
            public byte[] apply(long index, byte[] command) {
                if (new String(command, StandardCharsets.UTF_8).equals("poison")) {
                    throw new IllegalStateException("broken invariant while applying " + index);
                }
                return recording.apply(index, command);
            }

            @Override
            public void writeSnapshot(OutputStream out) throws IOException {
                recording.writeSnapshot(out);
            }

            @Override
            public void restoreSnapshot(InputStream in) throws IOException {
                recording.restoreSnapshot(in);
            }
        };
        startSingleNode(new MemoryRaftStorage(), machine);
        node.propose(bytes("poison"));

        assertThatThrownBy(() -> node.stopped().get(5, SECONDS))
                .cause().isInstanceOf(IllegalStateException.class).hasMessageContaining("broken invariant");
    }

    @Test
    void closeCompletesStoppedNormally() throws Exception {
        startSingleNode(new MemoryRaftStorage(), new RecordingStateMachine());
        node.propose(bytes("m")).get(5, SECONDS);

        node.close();

        assertThat(node.stopped().get(5, SECONDS)).isNull();
        assertThat(node.stopped()).isNotCompletedExceptionally();
    }

    @Test
    void afterACleanCloseProposalsAndReadsAreRefusedAsNotAcceptedNotAsUnknown() throws Exception {
        startSingleNode(new MemoryRaftStorage(), new RecordingStateMachine());
        node.propose(bytes("m")).get(5, SECONDS);

        node.close();

        // Nothing is appended after close: a client may go elsewhere without counting an unknown outcome.
        assertThatThrownBy(() -> node.propose(bytes("late")).get(5, SECONDS))
                .cause().isInstanceOf(NotLeaderException.class);
        assertThatThrownBy(() -> node.readIndex().get(5, SECONDS))
                .cause().isInstanceOf(NotLeaderException.class);
    }

    /** Memory storage whose {@link #sync} fails once {@link #failSyncs} is set, as a dying disk's fsync would. */
    private static final class FailingStorage implements RaftStorage {
        private final MemoryRaftStorage delegate = new MemoryRaftStorage();
        final AtomicBoolean failSyncs = new AtomicBoolean();

        @Override
        public Stored load() throws IOException {
            return delegate.load();
        }

        @Override
        public void saveHardState(HardState state) throws IOException {
            delegate.saveHardState(state);
        }

        @Override
        public void truncateSuffix(long fromIndex) throws IOException {
            delegate.truncateSuffix(fromIndex);
        }

        @Override
        public void append(List<LogEntry> entries) throws IOException {
            delegate.append(entries);
        }

        @Override
        public void compactPrefix(long upToIndex) throws IOException {
            delegate.compactPrefix(upToIndex);
        }

        @Override
        public void sync() throws IOException {
            if (failSyncs.get()) {
                throw new IOException("injected fsync failure");
            }
            delegate.sync();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}

package io.rrmq.example.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.Role;
import io.rrmq.raft.runtime.RaftRuntime;
import io.rrmq.raft.storage.MemoryRaftStorage;
import io.rrmq.raft.storage.MemorySnapshotStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The line protocol on a one-node group: answers, and bad requests that change nothing. */
class KvServerTest {
    private RaftNode node;
    private KvServer server;

    @BeforeEach
    void startALeader() throws Exception {
        node = RaftRuntime.start(RaftConfig.defaults(), 1, List.of(1), new KvStateMachine(), new MemoryRaftStorage(),
                new MemorySnapshotStore(), message -> { }, 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> node.status().role() == Role.LEADER);
        server = new KvServer(node, Map.of());
    }

    @AfterEach
    void close() {
        node.close();
    }

    @Test
    void putThenGetAnswersTheValue() {
        assertThat(server.answer("GET colour")).isEqualTo("NONE");
        assertThat(server.answer("PUT colour dark blue")).isEqualTo("OK");
        assertThat(server.answer("get colour")).isEqualTo("VALUE dark blue");
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        assertThat(server.answer("PUT colour red")).isEqualTo("OK");
        long logEnd = node.status().lastLogIndex();
        assertThat(server.answer("PUT colour")).startsWith("ERR");
        assertThat(server.answer("DELETE colour")).startsWith("ERR");
        assertThat(server.answer("")).startsWith("ERR");
        assertThat(server.answer("PUT colour " + "x".repeat(10_000))).startsWith("ERR");
        assertThat(node.status().lastLogIndex()).as("nothing appended").isEqualTo(logEnd);
        assertThat(server.answer("GET colour")).isEqualTo("VALUE red");
    }
}

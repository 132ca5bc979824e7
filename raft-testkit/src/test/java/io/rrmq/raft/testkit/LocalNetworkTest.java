package io.rrmq.raft.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.Role;
import io.rrmq.raft.runtime.RaftRuntime;
import io.rrmq.raft.storage.MemoryRaftStorage;
import io.rrmq.raft.storage.MemorySnapshotStore;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Three real runtimes on the in-memory transport: the quick start of raft-lib/README.md, and a failover. */
class LocalNetworkTest {
    private final LocalNetwork network = new LocalNetwork();
    private final List<RaftNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(RaftNode::close);
    }

    private Optional<RaftNode> leader() {
        return nodes.stream().filter(n -> n.status().role() == Role.LEADER).findFirst();
    }

    private static byte[] add(long n) {
        return ByteBuffer.allocate(8).putLong(n).array();
    }

    @Test
    void aLeaderIsElectedAndAnotherTakesOverWhenItIsCutOff() throws Exception {
        for (int id = 1; id <= 3; id++) {
            RaftNode node = RaftRuntime.start(RaftConfig.defaults(), id, List.of(1, 2, 3),
                    new CounterSimulationExampleTest.Counter(), new MemoryRaftStorage(), new MemorySnapshotStore(),
                    network.transport(), id);
            network.register(node);
            nodes.add(node);
        }
        RaftNode first = await().atMost(Duration.ofSeconds(10)).until(this::leader, Optional::isPresent).get();
        assertThat(ByteBuffer.wrap(first.propose(add(5)).get()).getLong()).isEqualTo(5);

        network.isolate(first.id());
        RaftNode second = await().atMost(Duration.ofSeconds(10))
                .until(() -> nodes.stream().filter(n -> n != first && n.status().role() == Role.LEADER).findFirst(),
                        Optional::isPresent).get();
        assertThat(ByteBuffer.wrap(second.propose(add(2)).get()).getLong()).isEqualTo(7);
    }
}

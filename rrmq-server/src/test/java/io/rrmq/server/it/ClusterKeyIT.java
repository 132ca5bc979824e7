package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.security.ClusterKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes spawned at the same instant with no key file create one key between them, and form a cluster. */
class ClusterKeyIT {
    private static final Duration START = Duration.ofSeconds(15);

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
    void nodesStartedTogetherAgreeOnOneKeyAndFormACluster() throws Exception {
        cluster = ClusterProcesses.create(3, work, "ClusterKeyIT");
        Path clusterDir = work.resolve(ClusterConfig.load(cluster.configPath()).clusterId());
        assertThat(clusterDir.resolve(ClusterKey.FILE_NAME)).doesNotExist();

        CountDownLatch go = new CountDownLatch(1);
        List<Thread> starters = new ArrayList<>();
        List<Exception> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (NodeProcess node : cluster.nodes()) {
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    node.start();
                } catch (Exception e) {
                    failures.add(e);
                }
            });
            t.start();
            starters.add(t);
        }
        go.countDown();
        for (Thread t : starters) {
            t.join();
        }
        assertThat(failures).isEmpty();
        cluster.awaitAllHttp(START);
        NodeProcess leader = cluster.awaitLeader(START);

        assertThat(new ApiClient(leader.url()).createTopic("t").statusCode()).as("a write commits").isEqualTo(200);
        try (var files = Files.list(clusterDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(ClusterKey.FILE_NAME)))
                    .as("one key, no temporary file left").containsExactly(ClusterKey.FILE_NAME);
        }
        for (NodeProcess node : cluster.nodes()) {
            assertThat(node.log()).contains(clusterDir.resolve(ClusterKey.FILE_NAME).toString());
            assertThat(node.log()).doesNotContain("bad signature");
        }
    }
}

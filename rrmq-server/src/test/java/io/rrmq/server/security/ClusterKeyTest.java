package io.rrmq.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterKeyTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStartCreatesAKeyOnlyItsOwnerCanRead() throws Exception {
        Path clusterDir = dir.resolve("rrmq-data").resolve("abc");
        ClusterKey key = ClusterKey.loadOrCreate(ClusterKey.locate(Optional.empty(), Map.of(), clusterDir));

        assertThat(key.file()).isEqualTo(clusterDir.resolve("cluster.key"));
        assertThat(Files.readString(key.file()).strip()).matches("[0-9a-f]{64}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key.file()))).isEqualTo("rw-------");
        assertThat(key.readableByOthers()).isFalse();
        try (var leftovers = Files.list(clusterDir)) {
            assertThat(leftovers).containsExactly(key.file()); // no temporary file left behind
        }
        ClusterKey again = ClusterKey.loadOrCreate(ClusterKey.locate(Optional.empty(), Map.of(), clusterDir));
        assertThat(again.bytes()).isEqualTo(key.bytes());
    }

    @Test
    void nodesStartingAtTheSameInstantAllEndUpWithOneKey() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                Path clusterDir = dir.resolve("round-" + round);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<byte[]>> starts = new ArrayList<>();
                for (int node = 0; node < 8; node++) {
                    starts.add(pool.submit(() -> {
                        go.await();
                        return ClusterKey.loadOrCreate(ClusterKey.locate(Optional.empty(), Map.of(), clusterDir)).bytes();
                    }));
                }
                go.countDown();
                Set<String> keys = new HashSet<>();
                for (Future<byte[]> f : starts) {
                    keys.add(Arrays.toString(f.get(10, TimeUnit.SECONDS)));
                }
                assertThat(keys).as("round " + round).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anExplicitFileMustExistAndHoldAKey() throws Exception {
        Path missing = dir.resolve("missing.key");
        assertThatThrownBy(() -> ClusterKey.loadOrCreate(ClusterKey.locate(Optional.of(missing), Map.of(), dir)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
        assertThat(missing).doesNotExist();

        Path bad = Files.writeString(dir.resolve("bad.key"), "not a key\n");
        assertThatThrownBy(() -> ClusterKey.load(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("64 hexadecimal characters");
    }

    @Test
    void theOptionWinsOverTheEnvironmentWhichWinsOverTheDefault() {
        Path option = dir.resolve("a.key");
        Map<String, String> env = Map.of(ClusterKey.ENV_FILE, dir.resolve("b.key").toString());
        assertThat(ClusterKey.locate(Optional.of(option), env, dir).file()).isEqualTo(option);
        assertThat(ClusterKey.locate(Optional.empty(), env, dir).file()).isEqualTo(dir.resolve("b.key"));
        assertThat(ClusterKey.locate(Optional.empty(), Map.of(), dir).file()).isEqualTo(dir.resolve("cluster.key"));
        assertThat(ClusterKey.locate(Optional.empty(), Map.of(), dir).createIfMissing()).isTrue();
        assertThat(ClusterKey.locate(Optional.empty(), env, dir).createIfMissing()).isFalse();
    }
}

package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose data directory runs out of space, on a real, small tmpfs: it stops acknowledging
 * writes (503 disk-full), says so in /status, keeps its log intact, and resumes when space returns.
 * Needs root to mount the tmpfs (CI runs as root); skipped otherwise.
 */
class DiskFullIT {
    private static final Duration START = Duration.ofSeconds(15);
    private static final int MIB = 1 << 20;

    @TempDir
    Path work;
    private Path mount;
    private ClusterProcesses cluster;

    @AfterEach
    void cleanUp() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (mount != null) {
            run("umount", mount.toString());
        }
    }

    @Test
    void aFullDiskGets503DiskFullKeepsTheLogIntactAndResumesWhenSpaceReturns() throws Exception {
        mount = work.resolve("tmpfs");
        Files.createDirectories(mount);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", mount.toString()) == 0,
                "cannot mount a tmpfs here (not root?)");
        cluster = ClusterProcesses.create(1, mount, "DiskFullIT", List.of("-Xmx128m",
                "-Drrmq.disk.reserve=" + 8 * MIB, "-Drrmq.segment.bytes=" + MIB));
        Path filler = mount.resolve("filler");
        Files.write(filler, new byte[18 * MIB]); // leaves about 14 MiB: 6 above the reserve
        NodeProcess node = cluster.node(0).start();
        node.awaitHttp(START);
        cluster.awaitLeader(START);
        ApiClient api = new ApiClient(node.url());
        api.createTopic("big");

        String payload = "d".repeat(64 << 10);
        List<String> acknowledged = new ArrayList<>();
        HttpResponse<String> refused = null;
        for (int i = 0; i < 400 && refused == null; i++) { // 400 x 64 KiB = 25 MiB > what is free
            HttpResponse<String> r = api.putMessage("big", i + payload);
            if (r.statusCode() == 200) {
                acknowledged.add(i + payload);
            } else {
                refused = r;
            }
        }

        assertThat(refused).as("a write refused before the disk filled up").isNotNull();
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("X-RRMQ-Error")).hasValue("disk-full");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        assertThat(cluster.status(node).orElseThrow()).contains("\"storageError\":\"disk-full");
        assertThat(acknowledged).hasSizeGreaterThan(10);

        Files.delete(filler);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.putMessage("big", "after").statusCode() == 200);
        acknowledged.add("after");
        assertThat(cluster.status(node).orElseThrow()).contains("\"storageError\":null");

        node.kill();
        node.start().awaitHttp(START);
        cluster.awaitLeader(START);
        assertThat(new RetryingApi(cluster).drain("big"))
                .as("every acknowledged message survived, in order, and nothing else").isEqualTo(acknowledged);
    }

    /**
     * With no reserve, a write that fails for lack of space stops the engine: the node logs why and
     * exits 3 (crash-only), and the other two nodes carry on without losing anything acknowledged.
     */
    @Test
    void aNodeWhoseLogWriteFailsExitsAndTheClusterCarriesOn() throws Exception {
        cluster = ClusterProcesses.create(3, work.resolve("cluster"), "DiskFullIT-write-fails", List.of("-Xmx128m",
                "-Drrmq.disk.reserve=0", "-Drrmq.segment.bytes=" + MIB));
        NodeProcess victim = cluster.node(2);
        mount = victim.dataDir();
        Files.createDirectories(mount);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.toString()) == 0,
                "cannot mount a tmpfs here (not root?)");
        cluster.startAll().awaitAllHttp(START);
        cluster.awaitLeader(START);
        RetryingApi api = new RetryingApi(cluster);
        assertThat(new ApiClient(cluster.awaitLeader(START).url()).createTopic("big").statusCode()).isEqualTo(200);

        String payload = "w".repeat(64 << 10);
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 160; i++) { // 160 x 64 KiB = 10 MiB: more than the victim's 6 MiB
            api.put("big", i + payload);
            acknowledged.add(i + payload);
        }

        assertThat(victim.awaitExit(Duration.ofSeconds(10))).as("exit status of the node whose disk filled").isEqualTo(3);
        // Whichever write meets the full disk first: the Raft log's, or the message store's at apply.
        assertThat(victim.log()).containsAnyOf("storage failed", "writing message store segment")
                .contains("No space left on device").contains("the Raft engine stopped");
        assertThat(api.drain("big")).as("every acknowledged message, in order").isEqualTo(acknowledged);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}

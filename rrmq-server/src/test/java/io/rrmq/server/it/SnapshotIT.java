package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots, compaction and InstallSnapshot through real processes, with small thresholds passed as
 * {@code rrmq.*} system properties (see {@code StorageSettings}).
 */
class SnapshotIT {
    private static final Duration START = Duration.ofSeconds(15);
    private static final List<String> SMALL = List.of("-Xmx128m", "-Drrmq.snapshot.entries=200",
            "-Drrmq.snapshot.trailing=0", "-Drrmq.segment.bytes=16384");
    private static final Pattern COMMIT = Pattern.compile("\"commitIndex\":(\\d+)");
    private static final Pattern APPLIED = Pattern.compile("\"lastApplied\":(\\d+)");
    private static final Pattern INSTALLED = Pattern.compile("\"snapshotsInstalled\":(\\d+)");

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
    void aFollowerStoppedWhileManyEntriesCommitCatchesUpThroughInstallSnapshot() throws Exception {
        cluster = ClusterProcesses.create(3, work, "SnapshotIT-catch-up", SMALL);
        cluster.startAll().awaitAllHttp(START);
        NodeProcess leader = cluster.awaitLeader(START);
        NodeProcess stopped = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        NodeProcess other = cluster.nodes().stream().filter(n -> n != leader && n != stopped).findFirst().orElseThrow();
        ApiClient api = new ApiClient(leader.url());
        assertThat(api.createTopic("q").statusCode()).isEqualTo(200);
        stopped.terminate();
        List<String> expected = new ArrayList<>();
        RetryingApi careful = new RetryingApi(cluster);
        for (int i = 0; i < 1200; i++) {
            careful.put("q", "m" + i);
            expected.add("m" + i);
        }
        for (int i = 0; i < 100; i++) { // pops are entries too
            assertThat(careful.pop("q").body()).isEqualTo("{\"success\":true,\"message\":\"" + expected.remove(0) + "\"}");
        }
        stopped.start().awaitHttp(START);
        long target = number(COMMIT, cluster.status(leader).orElseThrow());
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            String s = cluster.status(stopped).orElseThrow();
            assertThat(number(APPLIED, s)).isGreaterThanOrEqualTo(target);
            assertThat(number(INSTALLED, s)).isPositive();
        });
        // Identical data: leave the caught-up node as the only one with the data and make it serve.
        leader.kill();
        other.kill();
        deleteRecursively(other.dataDir());
        other.start().awaitHttp(START);
        NodeProcess next = cluster.awaitLeader(START);
        assertThat(next).isSameAs(stopped); // the wiped node's empty log cannot win an election
        // The wiped node catches up from a leader whose own state came by InstallSnapshot.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() ->
                assertThat(number(INSTALLED, cluster.status(other).orElseThrow())).isPositive());
        assertThat(drain("q")).isEqualTo(expected);
    }

    @Test
    void aPutAndPopSoakKeepsTheDataDirectoryBounded() throws Exception {
        cluster = ClusterProcesses.create(1, work, "SnapshotIT-soak", SMALL);
        cluster.startAll().awaitAllHttp(START);
        NodeProcess node = cluster.awaitLeader(START);
        ApiClient api = new ApiClient(node.url());
        api.createTopic("soak");
        String body = "x".repeat(200);
        long start = size(node.dataDir());
        long peak = start;
        for (int round = 0; round < 4000; round++) {
            assertThat(api.putMessage("soak", body + round).statusCode()).isEqualTo(200);
            assertThat(api.popMessage("soak").statusCode()).isEqualTo(200);
            if (round % 200 == 0) {
                peak = Math.max(peak, size(node.dataDir()));
            }
        }
        long end = size(node.dataDir());
        peak = Math.max(peak, end);
        System.out.printf("soak of 8000 entries (4000 x 200-byte puts and their pops): data directory %,d bytes at start,"
                + " %,d peak, %,d at the end%n", start, peak, end);
        // About one snapshot (empty queue: tiny) plus a few 16 KiB segments.
        assertThat(end).isLessThan(256 << 10);
        assertThat(peak).isLessThan(512 << 10);
    }

    /**
     * Bytes in the files under {@code dir}, each file once whatever its names (a checkpoint hard-links
     * the store's segment files); the node deletes files meanwhile, so retry a torn walk.
     */
    private static long size(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> files = Files.walk(dir)) {
                Set<Object> seen = new HashSet<>();
                return files.filter(Files::isRegularFile).mapToLong(f -> {
                    try {
                        BasicFileAttributes attributes = Files.readAttributes(f, BasicFileAttributes.class);
                        return attributes.fileKey() == null || seen.add(attributes.fileKey()) ? attributes.size() : 0;
                    } catch (IOException e) {
                        return 0; // deleted meanwhile
                    }
                }).sum();
            } catch (java.io.UncheckedIOException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static long number(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            throw new AssertionError("no " + p + " in " + s);
        }
        return Long.parseLong(m.group(1));
    }

    private List<String> drain(String topic) {
        return new RetryingApi(cluster).drain(topic);
    }
}

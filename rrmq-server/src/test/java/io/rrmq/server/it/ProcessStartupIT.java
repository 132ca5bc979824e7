package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up behaviour of the process: exit codes for bad configuration, default data directory, timing. */
class ProcessStartupIT {
    @TempDir
    Path work;

    private record Run(int exit, String output) {
    }

    private Run run(Path directory, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(NodeProcess.javaExecutable(), "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-jar", NodeProcess.serverJar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(directory.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not exit");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void configurationErrorsExitWith2AndOneClearLine() throws Exception {
        Files.writeString(work.resolve("bad.json"), "{\"addresses\": [{\"ip\": \"https://x\", \"port\": 1}]}");
        Files.writeString(work.resolve("one.json"), "{\"addresses\": [{\"ip\": \"127.0.0.1\", \"port\": 1}]}");
        List<String[]> cases = List.of(
                new String[] {},
                new String[] {"missing.json", "0"},
                new String[] {"bad.json", "0"},
                new String[] {"one.json", "1"},
                new String[] {"one.json", "zero"},
                new String[] {"one.json", "0", "--bogus"});
        for (String[] args : cases) {
            Run r = run(work, args);
            String what = String.join(" ", args);
            assertThat(r.exit()).as(what).isEqualTo(2);
            assertThat(r.output().strip()).as(what).startsWith("rrmq-server: ").doesNotContain("\n")
                    .doesNotContain("Exception");
        }
        assertThat(run(work, "--help").exit()).isZero();
    }

    @Test
    void defaultDataDirectoryIsPerClusterUnderTheWorkingDirectoryAndPrinted() throws Exception {
        int port = ClusterProcesses.freePorts(1)[0];
        Files.writeString(work.resolve("c.json"), "{\"addresses\": [{\"ip\": \"http://127.0.0.1\", \"port\": " + port + "}]}");
        List<String> cmd = List.of(NodeProcess.javaExecutable(), "-XX:+UseSerialGC", "-jar",
                NodeProcess.serverJar().toString(), "c.json", "0");
        Path log = work.resolve("out.log");
        Process p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15))
                    .until(() -> Files.readString(log).contains("running"));
            String out = Files.readString(log);
            assertThat(out).containsPattern("data directory \\S*rrmq-data/[0-9a-f]{12}/node-0 ");
            try (var dirs = Files.list(work.resolve("rrmq-data"))) {
                assertThat(dirs.toList()).hasSize(1);
            }
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    /** Prints spawn-to-first-answer figures; asserts only the harness's hard 2 s bound on the median. */
    @Test
    void measuresSpawnToFirstHttpAnswer() throws Exception {
        List<Long> millis = new ArrayList<>();
        try (ClusterProcesses cluster = ClusterProcesses.create(1, work, "ProcessStartupIT-timing")) {
            NodeProcess node = cluster.node(0);
            for (int i = 0; i < 10; i++) {
                node.start();
                millis.add(node.awaitHttp(Duration.ofSeconds(10)).toMillis());
                node.terminate();
            }
        }
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        long median = (sorted.get(4) + sorted.get(5)) / 2;
        System.out.printf("spawn -> first GET / answer over 10 starts: median %d ms, max %d ms, all %s%n",
                median, sorted.get(9), millis);
        assertThat(median).isLessThan(2000);
    }
}

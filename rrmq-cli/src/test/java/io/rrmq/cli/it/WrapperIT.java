package io.rrmq.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.server.it.ClusterProcesses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real thing: the repo's {@code ./rrmq} wrapper running the shaded jar, as separate processes. */
class WrapperIT {
    record Run(int exitCode, String out, String err) {
    }

    private static Path wrapper() {
        Path path = Path.of(System.getProperty("rrmq.cli.wrapper", "../rrmq")).toAbsolutePath().normalize();
        assertThat(path).isRegularFile().isExecutable();
        assertThat(Path.of(System.getProperty("rrmq.cli.jar", "target/rrmq-cli.jar"))).isRegularFile();
        return path;
    }

    /** Runs {@code ./rrmq args} in {@code dir} (so that ./config.json is the cluster's) with {@code stdin}. */
    private static Run rrmq(Path dir, String stdin, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = wrapperProcess(dir, args);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("rrmq finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** {@code ./rrmq args} to run in {@code dir}, with this JVM's java and no {@code $RRMQ_NODES}. */
    private static ProcessBuilder wrapperProcess(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(wrapper().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().put("RRMQ_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().remove("RRMQ_NODES");
        return pb;
    }

    @Test
    void theWrapperRunsTheShadedJarWithTheDefaultConfig(@TempDir Path dir) throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.create(1, dir.resolve("node"), "cli-wrapper")) {
            cluster.startAll().awaitAllHttp(Duration.ofSeconds(10));
            cluster.awaitLeader(Duration.ofSeconds(10));
            Files.copy(cluster.configPath(), dir.resolve("config.json"));

            assertThat(rrmq(dir, "", "create-topic", "jobs").exitCode()).isZero();
            Run put = rrmq(dir, "from stdin\n", "put", "jobs");
            assertThat(put.exitCode()).as(put.err()).isZero();
            assertThat(put.out()).isEqualTo("OK\n");
            Run get = rrmq(dir, "", "get", "jobs");
            assertThat(get).isEqualTo(new Run(0, "from stdin\n", ""));
            Run empty = rrmq(dir, "", "get", "jobs");
            assertThat(empty.exitCode()).isEqualTo(1);
            assertThat(empty.out()).isEmpty();
            assertThat(empty.err()).isEqualTo("rrmq: queue is empty: jobs\n");
            assertThat(rrmq(dir, "", "bogus").exitCode()).isEqualTo(2);
            assertThat(rrmq(dir, "", "completion").out()).contains("complete -F");
        }
    }

    @Test
    void statusWatchRunsUntilCtrlCAndThenExits0(@TempDir Path dir) throws Exception {
        try (ClusterProcesses cluster = ClusterProcesses.create(1, dir.resolve("node"), "cli-watch")) {
            cluster.startAll().awaitAllHttp(Duration.ofSeconds(10));
            cluster.awaitLeader(Duration.ofSeconds(10));
            Files.copy(cluster.configPath(), dir.resolve("config.json"));
            ProcessBuilder pb = wrapperProcess(dir, "status", "--watch");
            Path out = dir.resolve("watch.txt");
            pb.redirectOutput(out.toFile()).redirectErrorStream(true);
            Process watch = pb.start();
            try {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                        .until(() -> Files.readString(out).split("Every 1s: rrmq status", -1).length > 2);
                assertThat(watch.isAlive()).as("still refreshing").isTrue();
                // Ctrl-C: SIGINT to the JVM (the wrapper execs java, so this is its PID)
                assertThat(new ProcessBuilder("kill", "-INT", Long.toString(watch.pid())).start().waitFor()).isZero();
                assertThat(watch.waitFor(10, TimeUnit.SECONDS)).as("stopped by Ctrl-C").isTrue();
                assertThat(watch.exitValue()).as(Files.readString(out)).isZero();
                assertThat(Files.readString(out)).contains(" Leader ");
            } finally {
                watch.destroyForcibly();
            }
        }
    }
}

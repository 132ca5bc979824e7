package io.rrmq.server.it;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One {@code rrmq-server} child process, started from the shaded jar, for process-level tests.
 *
 * <p>Every process started is remembered until it has exited; a JVM shutdown hook kills whatever is
 * still alive, so a crashed or timed-out test run never leaves nodes behind. Tests should still stop
 * their nodes themselves ({@link ClusterProcesses#close()}) in {@code @AfterEach}.
 */
public final class NodeProcess {
    /** Every child started and not yet seen dead. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                p.destroyForcibly();
            }
        }, "node-process-reaper"));
    }

    private final int index;
    private final int port;
    private final int peerPort;
    private final Path configPath;
    private final Path dataDir;
    private final Path logFile;
    private final HttpClient probe;
    private final String scheme;
    private volatile List<String> jvmFlags;
    /** For a node that joins a running cluster: the URL it joins through; null for a member of the file. */
    private final String joinUrl;
    private Process process;
    private long startedAtNanos;

    /** A node speaking plain HTTP. */
    NodeProcess(int index, int port, int peerPort, Path configPath, Path dataDir, Path logFile, List<String> jvmFlags) {
        this(index, port, peerPort, configPath, dataDir, logFile, jvmFlags, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(500)).build(), "http");
    }

    /** @param probe a client that speaks {@code scheme} to the node */
    NodeProcess(int index, int port, int peerPort, Path configPath, Path dataDir, Path logFile, List<String> jvmFlags,
                HttpClient probe, String scheme) {
        this(index, port, peerPort, configPath, dataDir, logFile, jvmFlags, probe, scheme, null);
    }

    /** @param joinUrl a member to join through ({@code --join}), or null for a member of the config file */
    NodeProcess(int index, int port, int peerPort, Path configPath, Path dataDir, Path logFile, List<String> jvmFlags,
                HttpClient probe, String scheme, String joinUrl) {
        this.joinUrl = joinUrl;
        this.probe = probe;
        this.scheme = scheme;
        this.index = index;
        this.port = port;
        this.peerPort = peerPort;
        this.configPath = configPath;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.jvmFlags = List.copyOf(jvmFlags);
    }

    /** The server jar under test: system property {@code rrmq.server.jar} (set by failsafe). */
    public static Path serverJar() {
        String jar = System.getProperty("rrmq.server.jar", "target/rrmq-server.jar");
        Path path = Path.of(jar).toAbsolutePath();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("server jar not found: " + path + " (run mvn package first)");
        }
        return path;
    }

    /** The java launcher of the JVM running the tests. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The launcher the grading harness runs, {@code src/node.py}: system property
     * {@code rrmq.launcher} (set by failsafe). It execs java, so the child's PID is the node's.
     */
    public static Path launcher() {
        Path path = Path.of(System.getProperty("rrmq.launcher", "../src/node.py")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("launcher not found: " + path);
        }
        return path;
    }

    /** The command line that starts this node: {@code python3 src/node.py CONFIG INDEX --data-dir DIR}. */
    public List<String> command() {
        List<String> cmd = new ArrayList<>();
        cmd.add("python3");
        cmd.add(launcher().toString());
        if (joinUrl != null) {
            cmd.addAll(List.of("--join", joinUrl, "--address", url()));
        } else {
            cmd.add(configPath.toString());
            cmd.add(Integer.toString(index));
        }
        cmd.add("--data-dir");
        cmd.add(dataDir.toString());
        return cmd;
    }

    /** JVM flags for the next {@link #start()}: a restart with other settings, as an operator's rolling restart. */
    public NodeProcess jvmFlags(List<String> flags) {
        this.jvmFlags = List.copyOf(flags);
        return this;
    }

    /** Spawns the node (again, after a stop: same config, same data directory). Output is appended to the log file. */
    public synchronized NodeProcess start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + index + " is already running");
        }
        Files.createDirectories(logFile.getParent());
        Files.writeString(logFile, "=== start " + String.join(" ", command()) + " RRMQ_JVM_OPTS=" + String.join(" ", jvmFlags) + System.lineSeparator(),
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(command());
        // The JVM running the tests runs the nodes too; the extra flags come after node.py's own.
        pb.environment().put("RRMQ_JAVA", javaExecutable());
        pb.environment().put("RRMQ_JVM_OPTS", String.join(" ", jvmFlags));
        // The data root holds the cluster key (<root>/<cluster-id>/cluster.key): the test's own directory.
        pb.environment().put("RRMQ_DATA_DIR", dataDir.getParent().toString());
        pb.environment().remove("RRMQ_CLUSTER_KEY_FILE");
        pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        startedAtNanos = System.nanoTime();
        process = pb.start();
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return this;
    }

    /** Polls {@code GET /} until it answers, and returns how long after spawning that was. */
    public Duration awaitHttp(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(10)).pollDelay(Duration.ZERO)
                .ignoreExceptions()
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new AssertionError("node " + index + " exited with " + process.exitValue()
                                + "; log:\n" + log());
                    }
                    return probe();
                });
        return Duration.ofNanos(System.nanoTime() - startedAtNanos);
    }

    private boolean probe() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url() + "/"))
                .timeout(requestTimeout()).GET().build();
        return probe.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /** SIGTERM, then SIGKILL if still alive after {@code grace}. Returns the exit code. */
    public int terminate(Duration grace) throws InterruptedException {
        try {
            return terminateOrThrow(grace);
        } catch (IOException e) {
            kill();
            return process.exitValue();
        }
    }

    private int terminateOrThrow(Duration grace) throws InterruptedException, IOException {
        Process p = process;
        if (p == null) {
            return -1;
        }
        if (isStopped()) {
            resume(); // a stopped process cannot act on SIGTERM
        }
        p.destroy();
        if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        return p.exitValue();
    }

    /** SIGTERM with the harness's 5 s grace period. */
    public int terminate() throws InterruptedException {
        return terminate(Duration.ofSeconds(5));
    }

    /** kill -9: no shutdown hook runs. */
    public void kill() throws InterruptedException {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private boolean stopped;

    /** kill -STOP: the process freezes; its sockets stay open. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
        stopped = true;
    }

    /** kill -CONT. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
        stopped = false;
    }

    public boolean isStopped() {
        return stopped && isAlive();
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + pid() + " failed");
        }
    }

    /** Waits for the process to exit by itself. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("node " + index + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public int index() {
        return index;
    }

    public int port() {
        return port;
    }

    /** The port of the node's Raft listener: its {@code internal_port}, or {@link #port()}. */
    public int peerPort() {
        return peerPort;
    }

    /**
     * How long a probe or status request may take: 500 ms, but 3 s over TLS, where a first handshake
     * with a cold JVM on a loaded machine can take longer than 500 ms, and a retry only starts over.
     */
    Duration requestTimeout() {
        return scheme.equals("https") ? Duration.ofSeconds(3) : Duration.ofMillis(500);
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://} in a TLS cluster. */
    public String url() {
        return scheme + "://127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    /** Everything the node printed so far, across restarts. */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}

package io.rrmq.server.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N {@code rrmq-server} processes of one cluster on free loopback ports, for process-level tests.
 *
 * <pre>{@code
 * try (ClusterProcesses cluster = ClusterProcesses.create(3, tempDir, "my-test")) {
 *     cluster.startAll().awaitAllHttp(Duration.ofSeconds(5));
 *     NodeProcess leader = cluster.awaitLeader(Duration.ofSeconds(5));
 *     leader.kill();                       // kill -9
 *     cluster.node(1).pause();             // kill -STOP ... resume() sends kill -CONT
 *     cluster.node(0).terminate();         // SIGTERM, SIGKILL after 5 s
 *     cluster.node(0).start();             // same config, same data directory
 * }
 * }</pre>
 * {@link #close()} stops every node that is still running, whatever happened in the test.
 * Node logs go to {@code target/it-logs/<name>/node-<i>.log}; data to {@code <workDir>/node-<i>}.
 */
public final class ClusterProcesses implements AutoCloseable {
    private static final Pattern ROLE = Pattern.compile("\"role\":\"(\\w+)\"");
    private static final Pattern TERM = Pattern.compile("\"term\":(\\d+)");
    private static final Pattern COMMIT = Pattern.compile("\"commitIndex\":(\\d+)");

    private final Path configPath;
    private final List<NodeProcess> nodes;
    private final HttpClient client;

    private final String name;

    private ClusterProcesses(Path configPath, List<NodeProcess> nodes, HttpClient client, String name) {
        this.configPath = configPath;
        this.nodes = new java.util.concurrent.CopyOnWriteArrayList<>(nodes);
        this.client = client;
        this.name = name;
    }

    /**
     * A new node (not started) that joins this cluster through node 0 ({@code --join}, plain HTTP),
     * with its data directory beside the others'; {@link #close()} stops it with the rest.
     */
    public NodeProcess newJoiner() throws IOException {
        int number = nodes.size();
        int port = freePorts(1)[0];
        Path log = Path.of("target", "it-logs", name).toAbsolutePath().resolve("node-" + number + ".log");
        Files.deleteIfExists(log);
        NodeProcess joiner = new NodeProcess(number, port, port, configPath,
                configPath.getParent().resolve("node-" + number), log, List.of("-Xmx128m"), client, "http",
                nodes.get(0).url());
        nodes.add(joiner);
        return joiner;
    }

    private static HttpClient plainClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(500)).build();
    }

    /** Picks {@code size} free loopback ports and writes the config (bare {@code ip}, as the grader does). */
    public static ClusterProcesses create(int size, Path workDir, String name) throws IOException {
        return create(size, workDir, name, List.of("-Xmx128m"));
    }

    public static ClusterProcesses create(int size, Path workDir, String name, List<String> jvmFlags)
            throws IOException {
        return create(size, workDir, name, jvmFlags, false);
    }

    /** Like {@link #create(int, Path, String, List)}; with {@code peerPorts}, every node gets an {@code internal_port}. */
    public static ClusterProcesses create(int size, Path workDir, String name, List<String> jvmFlags, boolean peerPorts)
            throws IOException {
        Set<Integer> withPeerPort = new java.util.HashSet<>();
        for (int i = 0; peerPorts && i < size; i++) {
            withPeerPort.add(i);
        }
        return create(size, workDir, name, jvmFlags, withPeerPort, null);
    }

    /**
     * A cluster speaking TLS (SPEC, "Security"): every node gets a certificate from {@code ca} naming
     * 127.0.0.1 (in {@code <workDir>/tls/}, referred to relative to the config file), the config says
     * {@code https://} and {@code "tls"}, and this harness's clients trust {@code ca}. The nodes in
     * {@code withPeerPort} get an {@code internal_port}; the others take Raft on their client port.
     */
    public static ClusterProcesses createTls(int size, Path workDir, String name, io.rrmq.server.testing.TestPki ca,
                                             Set<Integer> withPeerPort) throws IOException {
        Path tls = Files.createDirectories(workDir.resolve("tls"));
        ca.issue("127.0.0.1", List.of("ip:127.0.0.1")).writeKeystore(tls.resolve("node.p12"),
                io.rrmq.server.testing.TestPki.PASSWORD);
        ca.writeTruststore(tls.resolve("trust.p12"), io.rrmq.server.testing.TestPki.PASSWORD);
        Files.writeString(tls.resolve("password"), io.rrmq.server.testing.TestPki.PASSWORD + "\n");
        return create(size, workDir, name, List.of("-Xmx128m"), withPeerPort, ca.clientContext());
    }

    private static ClusterProcesses create(int size, Path workDir, String name, List<String> jvmFlags,
                                           Set<Integer> withPeerPort, javax.net.ssl.SSLContext tls) throws IOException {
        Files.createDirectories(workDir);
        int[] ports = freePorts(2 * size);
        StringBuilder json = new StringBuilder("{");
        if (tls != null) {
            json.append("\"tls\": {\"keystore\": \"tls/node.p12\", \"password_file\": \"tls/password\","
                    + " \"truststore\": \"tls/trust.p12\"}, ");
        }
        json.append("\"addresses\": [");
        for (int i = 0; i < size; i++) {
            json.append(i == 0 ? "" : ", ").append("{\"ip\": \"").append(tls != null ? "https://" : "")
                    .append("127.0.0.1\", \"port\": ").append(ports[i]);
            if (withPeerPort.contains(i)) {
                json.append(", \"internal_port\": ").append(ports[size + i]);
            }
            json.append('}');
        }
        json.append("]}\n");
        HttpClient client = tls == null ? plainClient() : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
        Path config = workDir.resolve("config.json");
        Files.writeString(config, json, StandardCharsets.UTF_8);
        Path logs = Path.of("target", "it-logs", name).toAbsolutePath();
        List<NodeProcess> nodes = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Path log = logs.resolve("node-" + i + ".log");
            Files.deleteIfExists(log);
            nodes.add(new NodeProcess(i, ports[i], withPeerPort.contains(i) ? ports[size + i] : ports[i], config,
                    workDir.resolve("node-" + i), log, jvmFlags, client, tls != null ? "https" : "http"));
        }
        return new ClusterProcesses(config, nodes, client, name);
    }

    /** Free loopback ports (bound together, then released, so they are distinct). */
    public static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    public Path configPath() {
        return configPath;
    }

    /** The cluster key the nodes created (in the data root, the test's work directory) or were given. */
    public io.rrmq.server.security.ClusterKey clusterKey() throws Exception {
        io.rrmq.server.config.ClusterConfig config = io.rrmq.server.config.ClusterConfig.load(configPath);
        return io.rrmq.server.security.ClusterKey.load(configPath.getParent().resolve(config.clusterId())
                .resolve(io.rrmq.server.security.ClusterKey.FILE_NAME));
    }

    /** Signs Raft requests as this cluster's members do (its key, its id). */
    public io.rrmq.server.security.PeerAuthenticator peerAuthenticator() throws Exception {
        return new io.rrmq.server.security.PeerAuthenticator(clusterKey(),
                io.rrmq.server.config.ClusterConfig.load(configPath).clusterId());
    }

    /** A client of {@code node}'s API that speaks what the cluster speaks (and trusts its CA). */
    public ApiClient api(NodeProcess node) {
        return new ApiClient(node.url(), client);
    }

    public NodeProcess node(int index) {
        return nodes.get(index);
    }

    public List<NodeProcess> nodes() {
        return nodes;
    }

    public int size() {
        return nodes.size();
    }

    public ClusterProcesses startAll() throws IOException {
        for (NodeProcess n : nodes) {
            n.start();
        }
        return this;
    }

    public ClusterProcesses awaitAllHttp(Duration timeout) {
        for (NodeProcess n : nodes) {
            if (n.isAlive()) {
                n.awaitHttp(timeout);
            }
        }
        return this;
    }

    /** A node's {@code GET /status} reply as JSON text, or empty if it does not answer in time. */
    public Optional<String> status(NodeProcess node) {
        if (!node.isAlive() || node.isStopped()) {
            return Optional.empty();
        }
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(node.url() + "/status"))
                    .timeout(node.requestTimeout()).GET().build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The role a node reports ("Leader", "Follower", "Candidate"), if it answers. */
    public Optional<String> role(NodeProcess node) {
        return status(node).map(s -> match(ROLE, s));
    }

    /** The term a node reports, if it answers. */
    public Optional<Long> term(NodeProcess node) {
        return status(node).map(s -> Long.parseLong(match(TERM, s)));
    }

    /** The commit index a node reports, or -1 if it does not answer. */
    public long commitIndex(NodeProcess node) {
        return status(node).map(s -> Long.parseLong(match(COMMIT, s))).orElse(-1L);
    }

    private static String match(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            throw new IllegalStateException("unexpected status " + s);
        }
        return m.group(1);
    }

    /** The nodes that currently report themselves Leader. */
    public List<NodeProcess> leaders() {
        List<NodeProcess> out = new ArrayList<>();
        for (NodeProcess n : nodes) {
            if (role(n).filter("Leader"::equals).isPresent()) {
                out.add(n);
            }
        }
        return out;
    }

    /** Waits until exactly one reachable node reports Leader, and returns it. */
    public NodeProcess awaitLeader(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<NodeProcess> leaders = leaders();
            if (leaders.size() == 1) {
                return leaders.get(0);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        StringBuilder why = new StringBuilder("no single leader within " + timeout + ":");
        for (NodeProcess n : nodes) {
            why.append("\n  node ").append(n.index()).append(": ").append(status(n).orElse("(no answer)"));
        }
        throw new AssertionError(why.toString());
    }

    /** Stops every node still running: SIGTERM, SIGKILL after 5 s (resuming stopped ones first). */
    @Override
    public void close() {
        for (NodeProcess n : nodes) {
            if (n.isAlive()) {
                try {
                    n.terminate();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    try {
                        n.kill();
                    } catch (InterruptedException ignored) {
                        // the reaper hook will finish it
                    }
                }
            }
        }
    }
}

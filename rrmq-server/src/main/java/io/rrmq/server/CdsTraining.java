package io.rrmq.server;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.Role;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ConfigException;
import io.rrmq.server.config.DataDirectory;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.security.ClusterKey;
import io.rrmq.server.security.NodeSecurity;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The build's training run for the class-data-sharing archive that makes a node start fast.
 *
 * <p>The build runs {@code java -XX:ArchiveClassesAtExit=rrmq-server.jsa -cp rrmq-server.jar
 * io.rrmq.server.CdsTraining}: this starts a three-node cluster inside one JVM on free loopback
 * ports and temporary data directories, waits for a leader, sends it every kind of API request over
 * a plain socket, and exits. The JVM then archives every class it loaded, so a node started with
 * {@code -XX:SharedArchiveFile=rrmq-server.jsa} (as {@code src/node.py} does) maps them instead of
 * loading and verifying them one by one, which saves a few hundred milliseconds of start-up.
 * Nothing here is used by a running node.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.jboss.logging.provider", "slf4j");
        Path dir = Files.createTempDirectory("rrmq-cds-training");
        List<RrmqNode> nodes = new ArrayList<>();
        try {
            ClusterConfig cluster = loopbackCluster(3);
            // Created as a node creates it, so that key handling and HMAC are in the archive too.
            ClusterKey key = ClusterKey.loadOrCreate(ClusterKey.locate(Optional.empty(), Map.of(), dir));
            for (int id = 0; id < cluster.size(); id++) {
                RrmqNode node = RrmqNode.listen(cluster, id, ServerSettings.defaults(), NodeSecurity.peersOnly(key, cluster.clusterId()));
                nodes.add(node);
                node.startRaft(new DataDirectory(dir.resolve("node-" + id), "training"), RaftConfig.defaults(), id);
            }
            RrmqNode leader = awaitLeader(nodes);
            int port = leader.port();
            request(port, "GET", "/", null);
            request(port, "GET", "/status", null);
            request(port, "GET", "/metrics", null);
            request(port, "GET", "/readyz", null);
            request(port, "PUT", "/topic", "{\"topic\": \"training\"}");
            request(port, "PUT", "/topic", "{\"topic\": \"training\"}");
            request(port, "GET", "/topic", null);
            for (int i = 0; i < 50; i++) {
                request(port, "PUT", "/message", "{\"topic\": \"training\", \"message\": \"m" + i + "\"}");
            }
            for (int i = 0; i < 51; i++) {
                request(port, "GET", "/message/training", null);
            }
            request(port, "PUT", "/message", "{\"topic\": 1}");
            request(port, "DELETE", "/topic", null);
            request(nodes.get((nodes.indexOf(leader) + 1) % nodes.size()).port(), "GET", "/topic", null);
        } finally {
            for (RrmqNode node : nodes) {
                node.close();
            }
            deleteTree(dir);
        }
    }

    private static ClusterConfig loopbackCluster(int size) throws IOException, ConfigException {
        StringBuilder json = new StringBuilder("{\"addresses\": [");
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                json.append(i == 0 ? "" : ",").append("{\"ip\": \"127.0.0.1\", \"port\": ")
                        .append(s.getLocalPort()).append('}');
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
        return ClusterConfig.parse(json.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    }

    private static RrmqNode awaitLeader(List<RrmqNode> nodes) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (System.nanoTime() < deadline) {
            for (RrmqNode node : nodes) {
                RaftNode raft = node.raftNode();
                if (raft != null && raft.status().role() == Role.LEADER) {
                    return node;
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no leader elected during the training run");
    }

    /** One HTTP/1.1 request on its own connection; the answer is read and dropped. */
    private static void request(int port, String method, String path, String body) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Type: application/json\r\n")
                + "Content-Length: " + content.length + "\r\n\r\n";
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            in.readAllBytes();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

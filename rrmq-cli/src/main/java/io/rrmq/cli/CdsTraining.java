package io.rrmq.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The build's training run for the CLI's class-data-sharing archive (the server has its own).
 *
 * <p>The build runs {@code java -XX:DumpLoadedClassList=rrmq-cli.classlist -cp rrmq-cli.jar
 * io.rrmq.cli.CdsTraining}, then {@code java -Xshare:dump -XX:SharedClassListFile=rrmq-cli.classlist
 * -XX:SharedArchiveFile=rrmq-cli.jsa -cp rrmq-cli.jar}; {@code ./rrmq} starts the JVM with that
 * archive, which maps the classes a command needs instead of loading and verifying them one by
 * one. A static archive, not a dynamic one ({@code -XX:ArchiveClassesAtExit}): Picocli's classes are
 * in the Java 5 class format, which JDK 17 archives only statically.
 *
 * <p>This runs the usual commands in-process against a canned HTTP responder on a free loopback
 * port (the replies have the shapes of README's API, nothing more) and exits. Nothing here is used
 * by a normal run of {@code rrmq}.
 */
public final class CdsTraining {
    private static final String METRICS = """
            # HELP rrmq_raft_term Current Raft term
            # TYPE rrmq_raft_term gauge
            rrmq_raft_term 1.0
            # HELP rrmq_raft_role 1 for this node's current role, 0 for the others
            # TYPE rrmq_raft_role gauge
            rrmq_raft_role{role="Leader"} 1.0
            rrmq_raft_role{role="Follower"} 0.0
            # HELP rrmq_raft_follower_lag_entries Entries a follower has not acknowledged
            # TYPE rrmq_raft_follower_lag_entries gauge
            rrmq_raft_follower_lag_entries{peer="1"} 0.0
            # HELP rrmq_messages_put_total Messages put
            # TYPE rrmq_messages_put_total counter
            rrmq_messages_put_total 1.0
            # HELP rrmq_raft_fsync_seconds Time of one storage sync
            # TYPE rrmq_raft_fsync_seconds histogram
            rrmq_raft_fsync_seconds_bucket{le="0.001"} 1
            rrmq_raft_fsync_seconds_bucket{le="+Inf"} 1
            rrmq_raft_fsync_seconds_count 1
            rrmq_raft_fsync_seconds_sum 5.0E-4
            """;

    private CdsTraining() {
    }

    public static void main(String[] args) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String url = "127.0.0.1:" + server.getLocalPort();
            Thread responder = new Thread(() -> serve(server, "http://" + url), "cds-training-responder");
            responder.setDaemon(true);
            responder.start();
            String[][] commands = {
                {"--help"},
                {"--version"},
                {"topics"},
                {"topics", "--json"},
                {"create-topic", "training"},
                {"put", "training", "message"},
                {"get", "training"},
                {"status"},
                {"status", "--json"},
                {"metrics"},
                {"topics", "--help"},
                {"bogus"},
            };
            for (String[] command : commands) {
                StringWriter sink = new StringWriter();
                PrintWriter out = new PrintWriter(sink, true);
                Main.run(command, new CliContext(out, out, new ByteArrayInputStream(new byte[0]),
                        Map.of(RrmqCommand.NODES_ENV, url)));
            }
        }
    }

    /** Answers each connection with a canned reply chosen by method and path, until the socket closes. */
    private static void serve(ServerSocket server, String url) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                String head = readHead(in);
                String requestLine = head.substring(0, Math.max(0, head.indexOf('\r')));
                int length = contentLength(head);
                in.readNBytes(length);
                String body = reply(requestLine, url);
                byte[] content = body.getBytes(StandardCharsets.UTF_8);
                String type = requestLine.contains("/metrics") ? "text/plain; version=0.0.4" : "application/json";
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + content.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(content);
                out.flush();
            } catch (IOException | RuntimeException e) {
                // the next connection
            }
        }
    }

    private static String reply(String requestLine, String url) {
        if (requestLine.startsWith("GET /metrics")) {
            return METRICS;
        }
        if (requestLine.startsWith("GET /status")) {
            return "{\"role\":\"Leader\",\"term\":1,\"id\":0,\"leader\":\"" + url + "\",\"leaderId\":0,\"commitIndex\":1,"
                    + "\"lastApplied\":1,\"clusterId\":\"training\"}";
        }
        if (requestLine.startsWith("GET /topic")) {
            return "{\"success\":true,\"topics\":[\"training\"]}";
        }
        if (requestLine.startsWith("GET /message/")) {
            return "{\"success\":true,\"message\":\"message\"}";
        }
        return "{\"success\":true}";
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed in the request head");
            }
            head.append((char) c);
        }
        return head.toString();
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                return Integer.parseInt(line.substring(15).strip());
            }
        }
        return 0;
    }
}

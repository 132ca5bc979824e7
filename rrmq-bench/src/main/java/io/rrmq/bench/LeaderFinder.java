package io.rrmq.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds an RRMQ cluster's leader from any of its nodes' {@code GET /status}. */
final class LeaderFinder {
    private static final Pattern LEADER = Pattern.compile("\"leader\":\"([^\"]+)\"");

    private LeaderFinder() {
    }

    /** The leader's URL, asking each node in turn, for at most {@code attempts} rounds 100 ms apart. */
    static URI find(List<URI> nodes, int timeoutMillis, int attempts) throws IOException, InterruptedException {
        for (int round = 0; round < attempts; round++) {
            for (URI node : nodes) {
                String body = statusOf(node, timeoutMillis);
                Matcher m = body == null ? null : LEADER.matcher(body);
                if (m != null && m.find()) {
                    return URI.create(m.group(1));
                }
            }
            Thread.sleep(100);
        }
        throw new IOException("no leader known to any of " + nodes);
    }

    private static String statusOf(URI node, int timeoutMillis) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(node.getHost(), node.getPort()), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.getOutputStream().write(("GET /status HTTP/1.1\r\nHost: " + node.getHost()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}

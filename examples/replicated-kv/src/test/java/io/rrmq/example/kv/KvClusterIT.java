package io.rrmq.example.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real KvServer processes on 127.0.0.1 with file storage: writes go through the leader, the
 * leader is killed with SIGKILL, more writes go to the new leader, and every acknowledged write is
 * read back. A write answered UNKNOWN is retried (a PUT of the same value is idempotent).
 */
class KvClusterIT {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Map<Integer, Integer> clientPorts = new LinkedHashMap<>();
    /** The client port that answered last: the leader as far as this client knows. */
    private int target;

    @AfterEach
    void stopEveryProcess() throws InterruptedException {
        for (Process p : processes.values()) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesAKilledLeader() throws Exception {
        StringJoiner peers = new StringJoiner(",");
        for (int id = 1; id <= 3; id++) {
            int client = freePort();
            clientPorts.put(id, client);
            peers.add(id + "=127.0.0.1:" + freePort() + ":" + client);
        }
        for (int id = 1; id <= 3; id++) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), KvServer.class.getName(), Integer.toString(id),
                    peers.toString(), dir.resolve("n" + id).toString());
            pb.redirectErrorStream(true).redirectOutput(dir.resolve("n" + id + ".log").toFile());
            processes.put(id, pb.start());
        }
        target = clientPorts.get(1);

        Map<String, String> acknowledged = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) {
            assertThat(request("PUT key" + i + " before" + i)).isEqualTo("OK");
            acknowledged.put("key" + i, "before" + i);
        }
        int leader = clientPorts.entrySet().stream().filter(e -> e.getValue() == target).findFirst().orElseThrow().getKey();
        processes.get(leader).destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook runs
        for (int i = 50; i < 150; i++) {
            assertThat(request("PUT key" + i + " after" + i)).isEqualTo("OK");
            acknowledged.put("key" + i, "after" + i);
        }
        assertThat(target).as("a new leader answers").isNotEqualTo(clientPorts.get(leader));

        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            String answer = request("GET " + e.getKey());
            if (!answer.equals("VALUE " + e.getValue())) {
                missing.add(e.getKey() + ": " + answer);
            }
        }
        assertThat(missing).as("acknowledged writes read back (%d)", acknowledged.size()).isEmpty();
    }

    /**
     * Sends {@code line} until a node answers it as leader, following NOTLEADER hints and trying the
     * other nodes when none is known or the target is dead; returns that answer.
     */
    private String request(String line) {
        return await().atMost(DEADLINE).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> tryOnce(line), answer -> answer != null);
    }

    private String tryOnce(String line) {
        String answer;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", target), 1000);
            socket.setSoTimeout(10_000);
            PrintWriter out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
            out.println(line);
            answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            answer = null;
        }
        if (answer != null && (answer.equals("OK") || answer.startsWith("VALUE") || answer.equals("NONE"))) {
            return answer;
        }
        if (answer != null && answer.startsWith("NOTLEADER 127.0.0.1:")) {
            target = Integer.parseInt(answer.substring(answer.lastIndexOf(':') + 1));
        } else { // no leader known, outcome unknown, or the node is down: try the next one
            List<Integer> ports = new ArrayList<>(clientPorts.values());
            target = ports.get((ports.indexOf(target) + 1) % ports.size());
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}

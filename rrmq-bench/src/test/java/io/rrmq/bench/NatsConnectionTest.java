package io.rrmq.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link NatsConnection} against a scripted server that speaks NATS's text protocol on loopback. */
class NatsConnectionTest {
    private ServerSocket server;
    private Thread serving;
    private final List<String> published = new CopyOnWriteArrayList<>();
    /** The 1-based publish whose acknowledgement is an error; 0: none. */
    private volatile int failing;

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        serving = new Thread(this::serve, "fake-nats");
        serving.setDaemon(true);
        serving.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        serving.join(5_000);
    }

    private void serve() {
        try (Socket socket = server.accept()) {
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.write("INFO {\"server_id\":\"fake\"}\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line;
            int seq = 0;
            while ((line = in.readLine()) != null) {
                if (line.equals("PING")) {
                    out.write("PING\r\nPONG\r\n".getBytes(StandardCharsets.US_ASCII)); // answers a server PING too
                } else if (line.startsWith("PUB ")) {
                    String[] parts = line.split(" ");
                    String body = in.readLine();
                    published.add(parts[1] + " " + body);
                    seq++;
                    String ack = seq == failing ? "{\"error\":{\"code\":503}}" : "{\"stream\":\"BENCH\",\"seq\":" + seq + "}";
                    out.write(("MSG " + parts[2] + " 1 " + ack.length() + "\r\n" + ack + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
        } catch (IOException e) {
            // the test closed the server
        }
    }

    private URI url() {
        return URI.create("nats://127.0.0.1:" + server.getLocalPort());
    }

    @Test
    void aBatchIsAcknowledgedMessageByMessage() throws IOException {
        try (NatsConnection nats = new NatsConnection(url(), 2000, "_INBOX.t")) {
            assertThat(nats.request("$JS.API.STREAM.CREATE.BENCH", "{}")).isEqualTo("{\"stream\":\"BENCH\",\"seq\":1}");
            assertThat(nats.publishBatch("bench.a", "hi".getBytes(StandardCharsets.UTF_8), 3)).isTrue();
        }
        assertThat(published).containsExactly("$JS.API.STREAM.CREATE.BENCH {}", "bench.a hi", "bench.a hi", "bench.a hi");
    }

    @Test
    void oneRefusedMessageFailsItsBatch() throws IOException {
        failing = 2;
        try (NatsConnection nats = new NatsConnection(url(), 2000, "_INBOX.t")) {
            assertThat(nats.publishBatch("bench.a", "x".getBytes(StandardCharsets.UTF_8), 3)).isFalse();
        }
    }
}

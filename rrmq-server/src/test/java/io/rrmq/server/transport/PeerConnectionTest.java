package io.rrmq.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.http.Exchanges;
import io.rrmq.server.http.HttpServer;
import io.rrmq.server.http.Replies;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The minimal HTTP/1.1 client against a real Undertow and against misbehaving peers. */
class PeerConnectionTest {
    private static final Duration CONNECT = Duration.ofMillis(200);
    /** These tests are about HTTP framing; the servers here check no signature. */
    private static final java.util.function.Function<byte[], String> UNSIGNED = body -> "none";
    private static final Duration REQUEST = Duration.ofMillis(300);

    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();
    private final List<Integer> bodySizes = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private HttpServer server(int port, int status) throws IOException {
        HttpServer server = HttpServer.start("127.0.0.1", port, ServerSettings.defaults(), exchange ->
                exchange.getRequestReceiver().receiveFullBytes((ex, body) -> {
                    bodySizes.add(body.length);
                    Exchanges.send(ex, status == 204 ? Replies.noContent()
                            : Replies.protocolError(status, "test", "status " + status));
                }));
        toClose.add(server);
        return server;
    }

    private PeerConnection connection(int port) {
        PeerConnection c = new PeerConnection("127.0.0.1", port, "/raft", CONNECT, REQUEST, UNSIGNED);
        toClose.add(c);
        return c;
    }

    @Test
    void postsOverOneKeptAliveConnection() throws Exception {
        HttpServer server = server(0, 204);
        PeerConnection c = connection(server.port());
        for (int i = 0; i < 50; i++) {
            assertThat(c.post(new byte[i * 100]).status()).isEqualTo(204);
            assertThat(c.isConnected()).isTrue();
        }
        assertThat(bodySizes).hasSize(50).startsWith(0, 100).endsWith(4900);
    }

    @Test
    void readsAndDiscardsAReplyBodyAndStaysUsable() throws Exception {
        HttpServer server = server(0, 400);
        PeerConnection c = connection(server.port());
        assertThat(c.post(new byte[10]).status()).isEqualTo(400);
        assertThat(c.post(new byte[10]).status()).isEqualTo(400);
        assertThat(c.isConnected()).isTrue();
    }

    @Test
    void largeBodiesGoThrough() throws Exception {
        HttpServer server = server(0, 204);
        PeerConnection c = new PeerConnection("127.0.0.1", server.port(), "/raft", CONNECT, Duration.ofSeconds(5), UNSIGNED);
        toClose.add(c);
        assertThat(c.post(new byte[8 << 20]).status()).isEqualTo(204);
        assertThat(bodySizes).containsExactly(8 << 20);
    }

    @Test
    void reconnectsTransparentlyAfterThePeerRestarted() throws Exception {
        HttpServer first = server(0, 204);
        int port = first.port();
        PeerConnection c = connection(port);
        assertThat(c.post(new byte[1]).status()).isEqualTo(204);
        first.close();
        server(port, 204);
        // The kept-alive connection is dead; the client notices and retries once on a new one.
        assertThat(c.post(new byte[2]).status()).isEqualTo(204);
        assertThat(bodySizes).containsExactly(1, 2);
    }

    @Test
    void refusedConnectionFailsFast() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        PeerConnection c = connection(port);
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.post(new byte[1])).isInstanceOf(IOException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500));
        assertThat(c.isConnected()).isFalse();
    }

    @Test
    void silentPeerTimesOutWithinTheRequestTimeout() throws Exception {
        ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        toClose.add(silent);
        AtomicInteger accepted = new AtomicInteger();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket s = silent.accept(); // accept, never answer, never read
                    toClose.add(s);
                    accepted.incrementAndGet();
                }
            } catch (IOException e) {
                // closed
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();

        PeerConnection c = connection(silent.getLocalPort());
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.post(new byte[100])).isInstanceOf(SocketTimeoutException.class);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isGreaterThanOrEqualTo(REQUEST.minusMillis(10)).isLessThan(REQUEST.multipliedBy(3));

        // A peer that does not read at all (SIGSTOP) cannot block a large write either.
        start = System.nanoTime();
        assertThatThrownBy(() -> c.post(new byte[32 << 20])).isInstanceOf(SocketTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REQUEST.multipliedBy(3));
    }

    @Test
    void interruptStopsAWaitingPost() throws Exception {
        ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        toClose.add(silent);
        PeerConnection c = new PeerConnection("127.0.0.1", silent.getLocalPort(), "/raft", CONNECT,
                Duration.ofSeconds(30), UNSIGNED);
        toClose.add(c);
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException ignored) {
                return;
            }
            caller.interrupt();
        });
        interrupter.start();
        long start = System.nanoTime();
        assertThatThrownBy(() -> c.post(new byte[10])).isInstanceOf(InterruptedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        Thread.interrupted();
    }
}

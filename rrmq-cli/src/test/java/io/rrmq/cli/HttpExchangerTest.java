package io.rrmq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The CLI's HTTP/1.1 exchange against a raw socket that answers with exact bytes. */
class HttpExchangerTest {
    private final HttpExchanger http = new HttpExchanger(Duration.ofSeconds(1), null);
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Accepts one connection, reads the request head (and body), answers {@code reply}; returns what it read. */
    private CompletableFuture<String> answerOnce(String reply) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    head.write(in.read());
                }
                String request = head.toString(StandardCharsets.ISO_8859_1);
                int length = request.lines().filter(l -> l.startsWith("Content-Length: ")).findFirst()
                        .map(l -> Integer.parseInt(l.substring(16))).orElse(0);
                request += new String(in.readNBytes(length), StandardCharsets.UTF_8);
                s.getOutputStream().write(reply.getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                return request;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private URI node() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    @Test
    void sendsOneRequestWithItsLengthOnAConnectionOfItsOwn() throws Exception {
        CompletableFuture<String> seen = answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 16\r\nX-RRMQ-Error: none\r\n\r\n"
                + "{\"success\":true}");
        HttpExchanger.Reply reply = http.exchange(node(), "PUT", "/message", Map.of("X-RRMQ-Request-Id", "r-1"),
                "{\"topic\":\"ü\"}".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("{\"success\":true}");
        assertThat(reply.header("x-rrmq-error")).as("names ignore case").isEqualTo("none");
        String request = seen.get(5, TimeUnit.SECONDS);
        assertThat(request).startsWith("PUT /message HTTP/1.1\r\n").contains("\r\nConnection: close\r\n")
                .contains("\r\nX-RRMQ-Request-Id: r-1\r\n").contains("\r\nContent-Length: 14\r\n")
                .endsWith("\r\n\r\n{\"topic\":\"ü\"}");
    }

    @Test
    void readsChunkedAndCloseDelimitedBodies() throws Exception {
        answerOnce("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello \r\n5;x=y\r\nworld\r\n0\r\n\r\n");
        HttpExchanger.Reply chunked = http.exchange(node(), "GET", "/x", Map.of(), null, Duration.ofSeconds(5));
        assertThat(chunked.status()).isEqualTo(404);
        assertThat(chunked.body()).isEqualTo("hello world");
        server.close();

        answerOnce("HTTP/1.1 200 OK\r\n\r\nuntil the end");
        assertThat(http.exchange(node(), "GET", "/x", Map.of(), null, Duration.ofSeconds(5)).body())
                .isEqualTo("until the end");
    }

    @Test
    void aRefusedConnectionIsNotSentAndASilentNodeIsATimeout() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        URI closed = node();
        server.close();
        assertThatThrownBy(() -> http.exchange(closed, "GET", "/status", Map.of(), null, Duration.ofSeconds(2)))
                .isInstanceOf(HttpExchanger.NotSentException.class)
                .satisfies(e -> assertThat(((HttpExchanger.NotSentException) e).tlsHandshake()).isFalse());

        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); // accepts (backlog), never answers
        assertThatThrownBy(() -> http.exchange(node(), "GET", "/status", Map.of(), null, Duration.ofMillis(300)))
                .isInstanceOf(SocketTimeoutException.class)
                .isNotInstanceOf(HttpExchanger.NotSentException.class);
    }

    @Test
    void aReplyCutShortIsAnErrorNotATruncatedBody() throws Exception {
        answerOnce("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort");
        assertThatThrownBy(() -> http.exchange(node(), "GET", "/x", Map.of(), null, Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class).isNotInstanceOf(HttpExchanger.NotSentException.class);
    }
}

package io.rrmq.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The load generator's HTTP client against the JDK's HTTP server over a real loopback socket. */
class HttpConnectionTest {
    private HttpServer server;
    private final AtomicReference<String> lastBody = new AtomicReference<>();
    private static final String CHUNKED_BODY = "chunk of a streamed body ".repeat(5);
    private URI base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            lastBody.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/chunked", exchange -> {
            exchange.getResponseHeaders().add("X-RRMQ-Leader", "http://127.0.0.1:9");
            exchange.sendResponseHeaders(421, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 5; i++) {
                    out.write("chunk of a streamed body ".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void readsFixedLengthAndChunkedResponsesOnOneKeepAliveConnection() throws IOException {
        try (HttpConnection connection = new HttpConnection(base, 2000)) {
            for (int i = 0; i < 3; i++) {
                byte[] put = Operation.PUT.request(base, "t", "payload", 1, i);
                assertThat(connection.exchange(put)).isEqualTo(new HttpConnection.Response(200, null, null));
                HttpConnection.Response chunked = connection.exchange(
                        HttpConnection.request("GET", "/chunked", base, null, null));
                assertThat(chunked.status()).isEqualTo(421);
                assertThat(chunked.leaderHint()).isEqualTo("http://127.0.0.1:9");
                assertThat(connection.exchange(HttpConnection.request("GET", "/chunked", base, null, null), true)
                        .body()).isEqualTo(CHUNKED_BODY);
            }
        }
    }

    @Test
    void sendsTheBodyWithItsLength() throws IOException {
        try (HttpConnection connection = new HttpConnection(base, 2000)) {
            connection.exchange(HttpConnection.request("PUT", "/message", base, "application/json",
                    "{\"topic\":\"ü\"}".getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(lastBody.get()).isEqualTo("{\"topic\":\"ü\"}");
    }

    @Test
    void aBatchPutIsOneJsonArrayOfTheBatch() {
        String request = new String(Operation.PUT_BATCH.request(base, "t", "ab", 3, 0), StandardCharsets.UTF_8);

        assertThat(request).startsWith("PUT /messages HTTP/1.1\r\n")
                .endsWith("{\"topic\":\"t\",\"messages\":[\"ab\",\"ab\",\"ab\"]}");
    }

    @Test
    void etcdPutsCarryBase64KeyAndValue() {
        String request = new String(Operation.ETCD_PUT.request(base, "t", "v", 1, 7), StandardCharsets.UTF_8);

        assertThat(request).startsWith("POST /v3/kv/put HTTP/1.1\r\n")
                .endsWith("{\"key\":\"dC83\",\"value\":\"dg==\"}");
    }
}

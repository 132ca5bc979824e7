package io.rrmq.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP server on a loopback port that answers with scripted replies, in order, and records
 * every request: the stand-in for an RRMQ node in unit tests. When the script runs out, the last
 * reply repeats.
 */
public final class ScriptedServer implements AutoCloseable {
    /** One scripted reply; {@code drop} closes the connection without answering. */
    public record Reply(int status, String body, Map<String, String> headers, boolean drop, long delayMillis) {
        public static Reply of(int status, String body) {
            return new Reply(status, body, Map.of(), false, 0);
        }

        public static Reply of(int status, String body, Map<String, String> headers) {
            return new Reply(status, body, headers, false, 0);
        }

        public static Reply dropConnection() {
            return new Reply(0, null, Map.of(), true, 0);
        }

        public Reply delayed(long millis) {
            return new Reply(status, body, headers, drop, millis);
        }
    }

    /** What the server received. */
    public record Request(String method, String path, String requestId, String contentType, String body,
                          String authorization, String query) {
    }

    private final HttpServer server;
    private final String scheme;
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private Reply last = Reply.of(500, "{\"success\":false}");

    public ScriptedServer() throws IOException {
        this(null);
    }

    /** Over HTTPS with {@code tls}'s key when it is not null. */
    public ScriptedServer(SSLContext tls) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            server = HttpServer.create(address, 16);
        } else {
            HttpsServer https = HttpsServer.create(address, 16);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        scheme = tls == null ? "http" : "https";
        server.createContext("/", this::handle);
        server.start();
    }

    public URI url() {
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
    }

    public ScriptedServer then(Reply... replies) {
        synchronized (script) {
            script.addAll(List.of(replies));
        }
        return this;
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private Reply next() {
        synchronized (script) {
            if (!script.isEmpty()) {
                last = script.poll();
            }
            return last;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                exchange.getRequestHeaders().getFirst(ApiRequest.REQUEST_ID_HEADER),
                exchange.getRequestHeaders().getFirst("Content-Type"), body,
                exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestURI().getRawQuery()));
        Reply reply = next();
        if (reply.delayMillis() > 0) {
            try {
                Thread.sleep(reply.delayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (reply.drop()) { // nothing sent: closing now drops the connection
            exchange.close();
            return;
        }
        byte[] bytes = reply.body() == null ? new byte[0] : reply.body().getBytes(StandardCharsets.UTF_8);
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

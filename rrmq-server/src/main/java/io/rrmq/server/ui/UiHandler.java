package io.rrmq.server.ui;

import io.rrmq.raft.RaftNode;
import io.rrmq.server.membership.PeerDirectory;
import io.rrmq.server.http.Exchanges;
import io.rrmq.server.http.HealthHandler;
import io.rrmq.server.http.Replies;
import io.rrmq.server.json.Json;
import io.rrmq.server.metrics.NodeMetrics;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * The live dashboard, {@code GET /ui}, served by every node from the jar (no asset from elsewhere:
 * its Content-Security-Policy forbids it), and the read-only JSON it polls every second:
 * <ul>
 *   <li>{@code GET /ui/node.json[?topics=N&q=TEXT&history=1]}: this node's view ({@link NodeView});</li>
 *   <li>{@code GET /ui/cluster.json[?topics=N&q=TEXT]}: {@code {"self": id, "nodes": [...]}}, this
 *       node's view with its N deepest topics matching TEXT, and every peer's, fetched at once
 *       ({@link PeerViews}); a peer that does not answer is {@code {"id","url","error"}}.</li>
 * </ul>
 * {@code topics} is 0..200 (default 25), {@code q} at most 200 characters; anything else is 400.
 * The page has no write action. Token rules are those of every other request ({@code TokenGate}).
 */
public final class UiHandler implements HttpHandler {
    static final int DEFAULT_TOPICS = 25;
    static final int MAX_TOPICS = 200;
    static final int MAX_FILTER = 200;
    private static final String CSP = "default-src 'self'; img-src 'self' data:; style-src 'self';"
            + " script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

    private record Asset(String contentType, byte[] bytes) {
    }

    private final Map<String, Asset> assets;
    private final PeerDirectory directory;
    private final IntSupplier selfId;
    private final NodeView view;
    private final PeerViews peers;

    /** @param tls the context to reach peers over HTTPS with, or null without TLS */
    public UiHandler(PeerDirectory directory, IntSupplier selfId, Supplier<RaftNode> node, NodeMetrics metrics,
                     HealthHandler health, SSLContext tls) {
        this.directory = directory;
        this.selfId = selfId;
        this.view = new NodeView(directory, selfId, node, metrics, health);
        this.peers = new PeerViews(directory, tls);
        this.assets = Map.of(
                "/ui", new Asset("text/html; charset=utf-8", resource("index.html")),
                "/ui/", new Asset("text/html; charset=utf-8", resource("index.html")),
                "/ui/app.js", new Asset("text/javascript; charset=utf-8", resource("app.js")),
                "/ui/app.css", new Asset("text/css; charset=utf-8", resource("app.css")));
    }

    private static byte[] resource(String name) {
        try (InputStream in = UiHandler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource missing from the jar: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String method = exchange.getRequestMethod().toString();
        String path = exchange.getRequestPath();
        boolean known = assets.containsKey(path) || path.equals("/ui/node.json") || path.equals("/ui/cluster.json");
        if (!known) {
            Exchanges.send(exchange, Replies.notFound(method, path));
            return;
        }
        if (!method.equals("GET")) {
            Exchanges.send(exchange, Replies.methodNotAllowed(method, "GET"));
            return;
        }
        Asset asset = assets.get(path);
        if (asset != null) {
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, asset.contentType());
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
            exchange.getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("Content-Security-Policy"), CSP);
            exchange.getResponseHeaders().put(io.undertow.util.HttpString.tryFromString("X-Content-Type-Options"),
                    "nosniff");
            exchange.getResponseSender().send(ByteBuffer.wrap(asset.bytes()));
            return;
        }
        int topics;
        String filter;
        boolean history;
        try {
            history = "1".equals(parameter(exchange, "history"));
            topics = intParameter(exchange, "topics", DEFAULT_TOPICS, 0, MAX_TOPICS);
            filter = parameter(exchange, "q");
            if (filter != null && filter.length() > MAX_FILTER) {
                throw new IllegalArgumentException("q is longer than " + MAX_FILTER + " characters");
            }
        } catch (IllegalArgumentException e) {
            Exchanges.send(exchange, Replies.badRequest(e.getMessage()));
            return;
        }
        if (path.equals("/ui/node.json")) {
            sendJson(exchange, Json.write(json -> view.write(json, topics, filter, history)));
            return;
        }
        clusterView(exchange, topics, filter);
    }

    private void clusterView(HttpServerExchange exchange, int topics, String filter) {
        String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        List<CompletableFuture<PeerViews.Fetched>> fetches = new ArrayList<>();
        int self = selfId.getAsInt();
        for (int id : directory.configuration().ids()) {
            if (id != self) {
                fetches.add(peers.fetch(id, authorization));
            }
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new));
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> all.whenCompleteAsync((ignored, failure) -> {
            byte[] body = Json.write(json -> {
                json.writeStartObject();
                json.writeNumberField("self", self);
                json.writeArrayFieldStart("nodes");
                view.write(json, topics, filter, true);
                for (CompletableFuture<PeerViews.Fetched> f : fetches) {
                    PeerViews.Fetched peer = f.join(); // never fails: handled into an error
                    if (peer.json() != null) {
                        json.writeRawValue(peer.json());
                    } else {
                        json.writeStartObject();
                        json.writeNumberField("id", peer.id());
                        json.writeStringField("url", peer.url());
                        json.writeStringField("error", peer.error());
                        json.writeEndObject();
                    }
                }
                json.writeEndArray();
                json.writeEndObject();
            });
            sendJson(exchange, body);
        }, exchange.getIoThread()));
    }

    private static void sendJson(HttpServerExchange exchange, byte[] body) {
        exchange.setStatusCode(200);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(ByteBuffer.wrap(body));
    }

    /** A query parameter, URL-decoded (the server leaves URLs undecoded), or null. */
    private static String parameter(HttpServerExchange exchange, String name) {
        Deque<String> values = exchange.getQueryParameters().get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException("parameter " + name + " given more than once");
        }
        return URLDecoder.decode(values.getFirst(), StandardCharsets.UTF_8);
    }

    private static int intParameter(HttpServerExchange exchange, String name, int fallback, int min, int max) {
        String value = parameter(exchange, name);
        if (value == null) {
            return fallback;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter " + name + " must be an integer in " + min + ".." + max);
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException("parameter " + name + " must be an integer in " + min + ".." + max);
        }
        return parsed;
    }
}

package io.rrmq.server.http;

import io.rrmq.server.metrics.NodeMetrics;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In front of the client API: serves the operators' endpoints (SPEC, "Operations") and hands every
 * other request to the API.
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4, rendered on a worker thread (a scrape
 *       reads JVM counters and takes a few milliseconds: not on an I/O thread);</li>
 *   <li>{@code /livez}, {@code /readyz}: {@link HealthHandler};</li>
 *   <li>{@code /ui} and {@code /ui/...}: the dashboard.</li>
 * </ul>
 */
public final class OperationsRouter implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(OperationsRouter.class);

    private final NodeMetrics metrics;
    private final HttpHandler health;
    private final HttpHandler ui;
    private final HttpHandler api;

    public OperationsRouter(NodeMetrics metrics, HttpHandler health, HttpHandler ui, HttpHandler api) {
        this.metrics = metrics;
        this.health = health;
        this.ui = ui;
        this.api = api;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        switch (path) {
            case "/metrics":
                metrics(exchange);
                return;
            case "/livez":
            case "/readyz":
                health.handleRequest(exchange);
                return;
            default:
                if (path.equals("/ui") || path.startsWith("/ui/")) {
                    ui.handleRequest(exchange);
                } else {
                    api.handleRequest(exchange);
                }
        }
    }

    private void metrics(HttpServerExchange exchange) {
        String method = exchange.getRequestMethod().toString();
        if (!method.equals("GET")) {
            Exchanges.send(exchange, Replies.methodNotAllowed(method, "GET"));
            return;
        }
        exchange.dispatch(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
            try {
                metrics.scrape(out);
            } catch (Exception | LinkageError e) { // LinkageError: the jar was replaced under a running node
                log.error("rendering /metrics failed", e);
                Exchanges.send(exchange, Replies.protocolError(500, "internal-error", "cannot render metrics"));
                return;
            }
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, NodeMetrics.CONTENT_TYPE);
            exchange.getResponseSender().send(ByteBuffer.wrap(out.toByteArray()));
        });
    }
}

package io.rrmq.server.http;

import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftStatus;
import io.rrmq.server.json.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The health probes (SPEC, "Operations"); open even with client tokens ({@link TokenGate}).
 * <ul>
 *   <li>{@code GET /livez}: 200 while the Raft event loop is alive, that is ticked within the last
 *       second; else 503 (still starting, stopped, or stuck).</li>
 *   <li>{@code GET /readyz}: 200 when this node knows a leader and has applied everything it knows
 *       to be committed; else 503 (no leader known: an election, or cut off from the leader;
 *       catching up).</li>
 * </ul>
 * Bodies: {@code {"status":"ok"}} or {@code {"status":"unavailable","reason":...}}. Runs on the I/O
 * thread; reads only volatile state.
 */
public final class HealthHandler implements HttpHandler {
    static final long LIVE_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Supplier<RaftNode> node;
    private final LongSupplier sinceLastTickNanos;

    /**
     * @param node               the running Raft node, or {@code null} while it starts
     * @param sinceLastTickNanos nanoseconds since the event loop last ticked
     */
    public HealthHandler(Supplier<RaftNode> node, LongSupplier sinceLastTickNanos) {
        this.node = node;
        this.sinceLastTickNanos = sinceLastTickNanos;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String method = exchange.getRequestMethod().toString();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            Exchanges.send(exchange, Replies.methodNotAllowed(method, "GET, HEAD"));
            return;
        }
        String problem = exchange.getRequestPath().equals("/livez") ? liveness() : readiness();
        Exchanges.send(exchange, problem == null ? answer(200, "ok", null) : answer(503, "unavailable", problem));
    }

    /** Why the node is not live, or null. */
    public String liveness() {
        RaftNode raft = node.get();
        if (raft == null) {
            return "starting";
        }
        if (raft.stopped().isDone()) {
            return "stopped";
        }
        long since = sinceLastTickNanos.getAsLong();
        return since <= LIVE_WITHIN_NANOS ? null : "event loop has not ticked for "
                + (since == Long.MAX_VALUE ? "ever" : since / 1_000_000 + " ms");
    }

    /** Why the node is not ready, or null. */
    public String readiness() {
        String notLive = liveness();
        if (notLive != null) {
            return notLive;
        }
        RaftStatus s = node.get().status();
        if (s.leaderId() == RaftStatus.NO_LEADER) {
            return "no leader known";
        }
        if (s.lastApplied() < s.commitIndex()) {
            return "applying: " + s.lastApplied() + " of " + s.commitIndex() + " committed";
        }
        return null;
    }

    private static Reply answer(int status, String text, String reason) {
        return Reply.of(status, Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("status", text);
            if (reason != null) {
                json.writeStringField("reason", reason);
            }
            json.writeEndObject();
        }));
    }
}

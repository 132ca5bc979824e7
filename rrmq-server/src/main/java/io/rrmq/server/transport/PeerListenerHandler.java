package io.rrmq.server.transport;

import io.rrmq.server.http.Exchanges;
import io.rrmq.server.http.Replies;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/**
 * The root handler of a separate peer listener ({@code internal_port}): {@code POST /raft} and
 * nothing else (404 for other paths, 405 for other methods), so the client API is never reachable
 * on the peer port nor Raft on the client port.
 */
public final class PeerListenerHandler implements HttpHandler {
    private final HttpHandler raftHandler;

    public PeerListenerHandler(HttpHandler raftHandler) {
        this.raftHandler = raftHandler;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String method = exchange.getRequestMethod().toString();
        String path = exchange.getRequestPath();
        if (!path.equals("/raft")) {
            Exchanges.send(exchange, Replies.notFound(method, path));
        } else if (!method.equals("POST")) {
            Exchanges.send(exchange, Replies.methodNotAllowed(method, "POST"));
        } else {
            raftHandler.handleRequest(exchange);
        }
    }
}

package io.rrmq.server.http;

import io.rrmq.auth.AdminSignature;
import io.rrmq.server.security.ClientTokens;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.util.Optional;
import java.util.Set;

/**
 * In front of the client API when the config names a {@code tokens_file}: every request needs
 * {@code Authorization: Bearer TOKEN} with a known token (else 401), of a role allowed to do it
 * (else 403), except the probes ({@code GET /}, {@code /livez}, {@code /readyz}), which must work for
 * any load balancer, and {@code /raft}, which peers authenticate with the cluster key instead.
 * Paths under {@code /cluster/} (admin operations) need the {@code admin} role, or a signature with
 * the cluster key ({@link AdminSignature}), which {@link AdminHandler} checks.
 *
 * <p>A refused request never reaches the API: nothing changes. Runs on I/O threads; never blocks.
 */
public final class TokenGate implements HttpHandler {
    private static final Set<String> OPEN_PATHS = Set.of("/", "/livez", "/readyz", "/raft");
    private static final String BEARER = "Bearer ";

    private final ClientTokens tokens;
    private final HttpHandler next;

    public TokenGate(ClientTokens tokens, HttpHandler next) {
        this.tokens = tokens;
        this.next = next;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        if (OPEN_PATHS.contains(path)
                || path.startsWith("/cluster/") && exchange.getRequestHeaders().contains(AdminSignature.HEADER)) {
            // Admin requests signed with the cluster key are checked by the admin API itself.
            next.handleRequest(exchange);
            return;
        }
        String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        Optional<ClientTokens.Role> role = authorization != null && authorization.regionMatches(true, 0, BEARER, 0,
                BEARER.length())
                ? tokens.roleOf(authorization.substring(BEARER.length()).strip())
                : Optional.empty();
        if (role.isEmpty()) {
            Exchanges.send(exchange, Replies.failure(401, "unauthorized")
                    .with(Headers.WWW_AUTHENTICATE_STRING, "Bearer realm=\"rrmq\""));
            return;
        }
        if (path.startsWith("/cluster/") && role.get() != ClientTokens.Role.ADMIN) {
            Exchanges.send(exchange, Replies.failure(403, "forbidden"));
            return;
        }
        next.handleRequest(exchange);
    }
}

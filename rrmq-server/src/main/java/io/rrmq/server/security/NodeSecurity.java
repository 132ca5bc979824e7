package io.rrmq.server.security;

import java.util.Optional;

/**
 * What a node checks of whoever talks to it.
 *
 * @param peers   signs this node's Raft requests and checks those it receives (always on)
 * @param clients the client tokens, when the config names a {@code tokens_file}; else the client API is open
 * @param tls     the key material of the config's {@code "tls"}; else plain HTTP
 */
public record NodeSecurity(PeerAuthenticator peers, Optional<ClientTokens> clients, Optional<TlsContexts> tls) {
    /** Peers authenticated with {@code key}, plain HTTP, the client API open. */
    public static NodeSecurity peersOnly(ClusterKey key) {
        return new NodeSecurity(new PeerAuthenticator(key), Optional.empty(), Optional.empty());
    }
}

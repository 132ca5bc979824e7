package io.rrmq.server.security;

import io.rrmq.auth.AdminSignature;
import java.util.Optional;

/**
 * What a node checks of whoever talks to it.
 *
 * @param peers   signs this node's Raft requests and checks those it receives (always on)
 * @param admin   checks admin requests signed with the cluster key (always on)
 * @param clients the client tokens, when the config names a {@code tokens_file}; else the client API is open
 * @param tls     the key material of the config's {@code "tls"}; else plain HTTP
 */
public record NodeSecurity(PeerAuthenticator peers, AdminSignature admin, Optional<ClientTokens> clients,
                           Optional<TlsContexts> tls) {
    /** Peers of cluster {@code clusterId} and admins authenticated with {@code key}, with these client tokens and TLS. */
    public static NodeSecurity of(ClusterKey key, String clusterId, Optional<ClientTokens> clients,
                                  Optional<TlsContexts> tls) {
        return new NodeSecurity(new PeerAuthenticator(key, clusterId), new AdminSignature(key.bytes()), clients, tls);
    }

    /** Peers authenticated with {@code key}, plain HTTP, the client API open. */
    public static NodeSecurity peersOnly(ClusterKey key, String clusterId) {
        return of(key, clusterId, Optional.empty(), Optional.empty());
    }
}

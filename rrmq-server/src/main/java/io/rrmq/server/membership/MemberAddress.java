package io.rrmq.server.membership;

import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * How RRMQ writes a member's address into the Raft configuration ({@link io.rrmq.raft.Member#address()}):
 * its client URL, e.g. {@code http://127.0.0.1:8567}, followed by {@code #raft=PORT} when Raft has a
 * listener of its own ({@code "internal_port"}). The log carries it, so every node learns where a new
 * member is without a configuration file.
 */
public final class MemberAddress {
    private static final String PEER_PORT = "#raft=";

    private MemberAddress() {
    }

    public static String format(ClusterConfig.Member member) {
        return member.url() + (member.separatePeerPort() ? PEER_PORT + member.peerPort() : "");
    }

    /**
     * Reads an address written by {@link #format}, or a bare URL as an operator types it.
     *
     * @throws ConfigException not an {@code http(s)://host:port} URL
     */
    public static ClusterConfig.Member parse(int id, String address) throws ConfigException {
        String url = address.strip();
        int peerPort = -1;
        int mark = url.indexOf(PEER_PORT);
        if (mark >= 0) {
            peerPort = port(url.substring(mark + PEER_PORT.length()), address);
            url = url.substring(0, mark);
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new ConfigException("\"" + address + "\" is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getPort() < 1
                || uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")
                || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new ConfigException("\"" + address + "\" must be http://HOST:PORT or https://HOST:PORT");
        }
        int port = uri.getPort();
        return new ClusterConfig.Member(id, uri.getHost().toLowerCase(Locale.ROOT), port,
                peerPort < 0 ? port : peerPort, scheme.equals("https"));
    }

    /** The URL form an operator and {@code /status} use: scheme, host and port. */
    public static String url(String address) {
        int mark = address.indexOf(PEER_PORT);
        return mark < 0 ? address : address.substring(0, mark);
    }

    private static int port(String text, String address) throws ConfigException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new ConfigException("bad Raft port in \"" + address + "\"");
    }
}

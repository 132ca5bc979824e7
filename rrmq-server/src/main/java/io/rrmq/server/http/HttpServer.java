package io.rrmq.server.http;

import io.rrmq.server.config.ServerSettings;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import javax.net.ssl.SSLContext;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;

/**
 * The Undertow listeners of a node: HTTP on the configured host and port, and, when the node has a
 * separate peer port ({@code internal_port}), a second listener there with its own handler.
 *
 * <p><b>TLS</b> ({@link Tls}, when the configuration has {@code "tls"}): both listeners speak HTTPS
 * only. The peer port <em>requires</em> a client certificate, validated by its context (which admits
 * members only). Without a peer port the client port <em>requests</em> one: peers present theirs for
 * {@code /raft}, which the Raft handler then checks, while API clients need none.
 *
 * <p>Tuned for several nodes sharing a small machine: few I/O threads (handlers never block, so
 * the worker pool stays idle), TCP_NODELAY for request/response latency, keep-alive, no HTTP/2.
 * URL decoding is off so that {@code %2F} in {@code /message/<topic>} reaches {@link TopicPath}
 * undecoded.
 */
public final class HttpServer implements AutoCloseable {
    private final Undertow undertow;

    private HttpServer(Undertow undertow) {
        this.undertow = undertow;
    }

    /**
     * Binds and starts serving {@code handler}.
     *
     * @throws java.io.IOException the address cannot be bound (in use, not local, ...)
     */
    public static HttpServer start(String host, int port, ServerSettings settings, HttpHandler handler)
            throws java.io.IOException {
        return start(host, port, settings, handler, -1, null, null);
    }

    /**
     * The contexts of the HTTPS listeners.
     *
     * @param clientPort serves the client port: our key, trust in our CAs
     * @param peerPort   serves the peer port, if any: our key, trust in our CAs for members only
     */
    public record Tls(SSLContext clientPort, SSLContext peerPort) {
    }

    /**
     * Like {@link #start(String, int, ServerSettings, HttpHandler, int, HttpHandler)}, over HTTPS
     * when {@code tls} is not null.
     *
     * @throws java.io.IOException an address cannot be bound
     */
    public static HttpServer start(String host, int port, ServerSettings settings, HttpHandler handler,
                                   int peerPort, HttpHandler peerHandler, Tls tls) throws java.io.IOException {
        String bindHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        Undertow.ListenerBuilder client = new Undertow.ListenerBuilder().setHost(bindHost).setPort(port)
                .setRootHandler(new HttpContinueReadHandler(handler));
        Undertow.Builder builder = Undertow.builder()
                .addListener(tls == null ? client.setType(Undertow.ListenerType.HTTP)
                        : https(client, tls.clientPort(),
                                peerPort > 0 ? SslClientAuthMode.NOT_REQUESTED : SslClientAuthMode.REQUESTED));
        if (peerPort > 0) {
            Undertow.ListenerBuilder peer = new Undertow.ListenerBuilder().setHost(bindHost).setPort(peerPort)
                    .setRootHandler(peerHandler);
            builder.addListener(tls == null ? peer.setType(Undertow.ListenerType.HTTP)
                    : https(peer, tls.peerPort(), SslClientAuthMode.REQUIRED));
        }
        Undertow undertow = builder
                .setIoThreads(settings.ioThreads())
                .setWorkerThreads(settings.workerThreads())
                .setServerOption(UndertowOptions.DECODE_URL, false)
                .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                .setServerOption(UndertowOptions.ENABLE_HTTP2, false)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, true)
                .setServerOption(UndertowOptions.RECORD_REQUEST_START_TIME, false)
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long) settings.maxRaftBodyBytes())
                .setSocketOption(Options.TCP_NODELAY, true)
                .setSocketOption(Options.KEEP_ALIVE, true)
                .setSocketOption(Options.REUSE_ADDRESSES, true)
                .setSocketOption(Options.BACKLOG, 1024)
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            try {
                undertow.stop();
            } catch (RuntimeException ignored) {
                // nothing was started
            }
            throw new java.io.IOException("cannot listen on " + host + ":" + port
                    + (peerPort > 0 ? " and " + peerPort : "") + ": "
                    + cause.getMessage(), cause);
        }
        return new HttpServer(undertow);
    }

    private static Undertow.ListenerBuilder https(Undertow.ListenerBuilder listener, SSLContext context,
                                                  SslClientAuthMode clientAuth) {
        return listener.setType(Undertow.ListenerType.HTTPS).setSslContext(context)
                .setOverrideSocketOptions(OptionMap.create(Options.SSL_CLIENT_AUTH_MODE, clientAuth));
    }

    /** The bound port (useful when started on port 0 in tests). */
    public int port() {
        SocketAddress address = undertow.getListenerInfo().get(0).getAddress();
        return ((InetSocketAddress) address).getPort();
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        undertow.stop();
    }
}

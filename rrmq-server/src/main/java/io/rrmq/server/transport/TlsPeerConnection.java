package io.rrmq.server.transport;

import io.rrmq.server.security.PeerAuthenticator;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * {@code POST /raft} to one peer over mutual TLS, with the JDK's {@link HttpClient} (HTTP/1.1,
 * connections kept alive and reused by the client's pool). The TLS counterpart of
 * {@link PeerConnection}, which stays the plain-TCP fast path; this one trades some speed for not
 * hand-writing a TLS state machine on {@link javax.net.ssl.SSLEngine}.
 *
 * <p>The client presents this node's certificate and verifies the peer's against the truststore
 * and against the host it dialled (HTTPS endpoint identification), which is the member's {@code ip}:
 * so it only ever talks to a certificate naming that member. Every request also carries the
 * {@value PeerAuthenticator#HEADER} signature, as in plain mode.
 *
 * <p>Called by the peer's sender thread only; {@link #post} blocks that thread until the answer.
 */
final class TlsPeerConnection implements BatchSink {
    private final HttpClient client;
    private final URI uri;
    private final Duration requestTimeout;
    private final Function<byte[], String> signer;

    /**
     * @param client         shared by the lanes of one transport (see {@link #client})
     * @param uri            the peer's {@code https://host:port/raft}
     * @param requestTimeout one batch POST, end to end
     * @param signer         the {@value PeerAuthenticator#HEADER} value for a body
     */
    TlsPeerConnection(HttpClient client, URI uri, Duration requestTimeout, Function<byte[], String> signer) {
        this.client = client;
        this.uri = uri;
        this.requestTimeout = requestTimeout;
        this.signer = signer;
    }

    /** An HTTP/1.1 client that presents and trusts what {@code context} holds, and never follows redirects. */
    static HttpClient client(SSLContext context, Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(context)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
    }

    @Override
    public int post(byte[] batch) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", RaftMessageHandler.CONTENT_TYPE)
                .header(PeerAuthenticator.HEADER, signer.apply(batch))
                .POST(HttpRequest.BodyPublishers.ofByteArray(batch))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

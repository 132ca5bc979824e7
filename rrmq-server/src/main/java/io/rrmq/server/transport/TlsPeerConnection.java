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
 * {@value PeerAuthenticator#HEADER} signature, as in plain mode, and takes messages in the reply.
 *
 * <p><b>Timeouts.</b> The client's request timeout covers connecting and the TLS handshake too, and
 * a first handshake in a JVM that has not yet loaded or compiled its TLS code can take longer than a
 * second on a loaded machine. So until the peer has answered once, and again after every failure
 * (when the next post will likely open a new connection), an attempt gets
 * {@value #FIRST_CONTACT_FACTOR} times the request timeout; a post over a live connection gets the
 * request timeout. Only this peer's lane waits longer: the others have their own threads.
 *
 * <p>Called by the peer's sender thread only; {@link #post} blocks that thread until the answer.
 */
final class TlsPeerConnection implements BatchSink {
    /** How many request timeouts an attempt that may need a handshake gets. */
    static final int FIRST_CONTACT_FACTOR = 3;

    private final HttpClient client;
    private final URI uri;
    private final Duration requestTimeout;
    private final Function<byte[], String> signer;
    /** Whether the last post was answered, so that its connection is likely still open (sender thread only). */
    private boolean answered;

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

    /**
     * An HTTP/1.1 client that presents and trusts what {@code context} holds, and never follows
     * redirects; connecting and the handshake may take a first contact's time.
     */
    static HttpClient client(SSLContext context, Duration requestTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(context)
                .connectTimeout(requestTimeout.multipliedBy(FIRST_CONTACT_FACTOR))
                .followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY)
                .build();
    }

    @Override
    public PeerReply post(byte[] batch) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(answered ? requestTimeout : requestTimeout.multipliedBy(FIRST_CONTACT_FACTOR))
                .header("Content-Type", RaftMessageHandler.CONTENT_TYPE)
                .header(PeerAuthenticator.HEADER, signer.apply(batch))
                .header(RaftMessageHandler.REPLIES_HEADER, RaftMessageHandler.REPLIES_INLINE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(batch))
                .build();
        answered = false;
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        answered = true;
        byte[] body = response.body();
        if (response.statusCode() != 200 || body.length == 0) {
            return PeerReply.of(response.statusCode());
        }
        if (body.length > PeerConnection.MAX_REPLY_BODY_BYTES) {
            throw new IOException("reply body of " + body.length + " bytes, more than a peer sends back");
        }
        return new PeerReply(200, response.headers().firstValue(PeerAuthenticator.HEADER).orElse(null), body);
    }
}

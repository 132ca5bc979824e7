package io.rrmq.server.transport;

import io.rrmq.raft.RaftNode;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.server.http.Exchanges;
import io.rrmq.server.http.Replies;
import io.rrmq.server.http.Reply;
import io.rrmq.server.security.MemberCertificates;
import io.rrmq.server.security.PeerAuthenticator;
import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RenegotiationRequiredException;
import io.undertow.server.SSLSessionInfo;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of {@link HttpTransport}: {@code POST /raft} with a batch from
 * {@link MessageCodec#encodeBatch} as an {@code application/octet-stream} body.
 *
 * <p><b>Authentication first.</b> The body is checked against its {@value PeerAuthenticator#HEADER}
 * signature before a byte of it is decoded: without a valid signature under the cluster key, made
 * for this node within the allowed clock skew, the reply is 401, nothing reaches the engine, and the
 * refusal is counted and logged (at most once a second). A signed request from a non-member gets 403.
 *
 * <p><b>Mutual TLS</b> (when built with {@link MemberCertificates}): before that, the connection must
 * carry a client certificate, already validated against the truststore by the TLS layer, that names a
 * member (401 {@code no-client-certificate} without one, 403 {@code certificate-not-a-member}), and
 * the signed sender must be one of the members it names (403). On a separate peer port the handshake
 * has already refused anyone else; on a shared client port, where certificates are only requested,
 * this is the check. The verdict is kept per connection and TLS session.
 *
 * <p>Replies 204 once every message was handed to {@link RaftNode#receive} (which only queues, so
 * the reply does not wait for the node to process them), or, for a batch of heartbeats from a
 * sender that takes them, 200 with the engine's answer once it is there ({@link ReplyHolds}); 400 for a batch that does not decode, 413
 * above the size limit, 415 for another content type, 503 while the node is starting. Messages not
 * addressed to this node, or whose sender is not the authenticated one, are dropped and counted:
 * they come from a misconfigured process and must not reach the engine.
 *
 * <p>Runs on Undertow I/O threads; never blocks.
 */
public final class RaftMessageHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(RaftMessageHandler.class);

    /** The body's media type. */
    public static final String CONTENT_TYPE = "application/octet-stream";
    /** A request header by which a sender says it reads messages sent back in the reply (see {@link ReplyHolds}). */
    public static final String REPLIES_HEADER = "X-RRMQ-Replies";
    /** The {@value #REPLIES_HEADER} value. */
    public static final String REPLIES_INLINE = "inline";
    private static final HttpString REPLIES = HttpString.tryFromString(REPLIES_HEADER);

    private final IntSupplier selfId;
    private final Supplier<RaftNode> node;
    private final int maxBodyBytes;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong misaddressed = new AtomicLong();
    private final AtomicBoolean warnedMisaddressed = new AtomicBoolean();
    private final PeerAuthenticator authenticator;
    private final AtomicLong unauthenticated = new AtomicLong();
    private final AtomicLong lastRefusalLogNanos = new AtomicLong(System.nanoTime() - REFUSAL_LOG_INTERVAL_NANOS);
    private static final long REFUSAL_LOG_INTERVAL_NANOS = 1_000_000_000L;
    /** Null without TLS. */
    private final MemberCertificates certificates;
    /** Null: every batch is answered at once, without messages. */
    private final ReplyHolds holds;

    /** The members a connection's client certificate names (empty: none), for the TLS session it was read from. */
    private record CertifiedPeer(SSLSession session, boolean presented, Set<Integer> members) {
    }

    private static final AttachmentKey<CertifiedPeer> CERTIFIED_PEER = AttachmentKey.create(CertifiedPeer.class);

    /** @param node the running Raft node, or {@code null} while it is starting */
    public RaftMessageHandler(int selfId, Supplier<RaftNode> node, int maxBodyBytes, PeerAuthenticator authenticator) {
        this(() -> selfId, node, maxBodyBytes, authenticator, null, null);
    }

    /**
     * @param selfId       this node's id; -1 while a joining node does not know it yet
     * @param node         the running Raft node, or {@code null} while it is starting
     * @param certificates with TLS: which members a client certificate names; {@code null} without TLS
     * @param holds        where heartbeats wait for their answers, to send them back in the reply;
     *                     {@code null} to answer every batch at once
     */
    public RaftMessageHandler(IntSupplier selfId, Supplier<RaftNode> node, int maxBodyBytes,
                              PeerAuthenticator authenticator, MemberCertificates certificates, ReplyHolds holds) {
        this.holds = holds;
        this.selfId = selfId;
        this.node = node;
        this.maxBodyBytes = maxBodyBytes;
        this.authenticator = authenticator;
        this.certificates = certificates;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (certificates != null) {
            CertifiedPeer peer = certifiedPeer(exchange);
            if (!peer.presented()) {
                refuse(exchange, 401, "no-client-certificate", "no verified client certificate");
                return;
            }
            if (peer.members().isEmpty()) {
                refuse(exchange, 403, "certificate-not-a-member", "its certificate names no member");
                return;
            }
        }
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type != null && !type.strip().toLowerCase(Locale.ROOT).startsWith(CONTENT_TYPE)) {
            Exchanges.send(exchange, Replies.unsupportedMediaType(type, CONTENT_TYPE));
            return;
        }
        if (exchange.getRequestContentLength() > maxBodyBytes) {
            Exchanges.send(exchange, Replies.tooLarge(maxBodyBytes));
            return;
        }
        Receiver receiver = exchange.getRequestReceiver();
        receiver.setMaxBufferSize(maxBodyBytes);
        receiver.receiveFullBytes(this::deliver,
                (ex, error) -> Exchanges.send(ex, Replies.bodyReadFailed(error, maxBodyBytes)));
    }

    private void deliver(HttpServerExchange exchange, byte[] body) {
        int selfId = this.selfId.getAsInt();
        PeerAuthenticator.Verdict verdict = authenticator.verify(
                exchange.getRequestHeaders().getFirst(PeerAuthenticator.HEADER), selfId, body);
        if (!verdict.ok()) {
            refuse(exchange, 401, "unauthenticated", verdict.problem());
            return;
        }
        int sender = verdict.sender();
        // The signature proves the sender holds the cluster key; membership itself is Raft's business
        // (a leader may reach a node that joins before that node knows the configuration).
        if (sender < 0 || sender == selfId) {
            refuse(exchange, 403, "not-a-member", "signed by node " + sender + ", which is not a peer of node " + selfId);
            return;
        }
        if (certificates != null && !certifiedPeer(exchange).members().contains(sender)) {
            refuse(exchange, 403, "certificate-not-a-member", "signed by node " + sender
                    + ", whose host its certificate does not name");
            return;
        }
        RaftNode raft = node.get();
        if (raft == null) {
            Exchanges.send(exchange, Replies.failure(503, "starting").with("Retry-After", "1"));
            return;
        }
        List<RaftMessage> messages;
        try {
            messages = MessageCodec.decodeBatch(body);
        } catch (IllegalArgumentException e) {
            Exchanges.send(exchange, Replies.badRequest("bad Raft message batch: " + e.getMessage()));
            return;
        }
        int heartbeats = holds != null && REPLIES_INLINE.equals(exchange.getRequestHeaders().getFirst(REPLIES))
                ? ReplyHolds.heartbeatsToHold(messages) : 0;
        if (heartbeats > 0) {
            holds.hold(sender, heartbeats, exchange, () -> handOver(raft, messages, sender, selfId));
            return;
        }
        Reply failure = handOver(raft, messages, sender, selfId);
        Exchanges.send(exchange, failure != null ? failure : Replies.noContent());
    }

    /** Gives the messages to the engine; {@code null}, or the failure to answer with. */
    private Reply handOver(RaftNode raft, List<RaftMessage> messages, int sender, int selfId) {
        try {
            for (RaftMessage m : messages) {
                if (m.to() != selfId || m.from() != sender) {
                    misaddressed.incrementAndGet();
                    if (warnedMisaddressed.compareAndSet(false, true)) {
                        log.warn("dropping a Raft message from {} to {} in a batch node {} signed for node {}"
                                + " (logged once)", m.from(), m.to(), sender, selfId);
                    }
                    continue;
                }
                received.incrementAndGet();
                raft.receive(m);
            }
        } catch (RuntimeException e) {
            // receive() on a node that is shutting down
            return Replies.failure(503, "node-closed").with("Retry-After", "1");
        }
        return null;
    }

    /** The verdict on the connection's client certificate, computed once per connection and TLS session. */
    private CertifiedPeer certifiedPeer(HttpServerExchange exchange) {
        ServerConnection connection = exchange.getConnection();
        SSLSessionInfo ssl = connection.getSslSessionInfo();
        if (ssl == null) {
            return new CertifiedPeer(null, false, Set.of()); // not a TLS connection
        }
        CertifiedPeer known = connection.getAttachment(CERTIFIED_PEER);
        if (known != null && known.session() == ssl.getSSLSession()) {
            return known;
        }
        CertifiedPeer peer;
        try {
            Certificate[] chain = ssl.getPeerCertificates();
            // The TLS layer validated the chain against the truststore; the leaf must name a member.
            peer = chain.length > 0 && chain[0] instanceof X509Certificate leaf
                    ? new CertifiedPeer(ssl.getSSLSession(), true, certificates.membersNamedBy(leaf))
                    : new CertifiedPeer(ssl.getSSLSession(), false, Set.of());
        } catch (SSLPeerUnverifiedException | RenegotiationRequiredException e) {
            peer = new CertifiedPeer(ssl.getSSLSession(), false, Set.of());
        }
        connection.putAttachment(CERTIFIED_PEER, peer);
        return peer;
    }

    private void refuse(HttpServerExchange exchange, int status, String error, String why) {
        long refused = unauthenticated.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLogNanos.get();
        if (now - last >= REFUSAL_LOG_INTERVAL_NANOS && lastRefusalLogNanos.compareAndSet(last, now)) {
            log.warn("refused a Raft request from {}: {} ({} refused so far; logged at most once a second)",
                    exchange.getSourceAddress(), why, refused);
        }
        Exchanges.send(exchange, Replies.failure(status, error));
    }

    /** Peer requests refused for a missing or bad signature, a non-member signer or certificate. */
    public long unauthenticated() {
        return unauthenticated.get();
    }

    /** Messages handed to the node. */
    public long received() {
        return received.get();
    }

    /** Messages dropped for a wrong sender or recipient. */
    public long misaddressed() {
        return misaddressed.get();
    }
}

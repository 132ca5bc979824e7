package io.rrmq.server.transport;

import io.rrmq.server.security.PeerAuthenticator;
import io.rrmq.raft.Transport;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/**
 * Raft messages over HTTP: each batch is one {@code POST /raft} to the peer's own HTTP port, with an
 * {@code application/octet-stream} body of {@link io.rrmq.raft.message.MessageCodec#encodeBatch}.
 * The receiving side is {@link RaftMessageHandler}.
 *
 * <p><b>Threads.</b> {@link #send} never blocks: it hands the message to the peer's
 * {@link PeerSender}. Each peer has one daemon thread ({@code raft-send-<peer>}) that posts that
 * peer's batches one at a time over one kept-alive connection ({@link PeerConnection}). A thread per
 * peer rather than an asynchronous chain keeps the order-preserving loop plain sequential code; a
 * cluster of N nodes spends N-1 mostly idle threads on it, and nothing else.
 *
 * <p><b>TLS.</b> With an {@link SSLContext}, each lane posts through a {@link TlsPeerConnection}
 * (the JDK's HTTP client, mutual TLS to {@code https://host:peerPort/raft}) instead; the lanes share
 * one client and its connection pool. A handshake counts towards connecting there, so a lane that
 * may need one gets a longer limit (see {@link TlsPeerConnection}).
 */
public final class HttpTransport implements Transport, AutoCloseable {

    private final int selfId;
    private final PeerSender[] senders;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong droppedUnknownPeer = new AtomicLong();

    /** Builds the lanes; no thread runs and no connection opens until {@link #start()}. */
    public HttpTransport(ClusterConfig cluster, int selfId, ServerSettings settings, PeerAuthenticator authenticator) {
        this(cluster, selfId, settings, authenticator, null);
    }

    /**
     * Builds the lanes; no thread runs and no connection opens until {@link #start()}.
     *
     * @param tls our key and trust in our CAs, to speak mutual TLS to the peers; {@code null} for plain HTTP
     */
    public HttpTransport(ClusterConfig cluster, int selfId, ServerSettings settings, PeerAuthenticator authenticator,
                         SSLContext tls) {
        this.selfId = selfId;
        this.senders = new PeerSender[cluster.size()];
        HttpClient tlsClient = tls == null ? null : TlsPeerConnection.client(tls, settings.peerRequestTimeout());
        for (ClusterConfig.Member peer : cluster.members()) {
            if (peer.id() == selfId) {
                continue;
            }
            int to = peer.id();
            BatchSink sink = tls == null
                    ? new PeerConnection(peer.host(), peer.peerPort(), "/raft",
                            settings.peerConnectTimeout(), settings.peerRequestTimeout(),
                            body -> authenticator.sign(selfId, to, body))
                    : new TlsPeerConnection(tlsClient, URI.create("https://" + peer.host() + ":" + peer.peerPort() + "/raft"),
                            settings.peerRequestTimeout(), body -> authenticator.sign(selfId, to, body));
            senders[peer.id()] = new PeerSender(peer.id(), peer.url(), sink,
                    settings.peerQueueCapacity(), settings.maxBatchMessages(),
                    settings.maxBatchBytes(), settings.peerBackoff());
        }
    }

    /** Starts one sender thread per peer. */
    public synchronized void start() {
        if (!threads.isEmpty()) {
            return;
        }
        for (PeerSender s : senders) {
            if (s != null) {
                Thread t = new Thread(s, "raft-send-" + s.peerId());
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
    }

    /** Queues {@code message} for its peer. Never blocks; drops what cannot be queued. */
    @Override
    public void send(RaftMessage message) {
        int to = message.to();
        if (to < 0 || to >= senders.length || senders[to] == null) {
            droppedUnknownPeer.incrementAndGet();
            return;
        }
        senders[to].enqueue(message);
    }

    /** Counters of every peer lane, in peer id order. */
    public List<PeerStats> stats() {
        List<PeerStats> out = new ArrayList<>();
        for (PeerSender s : senders) {
            if (s != null) {
                out.add(s.stats());
            }
        }
        return out;
    }

    /** Messages addressed to this node itself or to an id outside the cluster. */
    public long droppedUnknownPeer() {
        return droppedUnknownPeer.get();
    }

    public int selfId() {
        return selfId;
    }

    /** Stops the sender threads, waiting up to a second for each; their connections close. */
    @Override
    public synchronized void close() {
        for (PeerSender s : senders) {
            if (s != null) {
                s.close();
            }
        }
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.clear();
    }
}

package io.rrmq.server.transport;

import io.rrmq.server.security.PeerAuthenticator;
import io.rrmq.raft.Configuration;
import io.rrmq.raft.Transport;
import io.rrmq.server.membership.PeerDirectory;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
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
 * <p><b>Answers in replies.</b> Each lane's POST says it takes messages in the reply: a peer that
 * receives heartbeats answers them in the reply's body ({@link ReplyHolds}), which the lane hands
 * to this node's engine ({@link ReplyReader}); and when this node holds a peer's heartbeat,
 * {@link #send} puts its answer there instead of into the lane. One exchange per heartbeat round
 * instead of two.
 *
 * <p><b>TLS.</b> With an {@link SSLContext}, each lane posts through a {@link TlsPeerConnection}
 * (the JDK's HTTP client, mutual TLS to {@code https://host:peerPort/raft}) instead; the lanes share
 * one client and its connection pool. A handshake counts towards connecting there, so a lane that
 * may need one gets a longer limit (see {@link TlsPeerConnection}).
 */
public final class HttpTransport implements Transport, AutoCloseable {

    private final int selfId;
    private final PeerDirectory directory;
    private final ServerSettings settings;
    private final PeerAuthenticator authenticator;
    private final SSLContext tls;
    private final HttpClient tlsClient;
    /** Null: this node answers heartbeats by its lanes only. */
    private final ReplyHolds holds;
    private final ReplyReader replies;
    /** One lane per peer ever known, by id; a peer that moves gets a new lane. */
    private final Map<Integer, PeerSender> senders = new ConcurrentHashMap<>();
    private final Map<Integer, String> laneAddresses = new ConcurrentHashMap<>();
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong droppedUnknownPeer = new AtomicLong();
    private boolean started;
    private boolean closed;

    /** Builds the lanes; no thread runs and no connection opens until {@link #start()}. */
    public HttpTransport(PeerDirectory directory, int selfId, ServerSettings settings, PeerAuthenticator authenticator) {
        this(directory, selfId, settings, authenticator, null);
    }

    /**
     * Builds a lane for every peer {@code directory} knows, and more as it learns of them; no thread
     * runs and no connection opens until {@link #start()}.
     *
     * @param tls our key and trust in our CAs, to speak mutual TLS to the peers; {@code null} for plain HTTP
     */
    public HttpTransport(PeerDirectory directory, int selfId, ServerSettings settings, PeerAuthenticator authenticator,
                         SSLContext tls) {
        this(directory, selfId, settings, authenticator, tls, null, message -> { });
    }

    /**
     * Builds a lane for every peer {@code directory} knows, and more as it learns of them; no thread
     * runs and no connection opens until {@link #start()}.
     *
     * @param tls     our key and trust in our CAs, to speak mutual TLS to the peers; {@code null} for plain HTTP
     * @param holds   the heartbeats this node's {@link RaftMessageHandler} holds, whose answers go back in
     *                their replies; {@code null} if it holds none
     * @param inbound takes the messages peers send back in their replies, for this node's engine (never blocks)
     */
    public HttpTransport(PeerDirectory directory, int selfId, ServerSettings settings, PeerAuthenticator authenticator,
                         SSLContext tls, ReplyHolds holds, Consumer<RaftMessage> inbound) {
        this.holds = holds;
        this.replies = new ReplyReader(selfId, authenticator, inbound);
        this.selfId = selfId;
        this.directory = directory;
        this.settings = settings;
        this.authenticator = authenticator;
        this.tls = tls;
        this.tlsClient = tls == null ? null : TlsPeerConnection.client(tls, settings.peerRequestTimeout());
        refreshLanes();
        directory.onChange(d -> refreshLanes());
    }

    /** The Raft loop's configuration in effect changed: peers may have come, gone or moved. */
    @Override
    public void configurationChanged(Configuration configuration) {
        directory.update(configuration);
    }

    private synchronized void refreshLanes() {
        if (closed) {
            return;
        }
        for (ClusterConfig.Member peer : directory.knownMembers()) {
            if (peer.id() == selfId) {
                continue;
            }
            String address = peer.url() + " " + peer.peerPort();
            if (address.equals(laneAddresses.get(peer.id()))) {
                continue;
            }
            PeerSender old = senders.put(peer.id(), lane(peer));
            laneAddresses.put(peer.id(), address);
            if (old != null) {
                old.close();
            }
            if (started) {
                startLane(senders.get(peer.id()));
            }
        }
    }

    private PeerSender lane(ClusterConfig.Member peer) {
        int to = peer.id();
        BatchSink sink = tls == null
                ? new PeerConnection(peer.host(), peer.peerPort(), "/raft",
                        settings.peerConnectTimeout(), settings.peerRequestTimeout(),
                        body -> authenticator.sign(selfId, to, body))
                : new TlsPeerConnection(tlsClient, URI.create("https://" + peer.host() + ":" + peer.peerPort() + "/raft"),
                        settings.peerRequestTimeout(), body -> authenticator.sign(selfId, to, body));
        return new PeerSender(peer.id(), peer.url(), sink, reply -> replies.deliver(to, reply),
                settings.peerQueueCapacity(), settings.maxBatchMessages(), settings.maxBatchBytes(), settings.peerBackoff());
    }

    private void startLane(PeerSender s) {
        Thread t = new Thread(s, "raft-send-" + s.peerId());
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** Starts one sender thread per peer. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        for (PeerSender s : senders.values()) {
            startLane(s);
        }
    }

    /**
     * Sends {@code message} back in the reply to its peer's held heartbeat if there is one, else
     * queues it for its peer. Never blocks; drops what cannot be queued.
     */
    @Override
    public void send(RaftMessage message) {
        if (holds != null && holds.offer(message)) {
            return;
        }
        PeerSender lane = senders.get(message.to());
        if (lane == null) {
            droppedUnknownPeer.incrementAndGet();
            return;
        }
        lane.enqueue(message);
    }

    /** Counters of every peer lane, in peer id order. */
    public List<PeerStats> stats() {
        List<PeerStats> out = new ArrayList<>();
        new java.util.TreeMap<>(senders).values().forEach(s -> out.add(s.stats()));
        return out;
    }

    /** Messages peers sent back in their replies and this node's engine got. */
    public long repliesReceived() {
        return replies.received();
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
        closed = true;
        for (PeerSender s : senders.values()) {
            s.close();
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

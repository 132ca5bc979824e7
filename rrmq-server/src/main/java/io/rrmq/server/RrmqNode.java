package io.rrmq.server;

import io.rrmq.mq.QueueBound;
import io.rrmq.mq.RequestRetention;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.runtime.RaftRuntime;
import io.rrmq.raft.storage.DurableDirectories;
import io.rrmq.raft.storage.FileRaftStorage;
import io.rrmq.raft.storage.FileSnapshotStore;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.DataDirectory;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.config.StorageSettings;
import io.rrmq.server.http.ApiHandler;
import io.rrmq.server.http.HealthHandler;
import io.rrmq.server.http.HttpServer;
import io.rrmq.server.http.OperationsRouter;
import io.rrmq.server.http.TokenGate;
import io.rrmq.server.metrics.NodeMetrics;
import io.rrmq.server.security.MemberCertificates;
import io.rrmq.server.security.NodeSecurity;
import io.rrmq.server.security.PeerAuthenticator;
import io.rrmq.server.security.TlsContexts;
import io.rrmq.server.transport.HttpTransport;
import io.rrmq.server.transport.PeerListenerHandler;
import io.rrmq.server.transport.RaftMessageHandler;
import io.rrmq.server.ui.UiHandler;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RRMQ node process: the HTTP listener, the Raft node with its storage and state machine, and
 * the HTTP transport between them and the peers.
 *
 * <p><b>Start-up order.</b> The listener starts first, so the node answers {@code GET /} (and
 * {@code /status}, and 503 to API calls) within a fraction of a second of being spawned, even if
 * recovering the log takes longer. Then storage is opened (it locks the data directory) and the
 * Raft node started; only then does the API route requests to it.
 *
 * <p><b>Shutdown</b> ({@link #close()}, run by the JVM shutdown hook on SIGTERM): the Raft node first
 * (pending requests get 504, storage is closed and unlocked), then the transport, then the listener.
 * Idempotent, and safe while {@link #start} is still running on another thread.
 */
public final class RrmqNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RrmqNode.class);

    private final ClusterConfig cluster;
    private final int selfId;
    private final ServerSettings settings;
    private final HttpServer http;
    private final PeerAuthenticator authenticator;
    /** Null without TLS. */
    private final TlsContexts tls;
    private final RaftMessageHandler raftHandler;
    private final NodeMetrics metrics;

    private volatile RaftNode raft;
    private volatile QueueBound queueBound;
    private HttpTransport transport;
    private boolean closed;

    private RrmqNode(ClusterConfig cluster, int selfId, ServerSettings settings, NodeSecurity security)
            throws IOException {
        this.cluster = cluster;
        this.selfId = selfId;
        this.settings = settings;
        this.authenticator = security.peers();
        this.tls = security.tls().orElse(null);
        MemberCertificates members = tls == null ? null : new MemberCertificates(cluster);
        this.raftHandler = new RaftMessageHandler(selfId, cluster.size(), this::raftNode,
                settings.maxRaftBodyBytes(), authenticator, members);
        ClusterConfig.Member self = cluster.member(selfId);
        boolean separate = self.separatePeerPort();
        HttpHandler api = new ApiHandler(cluster, selfId, this::raftNode, () -> queueBound, settings,
                separate ? null : raftHandler);
        this.metrics = new NodeMetrics(selfId, this::raftNode, NodeMetrics.topicLabelsFromSystemProperties());
        HealthHandler health = new HealthHandler(this::raftNode, metrics::sinceLastTickNanos);
        api = new OperationsRouter(metrics, health,
                new UiHandler(cluster, selfId, this::raftNode, metrics, health, tls == null ? null : tls.standard()), api);
        if (security.clients().isPresent()) {
            api = new TokenGate(security.clients().get(), api);
        }
        api = metrics.instrument(api);
        HttpServer.Tls listenerTls = tls == null ? null : new HttpServer.Tls(tls.standard(), tls.membersOnly(members));
        try {
            this.http = separate
                    ? HttpServer.start(self.host(), self.port(), settings, api, self.peerPort(),
                            new PeerListenerHandler(raftHandler), listenerTls)
                    : HttpServer.start(self.host(), self.port(), settings, api, -1, null, listenerTls);
        } catch (IOException | RuntimeException e) {
            metrics.close();
            throw e;
        }
    }

    /**
     * Starts the listeners; the Raft node is started by {@link #startRaft}. Separate steps so that
     * the caller can install the shutdown hook in between.
     *
     * With {@code security.tls()}, every listener speaks HTTPS and peers speak mutual TLS (see
     * {@link HttpServer}); with {@code security.clients()}, the client API needs a token.
     *
     * @param security how peers and clients are authenticated
     * @throws IOException a listener cannot bind
     */
    public static RrmqNode listen(ClusterConfig cluster, int selfId, ServerSettings settings,
                                  NodeSecurity security) throws IOException {
        RrmqNode node = new RrmqNode(cluster, selfId, settings, security);
        TlsContexts tls = security.tls().orElse(null);
        ClusterConfig.Member self = cluster.member(selfId);
        log.info("node {} of {} listening on {}{}", selfId, cluster.size(), self.url(),
                self.separatePeerPort() ? " (Raft on port " + self.peerPort() + ")" : "");
        if (tls != null) {
            log.info("TLS on: HTTPS on every port; peers must present a certificate naming a member {}",
                    self.separatePeerPort() ? "(required by the peer port)" : "(requested by the client port for /raft)");
            if (!new MemberCertificates(cluster).membersNamedBy(tls.ownCertificate()).contains(selfId)) {
                log.warn("this node's certificate ({}) does not name its host {}: its peers will refuse it",
                        tls.ownCertificate().getSubjectX500Principal(), self.host());
            }
        }
        return node;
    }

    /**
     * Opens storage in {@code dataDir} (which locks it) and starts the Raft node; from then on the
     * API serves.
     *
     * @throws IOException the data directory is unusable or locked by another process, or storage
     *                     cannot be recovered
     */
    public void startRaft(DataDirectory dataDir, RaftConfig raftConfig, long seed) throws IOException {
        startRaft(dataDir, raftConfig, StorageSettings.defaults(), seed);
    }

    /**
     * Like {@link #startRaft(DataDirectory, RaftConfig, long)} with the snapshot thresholds, segment
     * size, free-space reserve and queue bound from {@code storageSettings}, the one place they are
     * set (its snapshot thresholds replace those in {@code raftConfig}).
     */
    public void startRaft(DataDirectory dataDir, RaftConfig raftConfig, StorageSettings storageSettings, long seed)
            throws IOException {
        raftConfig = storageSettings.applyTo(raftConfig);
        Path dir = dataDir.path();
        log.info("data directory {} ({})", dir, dataDir.source());
        DurableDirectories.create(dir); // its parent forced too: else a vote could vanish with the directory
        log.info("queue bound {} bytes (-Drrmq.queue.bytes; checked by this node while it leads, before"
                + " proposing: every node applies what its leader admitted, whatever its own value)",
                storageSettings.maxQueuedBytes());
        HttpTransport peers = new HttpTransport(cluster, selfId, settings, authenticator,
                tls == null ? null : tls.standard());
        synchronized (this) {
            if (closed) {
                return;
            }
            transport = peers;
        }
        FileRaftStorage storage = FileRaftStorage.open(dir, storageSettings.segmentBytes(),
                storageSettings.diskReserveBytes(), null);
        RaftNode started;
        TopicStateMachine machine = new TopicStateMachine(RequestRetention.defaults());
        try {
            // Opened after the log, whose lock covers the whole data directory.
            FileSnapshotStore snapshots = FileSnapshotStore.open(dir.resolve("snapshots"));
            peers.start();
            metrics.attach(machine, dir);
            started = RaftRuntime.start(raftConfig, selfId, cluster.ids(), machine, storage, snapshots, peers, seed,
                    metrics.raftObserver());
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
        synchronized (this) {
            if (closed) {
                started.close();
                return;
            }
            queueBound = QueueBound.of(storageSettings.maxQueuedBytes(), machine);
            raft = started;
        }
    }

    /** The running Raft node, or {@code null} while starting. */
    public RaftNode raftNode() {
        return raft;
    }

    public int port() {
        return http.port();
    }

    /** This node's metrics (what {@code GET /metrics} exports). */
    public NodeMetrics metrics() {
        return metrics;
    }

    /** The handler of inbound Raft requests (its counters: refused, misaddressed). */
    public RaftMessageHandler raftHandler() {
        return raftHandler;
    }

    /** The transport to the peers, or {@code null} before {@link #startRaft}. */
    public synchronized HttpTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        RaftNode running;
        HttpTransport peers;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            running = raft;
            peers = transport;
        }
        if (running != null) {
            try {
                running.close();
            } catch (RuntimeException e) {
                log.warn("closing the Raft node failed", e);
            }
        }
        if (peers != null) {
            peers.close();
        }
        http.close();
        metrics.close();
    }
}

package io.rrmq.server;

import io.rrmq.mq.QueueBound;
import io.rrmq.mq.RequestRetention;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.mq.store.FileStores;
import io.rrmq.mq.store.SegmentedMessageStore;
import io.rrmq.raft.Configuration;
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
import io.rrmq.server.http.AdminHandler;
import io.rrmq.server.http.ApiHandler;
import io.rrmq.server.http.Consumers;
import io.rrmq.server.http.HealthHandler;
import io.rrmq.server.http.HttpServer;
import io.rrmq.server.http.OperationsRouter;
import io.rrmq.server.http.TokenGate;
import io.rrmq.server.membership.ClusterIdentity;
import io.rrmq.server.membership.MemberAddress;
import io.rrmq.server.membership.PeerDirectory;
import io.rrmq.server.metrics.NodeMetrics;
import io.rrmq.server.security.MemberCertificates;
import io.rrmq.server.security.NodeSecurity;
import io.rrmq.server.security.PeerAuthenticator;
import io.rrmq.server.security.TlsContexts;
import io.rrmq.server.transport.HttpTransport;
import io.rrmq.server.transport.PeerListenerHandler;
import io.rrmq.server.transport.RaftMessageHandler;
import io.rrmq.server.transport.ReplyHolds;
import io.rrmq.server.ui.UiHandler;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
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
 * <p><b>Membership.</b> The configuration file bootstraps a new cluster; afterwards the Raft log and
 * snapshots say who the members are and where ({@link PeerDirectory}). A node started to join a
 * running cluster ({@link #listenToJoin}) listens at once, learns its id once an admin added it, and
 * only then starts Raft, with no configuration of its own until the leader's log brings one.
 *
 * <p><b>Shutdown</b> ({@link #close()}, run by the JVM shutdown hook on SIGTERM): a leader first hands
 * leadership to the most up-to-date voter, so that requests in flight commit and new ones go to the
 * new leader instead of timing out; then the Raft node (pending requests get 504, storage is closed
 * and unlocked), then the transport, then the listener. Idempotent, and safe while {@link #start}
 * is still running on another thread.
 */
public final class RrmqNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RrmqNode.class);

    /** How long a closing leader waits for another node to take over. */
    private static final long HANDOVER_MILLIS = 1_500;

    /** The configuration file; empty for a node that joined a running cluster. */
    private final Optional<ClusterConfig> cluster;
    private final PeerDirectory directory;
    /** -1 while a joining node waits to be added. */
    private volatile int selfId;
    private volatile String clusterId;
    private final ServerSettings settings;
    private final HttpServer http;
    private final PeerAuthenticator authenticator;
    /** Null without TLS. */
    private final TlsContexts tls;
    private final RaftMessageHandler raftHandler;
    /** Heartbeats from a leader held for this node's answers, which go back in their replies. */
    private final ReplyHolds replyHolds;
    private final NodeMetrics metrics;

    private volatile RaftNode raft;
    private volatile QueueBound queueBound;
    private final Consumers consumers;
    private HttpTransport transport;
    private boolean closed;

    private RrmqNode(Optional<ClusterConfig> cluster, ClusterConfig.Member self, int selfId, String clusterId,
                     ServerSettings settings, NodeSecurity security) throws IOException {
        this.cluster = cluster;
        this.directory = new PeerDirectory(cluster);
        this.selfId = selfId;
        this.clusterId = clusterId;
        this.settings = settings;
        this.authenticator = security.peers();
        this.tls = security.tls().orElse(null);
        MemberCertificates members = tls == null ? null : new MemberCertificates(directory);
        this.replyHolds = new ReplyHolds(() -> this.selfId, authenticator, ReplyHolds.DEFAULT_WAIT);
        this.raftHandler = new RaftMessageHandler(() -> this.selfId, this::raftNode,
                settings.maxRaftBodyBytes(), authenticator, members, replyHolds);
        boolean separate = self.separatePeerPort();
        boolean tokens = security.clients().isPresent();
        this.consumers = new Consumers(this::raftNode, settings);
        HttpHandler api = new ApiHandler(directory, () -> this.selfId, () -> this.clusterId, this::raftNode,
                () -> queueBound, settings, separate ? null : raftHandler,
                outcomes -> new AdminHandler(this::raftNode, directory, security.admin(), tokens, outcomes), consumers);
        this.metrics = new NodeMetrics(selfId, this::raftNode, NodeMetrics.topicLabelsFromSystemProperties());
        metrics.countInlineReplies(replyHolds::answered, replyHolds::expired);
        HealthHandler health = new HealthHandler(this::raftNode, metrics::sinceLastTickNanos);
        api = new OperationsRouter(metrics, health, new UiHandler(directory, () -> this.selfId, this::raftNode, metrics,
                health, tls == null ? null : tls.standard()), api);
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
        return listen(cluster, selfId, cluster.clusterId(), settings, security);
    }

    /** As above, for a node whose data directory records the cluster's id ({@link ClusterIdentity}). */
    public static RrmqNode listen(ClusterConfig cluster, int selfId, String clusterId, ServerSettings settings,
                                  NodeSecurity security) throws IOException {
        RrmqNode node = new RrmqNode(Optional.of(cluster), cluster.member(selfId), selfId, clusterId,
                settings, security);
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
     * Starts the listener of a node that is to join a running cluster (plain HTTP): it answers
     * {@code GET /} and {@code /status} (a Learner) until {@link #joined} and {@link #startRaft}.
     *
     * @param self      where this node listens: its {@code --address}
     * @param clusterId the id of the cluster it joins
     */
    public static RrmqNode listenToJoin(ClusterConfig.Member self, String clusterId, ServerSettings settings,
                                        NodeSecurity security) throws IOException {
        RrmqNode node = new RrmqNode(Optional.empty(), self, -1, clusterId, settings, security);
        log.info("node at {} listening; waiting to be added to cluster {}", self.url(), clusterId);
        return node;
    }

    /** A joining node learned the id an admin gave it. */
    public void joined(int id) {
        this.selfId = id;
    }

    /** This node's id; -1 while a joining node waits to be added. */
    public int id() {
        return selfId;
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
        ClusterIdentity.recordOnce(dir, ClusterIdentity.CLUSTER_ID, clusterId);
        log.info("queue bound {} bytes (-Drrmq.queue.bytes; checked by this node while it leads, before"
                + " proposing: every node applies what its leader admitted, whatever its own value)",
                storageSettings.maxQueuedBytes());
        HttpTransport peers = new HttpTransport(directory, selfId, settings, authenticator,
                tls == null ? null : tls.standard(), replyHolds, message -> {
                    RaftNode node = raftNode();
                    if (node != null) {
                        node.receive(message);
                    }
                });
        synchronized (this) {
            if (closed) {
                return;
            }
            transport = peers;
        }
        FileRaftStorage storage = FileRaftStorage.open(dir, storageSettings.segmentBytes(),
                storageSettings.diskReserveBytes(), null);
        RaftNode started;
        TopicStateMachine machine;
        try {
            // Message bodies: a restart opens the checkpoint of the newest snapshot (FileStores),
            // else rebuilds them from the snapshot; then the log is replayed.
            machine = new TopicStateMachine(RequestRetention.defaults(), new FileStores(
                    dir.resolve("messages"), SegmentedMessageStore.DEFAULT_SEGMENT_BYTES));
        } catch (IOException | RuntimeException e) {
            storage.close();
            throw e;
        }
        consumers.attach(machine);
        try {
            // Opened after the log, whose lock covers the whole data directory.
            FileSnapshotStore snapshots = FileSnapshotStore.open(dir.resolve("snapshots"));
            peers.start();
            // The file's members bootstrap a new cluster; once the log records a configuration, it rules.
            Configuration initial = cluster.map(PeerDirectory::bootstrapConfiguration).orElse(Configuration.EMPTY);
            metrics.attach(machine, dir);
            started = RaftRuntime.start(raftConfig, selfId, initial, machine, storage, snapshots, peers, seed,
                    metrics.raftObserver());
            warnIfMoved(started.status().configuration());
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

    /** Says so when the log places this node elsewhere than the configuration file does. */
    private void warnIfMoved(Configuration recorded) {
        if (cluster.isEmpty()) {
            return;
        }
        ClusterConfig.Member inFile = cluster.get().member(selfId);
        recorded.member(selfId).filter(m -> !m.address().isEmpty()).ifPresent(m -> {
            if (!MemberAddress.url(m.address()).equals(inFile.url())) {
                log.warn("the configuration file places node {} at {}, the cluster's log at {}: the log rules"
                        + " (the file only bootstraps a new cluster)", selfId, inFile.url(), MemberAddress.url(m.address()));
            }
        });
        if (!recorded.ids().isEmpty() && !recorded.ids().equals(cluster.get().ids())) {
            log.info("members per the cluster's log: {} (the configuration file lists {}; it only bootstraps)",
                    recorded, cluster.get().ids());
        }
    }

    /** Where each member is, as the configuration in effect says. */
    public PeerDirectory directory() {
        return directory;
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

    /** A leader asks another voter to take over before it stops (thesis §3.10), waiting a little. */
    private void handOverLeadership(RaftNode running) {
        io.rrmq.raft.RaftStatus status = running.status();
        if (status.role() != io.rrmq.raft.Role.LEADER || status.configuration().voterIds().size() < 2) {
            return;
        }
        long start = System.nanoTime();
        try {
            int leader = running.transferLeadership(-1).get(HANDOVER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            log.info("handed leadership to node {} in {} ms before stopping", leader,
                    (System.nanoTime() - start) / 1_000_000);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("could not hand leadership over before stopping ({}); stopping anyway", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
        consumers.close();
        if (running != null) {
            handOverLeadership(running);
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

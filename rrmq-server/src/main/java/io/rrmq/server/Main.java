package io.rrmq.server;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ConfigException;
import io.rrmq.server.config.DataDirectory;
import io.rrmq.server.config.FlowSettings;
import io.rrmq.server.config.ReadSettings;
import io.rrmq.server.config.ServerArguments;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.config.StorageSettings;
import io.rrmq.server.membership.ClusterIdentity;
import io.rrmq.server.membership.JoinTarget;
import io.rrmq.server.membership.MemberAddress;
import io.rrmq.server.security.ClusterKey;
import io.rrmq.server.security.ClientTokens;
import io.rrmq.server.security.NodeSecurity;
import io.rrmq.server.security.TlsContexts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar rrmq-server.jar CONFIG_PATH INDEX [--data-dir DIR]}.
 *
 * <p>Exit status: 0 after a clean shutdown (SIGTERM or SIGINT), 2 for a bad command line or
 * configuration (one line on stderr, no stack trace), 1 when the node cannot start (port in use, data
 * directory locked or unreadable), {@value #EXIT_ENGINE_STOPPED} when the Raft engine stopped by
 * itself (a storage write or fsync failed, an invariant broke; see {@link io.rrmq.raft.RaftNode#stopped()}).
 *
 * <p><b>Crash-only.</b> A node whose engine has stopped exits rather than stay half-alive: its
 * listener would keep answering {@code GET /} and {@code /status} while it can no longer serve, and
 * clients would keep retrying it. Restarting (a supervisor's job) recovers from storage, which
 * decides what survived; this is what etcd does after a failed fsync.
 */
public final class Main {
    /** A shutdown that takes longer than this is cut short: better a fast exit than a hang. */
    private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(4);
    static final int EXIT_CANNOT_START = 1;
    static final int EXIT_ENGINE_STOPPED = 3;

    /**
     * The status this process exits with once the shutdown hook has run; -1 until a path chose one,
     * which means a signal started the shutdown and a clean one ends with 0 (the JVM's own status
     * would be 128 + the signal's number).
     */
    private final AtomicInteger exitStatus = new AtomicInteger(-1);

    private Main() {
    }

    public static void main(String[] args) {
        ServerArguments arguments;
        ClusterConfig cluster;
        int index;
        DataDirectory dataDir;
        NodeSecurity security;
        ClusterKey key;
        String clusterId;
        try {
            arguments = ServerArguments.parse(args);
            if (arguments.joining()) {
                System.setProperty("org.jboss.logging.provider", "slf4j");
                new Main().join(arguments);
                return;
            }
            cluster = ClusterConfig.load(arguments.configPath());
            index = arguments.index(cluster);
            Path workingDirectory = Path.of("").toAbsolutePath();
            dataDir = DataDirectory.resolve(cluster, index, arguments.dataDir(), System.getenv(), workingDirectory);
            // The id the cluster was bootstrapped with rules, should the file have changed since.
            clusterId = ClusterIdentity.read(dataDir.path(), ClusterIdentity.CLUSTER_ID).orElse(cluster.clusterId());
            key = ClusterKey.loadOrCreate(ClusterKey.locate(arguments.clusterKey(), System.getenv(),
                    DataDirectory.clusterDirectory(clusterId, System.getenv(), workingDirectory)));
            Optional<ClientTokens> tokens = cluster.tokensFile().isPresent()
                    ? Optional.of(ClientTokens.load(cluster.tokensFile().get())) : Optional.empty();
            Optional<TlsContexts> tls = cluster.tls().isPresent()
                    ? Optional.of(TlsContexts.load(cluster.tls().get())) : Optional.empty();
            security = NodeSecurity.of(key, clusterId, tokens, tls);
        } catch (ServerArguments.HelpRequested e) {
            System.out.println(ServerArguments.USAGE);
            return;
        } catch (ConfigException e) {
            System.err.println("rrmq-server: " + e.getMessage());
            System.exit(2);
            return;
        } catch (IOException e) {
            System.err.println("rrmq-server: cannot read the cluster key, the tokens file or the TLS key material: " + e);
            System.exit(1);
            return;
        }
        // The jboss-logging facade Undertow uses would otherwise probe several logging back-ends.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        new Main().run(cluster, index, clusterId, dataDir, key, security);
    }

    private void run(ClusterConfig cluster, int index, String clusterId, DataDirectory dataDir, ClusterKey key,
                     NodeSecurity security) {
        Logger log = LoggerFactory.getLogger(Main.class);
        if (!clusterId.equals(cluster.clusterId())) {
            log.warn("the configuration file's addresses give cluster id {}, but this node belongs to cluster {}"
                    + " (recorded in {}): it stays in its cluster; the file only bootstraps a new one",
                    cluster.clusterId(), clusterId, dataDir.path());
        }
        RrmqNode node;
        try {
            node = RrmqNode.listen(cluster, index, clusterId, ServerSettings.defaults(), security);
        } catch (IOException e) {
            log.error("{}", e.getMessage());
            exit(EXIT_CANNOT_START);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(node, log), "shutdown"));
        try {
            StorageSettings storage = StorageSettings.fromSystemProperties();
            RaftConfig raft = ReadSettings.fromSystemProperties().applyTo(
                    FlowSettings.fromSystemProperties().applyTo(RaftConfig.defaults()));
            node.startRaft(dataDir, raft, storage, System.nanoTime() ^ index);
        } catch (IOException | ConfigException | RuntimeException e) {
            log.error("cannot start node {}: {}", index, e.toString());
            exit(EXIT_CANNOT_START);
            return;
        }
        exitWhenTheEngineStops(node, log);
        log.info("peer requests are signed with the cluster key in {}", key.file());
        if (security.clients().isEmpty() && !isLoopback(cluster.member(index).host())) {
            log.warn("the client API on {} is open to anyone who can reach it: name a tokens_file in the config"
                    + " (see README, \"Security\")", cluster.member(index).url());
        }
        if (key.readableByOthers()) {
            log.warn("the cluster key {} is readable by other users: chmod 600 it", key.file());
        }
        log.info("node {} running (Raft started {} ms after the JVM)", index, sinceJvmStart());
    }

    /**
     * {@code --join MEMBER_URL --address MY_URL}: learns the cluster's id from a member, listens,
     * waits until an admin adds this node (its address appears among the members, with the id it was
     * given; a restart finds the id in the data directory), then starts Raft with no configuration of
     * its own: the leader's log brings it.
     */
    private void join(ServerArguments arguments) {
        Logger log = LoggerFactory.getLogger(Main.class);
        ClusterConfig.Member self;
        try {
            self = MemberAddress.parse(-1, arguments.address().orElseThrow());
            if (self.https()) {
                throw new ConfigException("joining over HTTPS is not supported yet: start a TLS member from a"
                        + " configuration file");
            }
        } catch (ConfigException e) {
            System.err.println("rrmq-server: --address: " + e.getMessage());
            exit(2);
            return;
        }
        JoinTarget target = new JoinTarget(arguments.join().orElseThrow());
        JoinTarget.View view = waitFor(target, v -> true, Duration.ofSeconds(30), log);
        if (view == null) {
            log.error("no member of the cluster answered at {} within 30 s", arguments.join().orElseThrow());
            exit(EXIT_CANNOT_START);
            return;
        }
        Path workingDirectory = Path.of("").toAbsolutePath();
        RrmqNode node;
        DataDirectory dataDir;
        try {
            Path clusterDir = DataDirectory.clusterDirectory(view.clusterId(), System.getenv(), workingDirectory);
            dataDir = DataDirectory.forJoiner(view.clusterId(), self.host(), self.port(), arguments.dataDir(),
                    System.getenv(), workingDirectory);
            ClusterKey key = ClusterKey.load(ClusterKey.locate(arguments.clusterKey(), System.getenv(), clusterDir).file());
            node = RrmqNode.listenToJoin(self, view.clusterId(), ServerSettings.defaults(),
                    NodeSecurity.of(key, view.clusterId(), Optional.empty(), Optional.empty()));
        } catch (ConfigException e) {
            System.err.println("rrmq-server: " + e.getMessage());
            exit(2);
            return;
        } catch (IOException e) {
            log.error("cannot join: {}", e.toString());
            exit(EXIT_CANNOT_START);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(node, log), "shutdown"));
        try {
            Optional<String> recorded = ClusterIdentity.read(dataDir.path(), ClusterIdentity.JOINED_ID);
            int id;
            if (recorded.isPresent()) {
                id = Integer.parseInt(recorded.get());
                log.info("rejoining as node {} (recorded in {})", id, dataDir.path());
            } else {
                log.info("waiting to be added: run `rrmq members add {}` against the cluster", self.url());
                JoinTarget.View added = waitFor(target, v -> v.idsByUrl().containsKey(self.url()), null, log);
                id = added.idsByUrl().get(self.url());
                ClusterIdentity.recordOnce(dataDir.path(), ClusterIdentity.JOINED_ID, Integer.toString(id));
                log.info("added to cluster {} as node {}", view.clusterId(), id);
            }
            node.joined(id);
            // Until the leader's log brings the configuration, this is how it finds its peers to answer.
            target.ask().orElse(view).addresses().forEach((peer, address) -> {
                if (peer != id) {
                    node.directory().learn(peer, address);
                }
            });
            StorageSettings storage = StorageSettings.fromSystemProperties();
            RaftConfig raft = ReadSettings.fromSystemProperties().applyTo(
                    FlowSettings.fromSystemProperties().applyTo(RaftConfig.defaults()));
            node.startRaft(dataDir, raft, storage, System.nanoTime() ^ id);
        } catch (IOException | ConfigException | RuntimeException e) {
            log.error("cannot start the joining node: {}", e.toString());
            exit(EXIT_CANNOT_START);
            return;
        }
        exitWhenTheEngineStops(node, log);
        log.info("node {} running as a member of cluster {}", node.id(), view.clusterId());
    }

    /** Polls the cluster every 200 ms until a view passes {@code test}, or {@code limit} passes (null: never). */
    private static JoinTarget.View waitFor(JoinTarget target, java.util.function.Predicate<JoinTarget.View> test,
                                           Duration limit, Logger log) {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<JoinTarget.View> view = target.ask();
            if (view.isPresent() && test.test(view.get())) {
                return view.get();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /** Crash-only: once the engine stops by itself, the process exits with {@value #EXIT_ENGINE_STOPPED}. */
    private void exitWhenTheEngineStops(RrmqNode node, Logger log) {
        RaftNode raft = node.raftNode();
        if (raft != null) {
            int id = node.id();
            raft.stopped().whenComplete((ignored, failure) -> {
                if (failure != null) {
                    // Not on the engine's thread: exiting runs the shutdown hook, which joins it.
                    new Thread(() -> engineStopped(id, failure, log), "engine-stopped").start();
                }
            });
        }
    }

    private void engineStopped(int index, Throwable failure, Logger log) {
        log.error("node {}: the Raft engine stopped ({}); exiting with status {} so that a supervisor restarts"
                + " the node, which then recovers from its data directory", index, failure, EXIT_ENGINE_STOPPED);
        exit(EXIT_ENGINE_STOPPED);
    }

    /** Exits with {@code status} (the shutdown hook still closes the node). */
    private void exit(int status) {
        exitStatus.compareAndSet(-1, status);
        System.exit(status);
    }

    private void shutdown(RrmqNode node, Logger log) {
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(SHUTDOWN_LIMIT.toMillis());
                System.err.println("rrmq-server: shutdown took longer than " + SHUTDOWN_LIMIT.toSeconds()
                        + " s; halting");
                Runtime.getRuntime().halt(1);
            } catch (InterruptedException e) {
                // finished in time
            }
        }, "shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        long start = System.nanoTime();
        node.close();
        watchdog.interrupt();
        boolean signalled = exitStatus.get() < 0;
        log.info("node stopped {}in {} ms", signalled ? "cleanly " : "", (System.nanoTime() - start) / 1_000_000);
        if (signalled) {
            // A signal asked for this shutdown and it went cleanly: say so with 0, as README promises,
            // rather than the JVM's 143 (SIGTERM) or 130 (SIGINT), which supervisors count as failures.
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(0);
        }
    }

    /** Whether {@code host} is a loopback address (or "localhost"), judged from its text alone: no lookup. */
    static boolean isLoopback(String host) {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }

    private static long sinceJvmStart() {
        return ProcessHandle.current().info().startInstant()
                .map(t -> Duration.between(t, Instant.now()).toMillis()).orElse(-1L);
    }
}

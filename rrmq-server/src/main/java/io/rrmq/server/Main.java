package io.rrmq.server;

import io.rrmq.raft.RaftConfig;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ConfigException;
import io.rrmq.server.config.DataDirectory;
import io.rrmq.server.config.FlowSettings;
import io.rrmq.server.config.ServerArguments;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.config.StorageSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar rrmq-server.jar CONFIG_PATH INDEX [--data-dir DIR]}.
 *
 * <p>Exit status: 0 after a clean shutdown (SIGTERM), 2 for a bad command line or configuration
 * (one line on stderr, no stack trace), 1 when the node cannot start (port in use, data directory
 * locked or unreadable).
 */
public final class Main {
    /** A shutdown that takes longer than this is cut short: better a fast exit than a hang. */
    private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(4);

    private Main() {
    }

    public static void main(String[] args) {
        ServerArguments arguments;
        ClusterConfig cluster;
        int index;
        DataDirectory dataDir;
        try {
            arguments = ServerArguments.parse(args);
            cluster = ClusterConfig.load(arguments.configPath());
            index = arguments.index(cluster);
            dataDir = DataDirectory.resolve(cluster, index, arguments.dataDir(), System.getenv(),
                    Path.of("").toAbsolutePath());
        } catch (ServerArguments.HelpRequested e) {
            System.out.println(ServerArguments.USAGE);
            return;
        } catch (ConfigException e) {
            System.err.println("rrmq-server: " + e.getMessage());
            System.exit(2);
            return;
        }
        // The jboss-logging facade Undertow uses would otherwise probe several logging back-ends.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        run(cluster, index, dataDir);
    }

    private static void run(ClusterConfig cluster, int index, DataDirectory dataDir) {
        Logger log = LoggerFactory.getLogger(Main.class);
        RrmqNode node;
        try {
            node = RrmqNode.listen(cluster, index, ServerSettings.defaults());
        } catch (IOException e) {
            log.error("{}", e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(node, log), "shutdown"));
        try {
            StorageSettings storage = StorageSettings.fromSystemProperties();
            RaftConfig raft = FlowSettings.fromSystemProperties().applyTo(RaftConfig.defaults());
            node.startRaft(dataDir, raft, storage, System.nanoTime() ^ index);
        } catch (IOException | ConfigException | RuntimeException e) {
            log.error("cannot start node {}: {}", index, e.toString());
            System.exit(1);
            return;
        }
        log.info("node {} running (Raft started {} ms after the JVM)", index, sinceJvmStart());
    }

    private static void shutdown(RrmqNode node, Logger log) {
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
        log.info("node stopped cleanly in {} ms", (System.nanoTime() - start) / 1_000_000);
        watchdog.interrupt();
    }

    private static long sinceJvmStart() {
        return ProcessHandle.current().info().startInstant()
                .map(t -> Duration.between(t, Instant.now()).toMillis()).orElse(-1L);
    }
}

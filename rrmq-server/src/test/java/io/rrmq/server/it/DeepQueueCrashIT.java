package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deep queue (bodies in each node's message store) survives SIGKILLs at the worst moments: a
 * follower killed while it writes a snapshot of the 3 MB queue (the partial snapshot is lost; it
 * resumes the checkpoint of its previous snapshot, or restores that snapshot, and replays the log),
 * the same follower killed while it builds a checkpoint (hard links and metadata), and the leader
 * killed while batches are being committed and applied. Afterwards the queue holds every
 * acknowledged message, in order, once.
 */
class DeepQueueCrashIT {
    private static final Duration START = Duration.ofSeconds(20);
    /** Snapshots every few entries, so that one is nearly always being written. */
    private static final List<String> FLAGS = List.of("-Xmx128m", "-Drrmq.snapshot.entries=6",
            "-Drrmq.snapshot.trailing=0", "-Drrmq.segment.bytes=1048576");
    private static final int BATCH = 100;
    private static final String TOPIC = "deep";

    @TempDir
    Path work;

    private ClusterProcesses cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Message {@code i}: its number, then padding to 2,000 characters (a 3 MB queue is 1,500 of them). */
    private static String message(int i) {
        return String.format("%06d", i) + "x".repeat(1994);
    }

    private static void produce(RetryingApi api, List<String> acknowledged, int batches) {
        for (int b = 0; b < batches; b++) {
            List<String> batch = new ArrayList<>();
            for (int k = 0; k < BATCH; k++) {
                batch.add(message(acknowledged.size() + k));
            }
            api.putBatch(TOPIC, batch);
            acknowledged.addAll(batch);
        }
    }

    /** Whether {@code dir} holds a file or directory being written: its name ends with {@code suffix}. */
    private static boolean writing(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(suffix));
        } catch (IOException e) {
            return false; // not created yet
        }
    }

    /** SIGKILLs {@code node} as soon as {@code dir} holds something named {@code *suffix}, while {@code api} produces. */
    private static void killWhileWriting(NodeProcess node, Path dir, String suffix, RetryingApi api,
                                         List<String> acknowledged) throws InterruptedException {
        assertThat(killWhileWriting(node, dir, suffix, api, acknowledged, 300)).as("caught writing " + suffix).isTrue();
    }

    /**
     * SIGKILLs {@code node} as soon as {@code dir} holds something named {@code *suffix} while
     * {@code api} produces, or after {@code maxBatches} batches if that was never seen; returns
     * whether it was.
     */
    private static boolean killWhileWriting(NodeProcess node, Path dir, String suffix, RetryingApi api,
                                            List<String> acknowledged, int maxBatches) throws InterruptedException {
        AtomicBoolean giveUp = new AtomicBoolean();
        CompletableFuture<Boolean> killed = CompletableFuture.supplyAsync(() -> {
            // Bounded by the producer's batches (giveUp), not by a time a loaded machine may exceed.
            await().atMost(Duration.ofMinutes(15)).pollInterval(Duration.ofMillis(1))
                    .until(() -> giveUp.get() || writing(dir, suffix));
            boolean caught = writing(dir, suffix);
            try {
                node.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return caught;
        });
        for (int b = 0; b < maxBatches && !killed.isDone(); b++) {
            produce(api, acknowledged, 1);
        }
        giveUp.set(true);
        boolean caught = killed.join();
        assertThat(node.isAlive()).isFalse();
        return caught;
    }

    @Test
    void killsWhileSnapshottingADeepQueueAndWhileApplyingLoseNothingAcknowledged() throws Exception {
        cluster = ClusterProcesses.create(3, work, "DeepQueueCrashIT", FLAGS);
        cluster.startAll().awaitAllHttp(START);
        // 503 (a leader not serving yet) changed nothing; 409 after a 504: the first attempt did it.
        await().atMost(START).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            int code = cluster.api(cluster.awaitLeader(START)).createTopic(TOPIC).statusCode();
            return code == 200 || code == 409;
        });
        NodeProcess leader = cluster.awaitLeader(START);
        RetryingApi api = new RetryingApi(cluster);
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        produce(api, acknowledged, 15);

        // 1. A follower SIGKILLed while it writes a snapshot of the 3 MB queue.
        NodeProcess follower = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        killWhileWriting(follower, follower.dataDir().resolve("snapshots"), ".snap.tmp", api, acknowledged);
        produce(api, acknowledged, 2);
        follower.start().awaitHttp(START);

        // 1b. The same follower SIGKILLed while it builds a checkpoint (links and metadata of its
        // store, beside the snapshot): the half-built one is never used. Building one takes a few
        // milliseconds, so polling may miss every one of them: then it is killed after 60 batches,
        // among snapshots and checkpoints all the same.
        boolean caught = killWhileWriting(follower, follower.dataDir().resolve("messages").resolve("checkpoints"),
                ".tmp", api, acknowledged, 60);
        System.out.printf("DeepQueueCrashIT: follower killed %s%n", caught ? "mid-checkpoint" : "after 60 batches");
        produce(api, acknowledged, 2);
        follower.start().awaitHttp(START);

        // 2. The leader SIGKILLed while a producer's batches are being committed and applied.
        NodeProcess current = cluster.awaitLeader(START);
        AtomicBoolean producing = new AtomicBoolean(true);
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            RetryingApi own = new RetryingApi(cluster);
            while (producing.get()) {
                produce(own, acknowledged, 1);
            }
        });
        int before = acknowledged.size();
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 3 * BATCH);
        current.kill();
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 6 * BATCH);
        current.start().awaitHttp(START);
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= before + 9 * BATCH);
        producing.set(false);
        producer.join();

        // Restarts opened a checkpoint instead of reading every body back from a snapshot.
        assertThat(cluster.nodes().stream().anyMatch(n -> n.log().contains("resumed its checkpoint of")))
                .as("a restart resumed a checkpoint").isTrue();

        // Everything acknowledged, in order, once: from whichever node leads now.
        List<String> popped = api.drain(TOPIC);
        List<String> expected = List.copyOf(acknowledged);
        assertThat(popped.size()).as("messages popped").isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(popped.get(i).substring(0, 6)).as("message %d", i).isEqualTo(expected.get(i).substring(0, 6));
            assertThat(popped.get(i)).as("message %d", i).isEqualTo(expected.get(i));
        }
    }
}

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
 * follower killed while it writes a snapshot of the 3 MB queue (its store and the partial snapshot
 * are lost; it rebuilds from its previous snapshot and log), and the leader killed while batches
 * are being committed and applied. Afterwards the queue
 * holds every acknowledged message, in order, once.
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

    private static boolean writingSnapshot(Path snapshots) {
        try (Stream<Path> files = Files.list(snapshots)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".snap.tmp"));
        } catch (IOException e) {
            return false; // not created yet
        }
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
        Path snapshots = follower.dataDir().resolve("snapshots");
        CompletableFuture<Void> killedMidSnapshot = CompletableFuture.runAsync(() -> {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(1)).until(() -> writingSnapshot(snapshots));
            try {
                follower.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int b = 0; b < 300 && !killedMidSnapshot.isDone(); b++) {
            produce(api, acknowledged, 1);
        }
        killedMidSnapshot.join();
        assertThat(follower.isAlive()).isFalse();
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

package io.rrmq.mq.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.RequestRetention;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.mq.store.FileStores;
import io.rrmq.raft.testkit.SeedSweep;
import io.rrmq.raft.testkit.SimConfig;
import io.rrmq.raft.testkit.Simulation;
import io.rrmq.raft.testkit.SimulationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@link MqSimulationTest}'s workload and history check with every node's message bodies in files,
 * in segments small enough that puts roll them and acks delete them all the time. Each node keeps
 * one directory across its incarnations, as a node's data directory: a restart resumes the
 * checkpoint of its newest snapshot when there is one ({@code StateMachine.resumeCheckpoint}), else
 * restores the snapshot; a crash loses what was not forced ({@link #loseUnforcedBytes}). Replay
 * one seed with {@code -Dtest=MqDiskSimulationTest -Dsim.seed=SEED}.
 */
class MqDiskSimulationTest {
    private static final int CI_SEEDS = 25;
    private static final long CI_CHAOS_SECONDS = 30;
    private static final int TINY_SEGMENT = 512;

    @Test
    void diskBackedQueueDeliversEveryAcknowledgedMessageOnceInOrder() throws IOException {
        Path root = Files.createTempDirectory("rrmq-disk-sim");
        try {
            long chaos = SeedSweep.chaosMicros(CI_CHAOS_SECONDS);
            SeedSweep.Summary summary = SeedSweep.run(SeedSweep.seeds(CI_SEEDS), seed -> runSeed(root, seed, chaos));
            System.out.println("MqDiskSimulationTest, 3 nodes: " + summary);
            if (summary.runs() >= CI_SEEDS) {
                assertThat(summary.snapshots().taken()).as("snapshots taken").isPositive();
                assertThat(summary.snapshots().checkpointsResumed()).as("restarts from a checkpoint").isPositive();
                assertThat(summary.snapshots().transfers()).as("InstallSnapshot transfers").isPositive();
            }
        } finally {
            deleteTree(root);
        }
    }

    private static Simulation.Result runSeed(Path root, long seed, long chaosMicros) {
        String replay = "mvn -B -pl mq-statemachine -am test -Dtest=MqDiskSimulationTest"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=" + seed;
        Path seedRoot = root.resolve("seed-" + seed);
        AtomicInteger incarnations = new AtomicInteger();
        Random crashes = new Random(seed);
        MqWorkload workload = new MqWorkload(node -> {
            incarnations.incrementAndGet();
            Path nodeRoot = seedRoot.resolve("node-" + node);
            try {
                loseUnforcedBytes(nodeRoot, crashes);
                return new TopicStateMachine(RequestRetention.defaults(), new FileStores(nodeRoot, TINY_SEGMENT));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            Simulation.Result result = new Simulation(seed, SimConfig.forSeed(seed, 3, chaosMicros), workload, replay).run();
            try {
                MqHistoryChecker.check(workload.history(), result.committedLog());
            } catch (AssertionError e) {
                throw new SimulationFailure(seed, replay, e.getMessage(),
                        java.util.List.of("(the run itself passed; see the history)"), e);
            }
            assertThat(incarnations.get()).as("seed %d made its machines", seed).isGreaterThanOrEqualTo(3);
            return result;
        } finally {
            deleteTree(seedRoot);
        }
    }

    /**
     * What a crash does to the files the previous incarnation left (nothing before the first):
     * whatever was not forced may be gone or garbage. The live store's generations were never
     * forced (the next machine deletes them); a checkpoint's segment files were forced up to the
     * ends its metadata records, and the previous incarnation appended after those ends: junk is
     * appended to every one of them, which stands for any unforced bytes after the recorded end.
     */
    private static void loseUnforcedBytes(Path nodeRoot, Random random) throws IOException {
        Path checkpoints = nodeRoot.resolve("checkpoints");
        if (!Files.exists(checkpoints)) {
            return;
        }
        try (Stream<Path> files = Files.walk(checkpoints)) {
            for (Path segment : files.filter(p -> p.toString().endsWith(".seg")).sorted().toList()) {
                byte[] junk = new byte[random.nextInt(64)];
                random.nextBytes(junk);
                try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
                    channel.write(ByteBuffer.wrap(junk), channel.size());
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

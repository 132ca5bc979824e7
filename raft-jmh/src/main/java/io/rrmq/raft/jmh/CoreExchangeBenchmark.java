package io.rrmq.raft.jmh;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pure core's throughput: one operation proposes {@code batch} entries of 64 bytes at the leader
 * of a three-node group and exchanges messages until they are committed (leader) and acknowledged.
 * JMH reports operations per second and, as {@code steps}, messages stepped per second; with
 * {@code -prof gc}, {@code gc.alloc.rate.norm} divided by {@code batch} is the allocation per
 * committed entry (the three cores' together).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class CoreExchangeBenchmark {
    /** Entries proposed per operation: 1 is a round trip per entry, 64 amortizes it. */
    @Param({"1", "64"})
    public int batch;

    private ThreeCores group;
    private final byte[] command = new byte[64];

    /** Steps counted per iteration; JMH reports their rate beside the operations'. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Steps {
        public long steps;

        @Setup(Level.Iteration)
        public void reset() {
            steps = 0;
        }
    }

    @Setup(Level.Trial)
    public void elect() {
        group = new ThreeCores();
    }

    @Benchmark
    public long commitBatch(Steps counter) {
        long before = group.steps();
        long last = 0;
        for (int i = 0; i < batch; i++) {
            last = group.leader().propose(command);
        }
        group.exchange();
        if (group.leader().commitIndex() < last) {
            throw new IllegalStateException("entry " + last + " did not commit");
        }
        counter.steps += group.steps() - before;
        return last;
    }
}

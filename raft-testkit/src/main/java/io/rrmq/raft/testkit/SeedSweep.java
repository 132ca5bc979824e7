package io.rrmq.raft.testkit;

import java.util.function.LongFunction;

/**
 * Runs many seeds and sums up what they covered. Seeds are {@code first, first + 1, ...}, so the
 * number of seeds a bug needed is its first failing seed minus {@code first} plus one.
 *
 * <p>System properties: {@code sim.seed} replays one seed, {@code sim.seeds} sets how many to run
 * (a soak), {@code sim.chaosSeconds} the virtual length of each run's fault phase.
 */
public final class SeedSweep {
    /** What a sweep covered. */
    public record Summary(int runs, long virtualMicros, long events, long leadersElected, long acknowledged,
                          long maxLivenessMicros, long wallMillis, long cpuMillis, SnapshotStats snapshots,
                          MembershipStats membership) {
        @Override
        public String toString() {
            return String.format("%d runs, %.2f virtual hours, %d events, %d leaders elected, %d acknowledged"
                            + " proposals, worst time to recover after healing %d ms, wall %d ms, cpu %d ms; %s",
                    runs, virtualMicros / 3.6e9, events, leadersElected, acknowledged, maxLivenessMicros / 1000,
                    wallMillis, cpuMillis, snapshots) + (membership.joiners() + membership.transfers() > 0
                    || membership.committedChanges() > 0 ? "; " + membership : "");
        }
    }

    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private SeedSweep() {
    }

    /** {@return the first seed of a sweep: {@code sim.firstSeed}, 1 by default} */
    public static long firstSeed() {
        return Long.getLong("sim.firstSeed", 1);
    }

    /**
     * The seeds to run: the one in {@code sim.seed} if set, else {@code sim.seeds} of them from
     * {@link #firstSeed()}.
     *
     * @param defaultCount how many without {@code sim.seeds}
     * @return the seeds
     */
    public static long[] seeds(int defaultCount) {
        Long one = Long.getLong("sim.seed");
        if (one != null) {
            return new long[] {one};
        }
        int count = Integer.getInteger("sim.seeds", defaultCount);
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = firstSeed() + i;
        }
        return seeds;
    }

    /**
     * The virtual length of the fault phase, {@code sim.chaosSeconds} if set.
     *
     * @param defaultSeconds the length without {@code sim.chaosSeconds}
     * @return the length in virtual microseconds
     */
    public static long chaosMicros(long defaultSeconds) {
        return Long.getLong("sim.chaosSeconds", defaultSeconds) * SimConfig.SECOND;
    }

    /**
     * Runs every seed; the first failure propagates with its seed and replay command.
     *
     * @param seeds  the seeds, in order
     * @param runOne runs one seed's simulation
     * @return what the runs covered
     */
    public static Summary run(long[] seeds, LongFunction<Simulation.Result> runOne) {
        // Wall and CPU time for the report only; the runs never read a clock. CPU time is the figure
        // to trust on a shared machine.
        long started = System.nanoTime();
        long cpuStarted = CPU.getCurrentThreadCpuTime();
        long virtual = 0;
        long events = 0;
        long leaders = 0;
        long acks = 0;
        long worstLiveness = 0;
        SnapshotStats snapshots = SnapshotStats.NONE;
        MembershipStats membership = MembershipStats.NONE;
        for (long seed : seeds) {
            Simulation.Result r = runOne.apply(seed);
            virtual += r.virtualMicros();
            events += r.events();
            leaders += r.leadersElected();
            acks += r.acknowledged();
            worstLiveness = Math.max(worstLiveness, r.livenessMicros());
            snapshots = snapshots.plus(r.snapshots());
            membership = membership.plus(r.membership());
        }
        return new Summary(seeds.length, virtual, events, leaders, acks, worstLiveness,
                (System.nanoTime() - started) / 1_000_000, (CPU.getCurrentThreadCpuTime() - cpuStarted) / 1_000_000, snapshots,
                membership);
    }
}

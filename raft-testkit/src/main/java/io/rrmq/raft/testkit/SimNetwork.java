package io.rrmq.raft.testkit;

import io.rrmq.raft.message.RaftMessage;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A lossy, reordering, duplicating network with directed links that can be cut. Each message gets
 * its own random delay, so messages overtake one another; a cut is decided when a message is sent
 * (what is already in flight still arrives, possibly long after the partition healed).
 */
final class SimNetwork {
    /** How the network behaves between fault actions; replaced by the nemesis. */
    record Quality(double loss, double duplicate, long minDelayMicros, long maxDelayMicros,
                   double slowFraction, long slowDelayMicros) {
        static final Quality CLEAN = new Quality(0, 0, 100, 2_000, 0.01, 30_000);
    }

    private final int size;
    private final boolean[][] cut;
    private final Scheduler scheduler;
    private final Random random;
    private final EventLog log;
    private final Consumer<RaftMessage> deliver;
    private Quality quality = Quality.CLEAN;
    private long sent;
    private long dropped;

    /** @param size how many node ids there may be: the initial group and any server started later */
    SimNetwork(int size, Scheduler scheduler, Random random, EventLog log, Consumer<RaftMessage> deliver) {
        this.size = size;
        this.cut = new boolean[size][size];
        this.scheduler = scheduler;
        this.random = random;
        this.log = log;
        this.deliver = deliver;
    }

    void send(RaftMessage m) {
        sent++;
        if (cut[m.from()][m.to()]) {
            dropped++;
            return;
        }
        if (random.nextDouble() < quality.loss()) {
            dropped++;
            return;
        }
        scheduleDelivery(m);
        if (random.nextDouble() < quality.duplicate()) {
            scheduleDelivery(m);
        }
    }

    private void scheduleDelivery(RaftMessage m) {
        long delay = random.nextDouble() < quality.slowFraction()
                ? quality.slowDelayMicros() + random.nextLong(quality.slowDelayMicros() + 1)
                : quality.minDelayMicros() + random.nextLong(quality.maxDelayMicros() - quality.minDelayMicros() + 1);
        scheduler.after(delay, () -> deliver.accept(m));
    }

    void setQuality(Quality q) {
        quality = q;
        log.record(scheduler.now(), "network " + q);
    }

    /** Cuts (or restores) the directed link {@code from -> to}. */
    void setCut(int from, int to, boolean isCut) {
        cut[from][to] = isCut;
    }

    /** Restores every link. */
    void healLinks() {
        for (boolean[] row : cut) {
            java.util.Arrays.fill(row, false);
        }
        log.record(scheduler.now(), "links healed");
    }

    /** Cuts both directions between {@code side} and everyone else. */
    void split(boolean[] side) {
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                cut[a][b] = side[a] != side[b];
            }
        }
        log.record(scheduler.now(), "partition " + describe(side));
    }

    static String describe(boolean[] side) {
        java.util.StringJoiner in = new java.util.StringJoiner(",", "{", "}");
        java.util.StringJoiner out = new java.util.StringJoiner(",", "{", "}");
        for (int i = 0; i < side.length; i++) {
            (side[i] ? in : out).add(Integer.toString(i));
        }
        return in + "|" + out;
    }

    long sent() {
        return sent;
    }

    long dropped() {
        return dropped;
    }
}

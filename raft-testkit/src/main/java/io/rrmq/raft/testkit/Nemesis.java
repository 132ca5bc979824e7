package io.rrmq.raft.testkit;

import java.util.List;
import java.util.Random;

/**
 * The fault schedule: at random intervals, one action drawn from partitions of every shape, crashes
 * (of the leader or anyone, restarted after anything from a moment to seconds), a change of network
 * quality (loss, duplication, delay) or of one node's clock speed; with a {@link MembershipNemesis},
 * also membership changes and leadership transfers. Faults are aimed at the current members
 * ({@link Simulation#faultTargets}); a fixed group draws exactly as it did before membership changes.
 */
final class Nemesis {
    /** Chance of a power cut while a term or vote write is in flight: the window (c)-type bugs need. */
    private static final double HARD_STATE_WRITE_CRASH_CHANCE = 0.1;
    private static final double ENTRY_WRITE_CRASH_CHANCE = 0.0005;
    /** Chance of a power cut while a snapshot is being saved. */
    private static final double SNAPSHOT_SAVE_CRASH_CHANCE = 0.04;
    /** Chance, per chunk past the first, of a power cut at the receiver or the sender mid-transfer. */
    private static final double TRANSFER_CRASH_CHANCE = 0.1;

    private final Simulation sim;
    private final SimNetwork network;
    private final Random random;
    /** Node ids the network knows: partitions are drawn over the whole array. */
    private final int size;
    /** Null for a group whose members never change. */
    private final MembershipNemesis membership;

    Nemesis(Simulation sim, SimNetwork network, Random random, int size, MembershipNemesis membership) {
        this.sim = sim;
        this.network = network;
        this.random = random;
        this.size = size;
        this.membership = membership;
    }

    void act() {
        if (membership != null && membership.wantsTurn()) {
            membership.act();
            return;
        }
        int roll = random.nextInt(100);
        if (roll < 18) {
            network.split(randomMinority());
        } else if (roll < 28) {
            isolateLeader();
        } else if (roll < 36) {
            oneWay();
        } else if (roll < 44) {
            flap(4 + random.nextInt(8));
        } else if (roll < 58) {
            network.healLinks();
        } else if (roll < 80) {
            crashSomeone();
        } else if (roll < 92) {
            network.setQuality(randomQuality());
        } else {
            List<Integer> targets = sim.faultTargets();
            SimNode node = sim.node(targets.get(random.nextInt(targets.size())));
            if (node != null) {
                node.setTickMicros(randomTickMicros());
            }
        }
    }

    /**
     * Power loss while a write is in flight, the moment that tests "persist before you answer": most
     * often for a new term or vote (the node may already have told a candidate), rarely for entries.
     * The node comes back quickly, so that it can take part again in the same election.
     */
    void maybeCrashBeforeDurable(SimNode node, boolean changesHardState, long durableAt) {
        double chance = changesHardState ? HARD_STATE_WRITE_CRASH_CHANCE : ENTRY_WRITE_CRASH_CHANCE;
        if (random.nextDouble() >= chance) {
            return;
        }
        long window = durableAt - sim.now();
        int life = node.incarnation();
        sim.scheduleChaos(window <= 1 ? 0 : random.nextLong(window), () -> {
            if (node.inLife(life)) {
                sim.log().record(sim.now(), "power cut before a write was durable:");
                node.crash();
                sim.scheduleRestart(node.id, random.nextInt(30_000));
            }
        });
    }

    /** Power loss while a snapshot is serialized and synced: the save is lost, the log must still hold it all. */
    void maybeCrashDuringSnapshotSave(SimNode node, long durableAt) {
        if (random.nextDouble() < SNAPSHOT_SAVE_CRASH_CHANCE) {
            crashWithin(node, durableAt, "power cut while a snapshot was being saved:");
        }
    }

    /**
     * Power loss in the middle of an InstallSnapshot transfer, at the follower storing a chunk (the
     * partial snapshot is lost) or at the leader sending it (the follower is left with a partial one).
     */
    void maybeCrashDuringTransfer(SimNode receiver, io.rrmq.raft.message.InstallSnapshot chunk, long storedAt) {
        if (chunk.offset() == 0 || random.nextDouble() >= TRANSFER_CRASH_CHANCE) {
            return;
        }
        SimNode victim = random.nextBoolean() ? receiver : sim.node(chunk.from());
        crashWithin(victim, storedAt, "power cut in the middle of a snapshot transfer:");
    }

    private void crashWithin(SimNode node, long until, String why) {
        long window = until - sim.now();
        int life = node.incarnation();
        sim.scheduleChaos(window <= 1 ? 0 : random.nextLong(window), () -> {
            if (node.inLife(life)) {
                sim.log().record(sim.now(), why);
                node.crash();
                sim.scheduleRestart(node.id, random.nextInt(200_000));
            }
        });
    }

    /** Clock speeds within a factor of about two of each other: faster would defeat any timeout. */
    long randomTickMicros() {
        return 7_000 + random.nextInt(8_000);
    }

    /** A minority of the fault targets on one side; everyone else (removed servers too) on the other. */
    private boolean[] randomMinority() {
        boolean[] side = new boolean[size];
        List<Integer> targets = sim.faultTargets();
        if (targets.size() < 2) {
            return side;
        }
        int members = 1 + random.nextInt(targets.size() / 2);
        for (int placed = 0; placed < members; ) {
            int n = targets.get(random.nextInt(targets.size()));
            if (!side[n]) {
                side[n] = true;
                placed++;
            }
        }
        return side;
    }

    private void isolateLeader() {
        int leader = sim.someLeader();
        if (leader < 0) {
            network.split(randomMinority());
            return;
        }
        boolean[] side = new boolean[size];
        side[leader] = true;
        network.split(side);
    }

    /** A node that can hear but not speak, or speak but not hear, or one dead directed link. */
    private void oneWay() {
        List<Integer> targets = sim.faultTargets();
        if (targets.size() < 2) {
            return;
        }
        int position = random.nextInt(targets.size());
        int node = targets.get(position);
        int kind = random.nextInt(3);
        for (int other = 0; other < size; other++) {
            if (other == node) {
                continue;
            }
            if (kind == 0) {
                network.setCut(node, other, true);
            } else if (kind == 1) {
                network.setCut(other, node, true);
            }
        }
        if (kind == 2) {
            int other = targets.get((position + 1 + random.nextInt(targets.size() - 1)) % targets.size());
            network.setCut(node, other, true);
            sim.log().record(sim.now(), "link n" + node + "->n" + other + " cut");
        } else {
            sim.log().record(sim.now(), "n" + node + (kind == 0 ? " cannot send" : " cannot receive"));
        }
    }

    /** A partition that comes and goes every few tens of milliseconds, around election timeouts. */
    private void flap(int toggles) {
        boolean[] side = randomMinority();
        long at = 0;
        for (int i = 0; i < toggles; i++) {
            at += 20_000 + random.nextInt(300_000);
            boolean partitioned = i % 2 == 0;
            sim.scheduleChaos(at, () -> {
                if (partitioned) {
                    network.split(side);
                } else {
                    network.healLinks();
                }
            });
        }
    }

    private void crashSomeone() {
        int leader = sim.someLeader();
        List<Integer> targets = membership != null && random.nextInt(8) == 0 ? sim.launchedIds() : sim.faultTargets();
        int victim = leader >= 0 && random.nextBoolean() ? leader : targets.get(random.nextInt(targets.size()));
        if (sim.node(victim) == null || !sim.node(victim).isUp()) {
            return;
        }
        sim.node(victim).crash();
        int kind = random.nextInt(10);
        long downFor = kind < 3 ? random.nextInt(20_000) : kind < 8 ? 100_000 + random.nextInt(900_000)
                : 1_000_000 + random.nextInt(2_000_000);
        sim.scheduleRestart(victim, downFor);
    }

    private SimNetwork.Quality randomQuality() {
        double[] losses = {0, 0, 0.05, 0.2, 0.4};
        double[] dups = {0, 0, 0.05, 0.2};
        long maxDelay = new long[] {2_000, 10_000, 50_000}[random.nextInt(3)];
        return new SimNetwork.Quality(losses[random.nextInt(losses.length)], dups[random.nextInt(dups.length)],
                100, maxDelay, 0.02, 30_000 + random.nextInt(200_000));
    }
}

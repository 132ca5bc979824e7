package io.rrmq.raft.testkit;

import io.rrmq.raft.Role;
import io.rrmq.raft.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * {@link CountingWorkload}'s writes plus linearizable reads, checked as they complete: a read must
 * see the state machine at least as new as every write acknowledged before the read was asked
 * (ReadIndex, thesis §6.4). The state machine applies one command per entry, so "as new as" is the
 * node's last applied index when it serves the read against the highest index of an acknowledged
 * write when the read started.
 *
 * <p>During the faults, bursts of 1-4 reads go at random moments to a node that believes it leads
 * (possibly a deposed one in a minority, the case ReadIndex guards against) or, one time in five,
 * to any node (a follower forwards it to its leader). Reads draw from their own {@link Random}, so
 * the write schedule of a seed is the one {@link CountingWorkload} alone would get.
 */
public final class LinearizableReads implements Workload {
    private static final long MEAN_READ_GAP_MICROS = 20_000;

    private final Workload writes = new CountingWorkload();
    private final Random random;
    private final BugInjection.Bug bug;
    private long highestAcknowledgedIndex;
    private long nextReadId = 1;
    private long served;
    private long failed;

    /**
     * @param seed the run's seed (the reads' schedule derives from it)
     * @param bug  injected into every core: {@link BugInjection.Bug#READS_WITHOUT_ROUND} to show the
     *             check catches stale reads, else {@link BugInjection.Bug#NONE}
     */
    public LinearizableReads(long seed, BugInjection.Bug bug) {
        this.random = new Random(seed * 0x5DEECE66DL + 11);
        this.bug = bug;
    }

    BugInjection.Bug bug() {
        return bug;
    }

    long served() {
        return served;
    }

    long failed() {
        return failed;
    }

    /** Starts asking for reads; they stop when the faults do. */
    void start(Simulation sim) {
        sim.scheduleChaos(1 + (long) (-MEAN_READ_GAP_MICROS * Math.log(1 - random.nextDouble())), () -> {
            readBurst(sim);
            start(sim);
        });
    }

    private void readBurst(Simulation sim) {
        List<SimNode> up = new ArrayList<>();
        List<SimNode> leaders = new ArrayList<>();
        for (int id : sim.launchedIds()) {
            SimNode node = sim.node(id);
            if (node.isUp()) {
                up.add(node);
                if (node.core().role() == Role.LEADER) {
                    leaders.add(node);
                }
            }
        }
        if (up.isEmpty()) {
            return;
        }
        List<SimNode> choices = !leaders.isEmpty() && random.nextInt(5) > 0 ? leaders : up;
        SimNode target = choices.get(random.nextInt(choices.size()));
        for (int i = random.nextInt(4); i >= 0; i--) {
            read(sim, target);
        }
    }

    private void read(Simulation sim, SimNode target) {
        long id = nextReadId++;
        long floor = highestAcknowledgedIndex;
        long askedAt = sim.now();
        sim.log().record(askedAt, "n" + target.id + " read #" + id + " (acknowledged up to " + floor + ")");
        target.read(id, new SimReads.Reader() {
            @Override
            public void served(long readIndex, long lastApplied) {
                sim.log().record(sim.now(), "n" + target.id + " served read #" + id + " at " + readIndex
                        + ", applied " + lastApplied);
                if (lastApplied < floor) {
                    throw new InvariantViolation("linearizable read", "n" + target.id + " served read #" + id
                            + " (asked at " + EventLog.formatTime(askedAt) + ") with the state as of index "
                            + lastApplied + " (read index " + readIndex + "), older than write at index " + floor
                            + " acknowledged before the read was asked");
                }
                served++;
            }

            @Override
            public void failed() {
                failed++;
            }
        });
    }

    // ---------------------------------------------------------------- the writes

    @Override
    public StateMachine newStateMachine() {
        return writes.newStateMachine();
    }

    @Override
    public StateMachine newStateMachine(int node) {
        return writes.newStateMachine(node);
    }

    @Override
    public Command next(Random r, boolean healed) {
        return writes.next(r, healed);
    }

    @Override
    public void acknowledged(Proposal proposal, byte[] result) {
        highestAcknowledgedIndex = Math.max(highestAcknowledgedIndex, proposal.index());
        writes.acknowledged(proposal, result);
    }

    @Override
    public void outcomeUnknown(Proposal proposal) {
        writes.outcomeUnknown(proposal);
    }

    @Override
    public void rejected(Command command) {
        writes.rejected(command);
    }

    @Override
    public boolean finished() {
        return writes.finished();
    }
}

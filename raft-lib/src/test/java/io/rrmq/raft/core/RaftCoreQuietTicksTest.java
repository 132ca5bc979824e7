package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.VoteRequest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link RaftCore#quietTicks()}: the ticks a runtime may sleep through and make up later must really
 * do nothing but count, in whatever state the core is; and they must not be so few that sleeping
 * gains nothing.
 */
class RaftCoreQuietTicksTest {
    private static final RaftConfig CONFIG = RaftConfig.defaults();

    @Test
    void quietTicksNeverSendChangeRoleOrTimeOutAnything() {
        int[] byRole = new int[Role.values().length];
        for (long seed = 1; seed <= 25; seed++) {
            checkRandomRun(seed, byRole);
        }
        // Not vacuous: both leaders and followers had quiet ticks to sleep through.
        assertThat(byRole[Role.LEADER.ordinal()]).isPositive();
        assertThat(byRole[Role.FOLLOWER.ordinal()]).isPositive();
    }

    /**
     * A random run of a 3-node cluster (ticks, proposals, follower reads, transfers, partitions); at
     * random points one node is ticked through all its quiet ticks, and each must leave no output and
     * no change of role, term, leader or commit index.
     */
    private static void checkRandomRun(long seed, int[] quietByRole) {
        Random random = new Random(seed);
        CoreNetwork net = new CoreNetwork(3, CONFIG, seed);
        long readId = 0;
        int quietChecked = 0;
        for (int step = 0; step < 2_000; step++) {
            int node = random.nextInt(3);
            RaftCore core = net.core(node);
            int action = random.nextInt(100);
            if (action < 50) {
                net.tickAll(1);
            } else if (action < 60) {
                if (core.role() == Role.LEADER) {
                    net.propose(node, "c" + step);
                }
            } else if (action < 65) {
                core.readIndex(++readId);
            } else if (action < 67) {
                if (core.role() == Role.LEADER) {
                    core.transferLeadership((node + 1 + random.nextInt(2)) % 3);
                }
            } else if (action < 70) {
                net.isolate(node);
            } else if (action < 75) {
                net.heal();
            } else if (action < 85) {
                net.deliverAll();
            } else {
                net.flush(); // core's output so far is out: what the ticks make must show alone
                int quiet = core.quietTicks();
                RaftStatus before = core.status(0);
                for (int i = 1; i <= quiet; i++) {
                    core.tick();
                    Ready ready = core.takeReady();
                    String where = "seed " + seed + ", step " + step + ", node " + node + ", quiet tick " + i
                            + " of " + quiet + " as " + before.role();
                    assertThat(ready.isEmpty()).as(where + ": " + ready).isTrue();
                    assertThat(core.status(0)).as(where).isEqualTo(before);
                }
                quietChecked += quiet;
                quietByRole[before.role().ordinal()] += quiet;
            }
        }
        assertThat(quietChecked).as("seed " + seed + ": quiet ticks found in the run").isPositive();
    }

    @Test
    void aFollowerSleepsUntilItsElectionTimeoutAndNoLonger() {
        for (long seed = 0; seed < 20; seed++) {
            CoreNetwork net = new CoreNetwork(3, CONFIG, seed);
            RaftCore follower = net.core(0);
            int quiet = follower.quietTicks();
            assertThat(quiet).as("seed " + seed).isBetween(CONFIG.electionTicks() - 1, 2 * CONFIG.electionTicks() - 2);
            net.tick(0, quiet);
            assertThat(follower.takeReady().isEmpty()).isTrue();
            assertThat(follower.quietTicks()).isZero();
            follower.tick();
            assertThat(follower.role()).as("seed " + seed).isEqualTo(Role.PRE_CANDIDATE);
            assertThat(follower.takeReady().messages()).hasSize(2).allMatch(m -> m instanceof VoteRequest);
        }
    }

    @Test
    void anIdleLeaderSleepsUntilItsNextHeartbeat() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 7);
        net.elect(0);
        net.tickAll(CONFIG.heartbeatTicks()); // a heartbeat round done: all are up to date
        RaftCore leader = net.core(0);
        net.flush();
        net.dropInFlight();
        int quiet = leader.quietTicks();
        assertThat(quiet).isBetween(0, CONFIG.heartbeatTicks() - 1);
        net.tick(0, quiet);
        assertThat(leader.takeReady().isEmpty()).isTrue();
        assertThat(leader.quietTicks()).isZero();
        leader.tick();
        assertThat(leader.takeReady().messages()).hasSize(2).allMatch(m -> m instanceof AppendEntries);
        assertThat(leader.quietTicks()).isEqualTo(CONFIG.heartbeatTicks() - 1);
    }

    @Test
    void aFollowerWaitingForAForwardedReadHasNoQuietTicks() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 3);
        net.elect(0);
        net.tickAll(CONFIG.heartbeatTicks());
        RaftCore follower = net.core(1);
        assertThat(follower.quietTicks()).isPositive();
        follower.readIndex(1);
        assertThat(follower.quietTicks()).isZero(); // the read times out after a number of ticks
    }
}

package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.ReadIndexRequest;
import io.rrmq.raft.message.ReadIndexResponse;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Linearizable reads (thesis §6.4): ReadIndex with batched heartbeat rounds, follower reads, leases. */
class RaftCoreReadIndexTest {
    private static final RaftConfig CONFIG = RaftConfig.defaults();
    private static final long TICK_NANOS = CONFIG.tickInterval().toNanos();

    private static CoreNetwork clusterWithLeader(RaftConfig config) {
        CoreNetwork net = new CoreNetwork(3, config, 7);
        if (config.leaseReads()) {
            // Freshly started nodes refuse votes for an election timeout: let it pass first.
            net.tick(1, config.electionTicks());
            net.tick(2, config.electionTicks());
            net.dropInFlight();
        }
        net.elect(0);
        net.deliverAll(); // the leader's first entry commits
        return net;
    }

    private static List<Ready.ReadState> served(CoreNetwork net, int id) {
        return net.readStates.getOrDefault(id, List.of());
    }

    private static List<Ready.FailedRead> failed(CoreNetwork net, int id) {
        return net.failedReads.getOrDefault(id, List.of());
    }

    /** The distinct read rounds carried by the AppendEntries node {@code id} sent. */
    private static long roundsSent(CoreNetwork net, int id) {
        return net.sent.get(id).stream().filter(m -> m instanceof AppendEntries a && a.readContext() > 0)
                .mapToLong(m -> ((AppendEntries) m).readContext()).distinct().count();
    }

    /** With node 0 cut off, nodes 1 and 2 run on until one of them leads; returns it. */
    private static int electAnotherLeader(CoreNetwork net) {
        for (int guard = 0; guard < 20 * CONFIG.electionTicks(); guard++) {
            for (int id = 1; id <= 2; id++) {
                if (net.core(id).role() == Role.LEADER) {
                    net.deliverAll();
                    return id;
                }
            }
            net.tick(1, 1);
            net.tick(2, 1);
            net.deliverAll();
        }
        throw new IllegalStateException("no new leader");
    }

    @Test
    void leaderServesAReadOnlyAfterAMajorityAnswersItsRound() {
        CoreNetwork net = clusterWithLeader(CONFIG);
        RaftCore leader = net.core(0);
        long commit = leader.commitIndex();

        leader.readIndex(1);
        net.dropInFlight(); // the round's heartbeats are lost
        assertThat(served(net, 0)).isEmpty();

        net.tick(0, CONFIG.heartbeatTicks()); // the next heartbeat is a new round
        net.deliverAll();
        assertThat(served(net, 0)).containsExactly(new Ready.ReadState(1, commit));
        assertThat(failed(net, 0)).isEmpty();
    }

    @Test
    void oneRoundServesEveryReadThatArrivedBeforeIt() {
        CoreNetwork net = clusterWithLeader(CONFIG);
        RaftCore leader = net.core(0);
        net.sent.get(0).clear();

        for (long id = 1; id <= 50; id++) {
            leader.readIndex(id);
        }
        net.flush(); // round 1 goes out for all fifty
        for (long id = 51; id <= 60; id++) {
            leader.readIndex(id); // arrive while round 1 is unanswered: they wait for round 2
        }
        net.deliverAll();

        assertThat(served(net, 0)).hasSize(60).extracting(Ready.ReadState::requestId)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 60).boxed().toList());
        assertThat(roundsSent(net, 0)).isEqualTo(2);
        assertThat(net.sent.get(0)).filteredOn(m -> m instanceof AppendEntries).hasSize(4); // 2 rounds x 2 followers
        assertThat(leader.readRounds()).as("rounds that carried reads").isEqualTo(2);
        assertThat(leader.leaseReads()).isZero();
    }

    @Test
    void deposedLeaderInAMinorityNeverCompletesARead() {
        CoreNetwork net = clusterWithLeader(CONFIG);
        RaftCore old = net.core(0);
        net.isolate(0);
        int next = electAnotherLeader(net);
        net.propose(next, "written-by-the-new-leader");
        net.deliverAll();
        assertThat(net.core(next).commitIndex()).isGreaterThan(old.commitIndex());
        assertThat(old.role()).isEqualTo(Role.LEADER); // it has not noticed yet

        old.readIndex(9);
        for (int i = 0; i < 2 * CONFIG.checkQuorumTicks(); i++) {
            net.tick(0, 1);
            net.deliverAll();
            assertThat(served(net, 0)).as("a stale leader served a read").isEmpty();
        }
        assertThat(old.role()).isEqualTo(Role.FOLLOWER); // check-quorum deposed it
        assertThat(failed(net, 0)).containsExactly(new Ready.FailedRead(9, -1));
    }

    @Test
    void newLeaderServesNoReadBeforeAnEntryOfItsTermCommits() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 7);
        net.dropWhen(m -> m instanceof AppendEntriesResponse r && r.matchIndex() > 0); // nothing commits
        net.elect(0);
        RaftCore leader = net.core(0);
        long termStart = leader.log().lastIndex();
        leader.readIndex(1);
        for (int i = 0; i < 3 * CONFIG.heartbeatTicks(); i++) {
            net.tick(0, 1);
            net.deliverAll(); // heartbeat rounds are answered (and rejected answers echo too)
        }
        assertThat(leader.commitIndex()).isLessThan(termStart);
        assertThat(served(net, 0)).isEmpty();

        net.dropWhen(m -> false);
        net.tick(0, CONFIG.heartbeatTicks());
        net.deliverAll();
        assertThat(served(net, 0)).singleElement()
                .satisfies(r -> assertThat(r.index()).isGreaterThanOrEqualTo(termStart));
    }

    @Test
    void followerGetsItsReadIndexFromTheLeader() {
        CoreNetwork net = clusterWithLeader(CONFIG);
        net.propose(0, "x");
        net.deliverAll();
        long leaderCommit = net.core(0).commitIndex();

        net.core(2).readIndex(5);
        net.deliverAll();
        assertThat(net.sent.get(2)).anyMatch(m -> m instanceof ReadIndexRequest r && r.requestId() == 5 && r.to() == 0);
        assertThat(net.sent.get(0)).anyMatch(m -> m instanceof ReadIndexResponse r && r.success() && r.to() == 2);
        assertThat(served(net, 2)).containsExactly(new Ready.ReadState(5, leaderCommit));
    }

    @Test
    void aNodeThatKnowsNoLeaderFailsTheReadAtOnce() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 7);
        net.core(1).readIndex(3);
        net.flush();
        assertThat(failed(net, 1)).containsExactly(new Ready.FailedRead(3, -1));
        assertThat(net.sent.get(1)).isEmpty();
    }

    @Test
    void losingLeadershipFailsThePendingReads() {
        CoreNetwork net = clusterWithLeader(CONFIG);
        RaftCore leader = net.core(0);
        net.core(2).readIndex(4); // a follower's read, held by the leader
        net.flush();
        net.deliverOne(m -> m instanceof ReadIndexRequest);
        leader.readIndex(1);
        net.dropInFlight(); // the round is never answered

        net.isolate(0);
        int next = electAnotherLeader(net);
        net.heal();
        net.tick(next, CONFIG.heartbeatTicks()); // the new leader's heartbeat deposes the old one
        net.deliverAll();
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(served(net, 0)).isEmpty();
        assertThat(failed(net, 0)).containsExactly(new Ready.FailedRead(1, next));
        assertThat(served(net, 2)).isEmpty();
        assertThat(failed(net, 2)).singleElement().satisfies(f -> assertThat(f.requestId()).isEqualTo(4));
    }

    @Test
    void followerFailsAForwardedReadThatItsLeaderDoesNotAnswer() {
        CoreNetwork net = clusterWithLeader(CONFIG);
        net.dropWhen(m -> m instanceof ReadIndexRequest); // lost on the way; heartbeats still flow
        net.core(2).readIndex(8);
        net.tickAll(CONFIG.checkQuorumTicks() - 1);
        assertThat(failed(net, 2)).isEmpty();
        net.tickAll(1);
        assertThat(failed(net, 2)).containsExactly(new Ready.FailedRead(8, 0));
        assertThat(served(net, 2)).isEmpty();
    }

    @Test
    void leaseServesReadsWithoutARoundUntilItExpires() {
        CoreNetwork net = clusterWithLeader(CONFIG.withLeaseReads(true, 5));
        RaftCore leader = net.core(0);
        leader.observeTime(0);
        leader.readIndex(1);
        net.deliverAll(); // a round at time 0 confirms and starts the lease
        assertThat(served(net, 0)).hasSize(1);
        long rounds = roundsSent(net, 0);

        leader.observeTime((CONFIG.electionTicks() - 5) * TICK_NANOS - 1);
        leader.readIndex(2);
        net.flush();
        assertThat(served(net, 0)).hasSize(2);
        assertThat(roundsSent(net, 0)).isEqualTo(rounds);

        leader.observeTime((CONFIG.electionTicks() - 5) * TICK_NANOS);
        leader.readIndex(3);
        net.flush();
        assertThat(served(net, 0)).hasSize(2); // expired: it waits for a round
        net.deliverAll();
        assertThat(served(net, 0)).hasSize(3);
        assertThat(roundsSent(net, 0)).isEqualTo(rounds + 1);
        assertThat(leader.leaseReads()).as("read 2 only").isEqualTo(1);
        assertThat(leader.readRounds()).as("for reads 1 and 3").isEqualTo(2);
    }

    @Test
    void leaseIsNeverUsedOnceALeadershipTransferStarted() {
        CoreNetwork net = clusterWithLeader(CONFIG.withLeaseReads(true, 5));
        RaftCore leader = net.core(0);
        leader.observeTime(0);
        leader.readIndex(1);
        net.deliverAll();
        assertThat(served(net, 0)).hasSize(1);

        net.dropWhen(m -> m instanceof io.rrmq.raft.message.TimeoutNow);
        leader.transferLeadership(1);
        leader.readIndex(2);
        net.flush();
        assertThat(served(net, 0)).as("served from the lease during a transfer").hasSize(1);
        net.deliverAll();
        assertThat(served(net, 0)).hasSize(2); // by a round, which stays safe
    }

    @Test
    void withLeaseReadsAFreshlyStartedNodeRefusesVotesForAnElectionTimeout() {
        RaftConfig lease = CONFIG.withLeaseReads(true, 5);
        RaftCore restarted = new RaftCore(1, List.of(0, 1, 2), lease, io.rrmq.raft.HardState.INITIAL, List.of(),
                new java.util.Random(1));
        restarted.step(new VoteRequest(2, 1, 1, 0, 0, false));
        assertThat(restarted.takeReady().messages()).as("it may have acknowledged a lease it forgot").isEmpty();

        for (int i = 0; i < lease.electionTicks(); i++) {
            restarted.tick();
        }
        restarted.takeReady();
        restarted.step(new VoteRequest(2, 1, 1, 0, 0, false));
        assertThat(restarted.takeReady().messages())
                .anyMatch(m -> m instanceof VoteResponse v && v.granted() && v.to() == 2);
    }

    @Test
    void leaseReadsAreOffByDefault() {
        CoreNetwork net = clusterWithLeader(CONFIG);
        RaftCore leader = net.core(0);
        leader.readIndex(1);
        net.deliverAll();
        leader.readIndex(2);
        net.flush();
        assertThat(served(net, 0)).hasSize(1);
        assertThat(CONFIG.leaseReads()).isFalse();
    }

    @Test
    void singleVoterConfirmsItsOwnRound() {
        CoreNetwork net = new CoreNetwork(1, CONFIG, 7);
        net.elect(0);
        net.deliverAll();
        net.core(0).readIndex(1);
        net.flush();
        assertThat(served(net, 0)).containsExactly(new Ready.ReadState(1, net.core(0).commitIndex()));
    }

    @Test
    void followersEchoTheRoundOfWhatTheyAnswer() {
        CoreNetwork net = clusterWithLeader(CONFIG);
        net.core(0).readIndex(1);
        net.deliverAll();
        List<RaftMessage> answers = net.sent.get(1);
        assertThat(answers).filteredOn(m -> m instanceof AppendEntriesResponse)
                .anyMatch(m -> ((AppendEntriesResponse) m).readContext() > 0);
    }
}

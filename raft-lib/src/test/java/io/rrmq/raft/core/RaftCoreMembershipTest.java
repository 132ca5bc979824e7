package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.MembershipChangeException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.TimeoutNow;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Single-server membership changes, learners and leadership transfer (thesis ch. 4, §3.10), driven by hand. */
class RaftCoreMembershipTest {
    private static final RaftConfig CONFIG = RaftConfig.defaults();

    private static CoreNetwork threeWithLeader() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 7);
        net.elect(0);
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks()); // the first entry of the term commits everywhere
        return net;
    }

    @Test
    void aLearnerReceivesTheLogButNeitherVotesNorCampaigns() {
        CoreNetwork net = threeWithLeader();
        net.addJoiner(3);
        RaftCore leader = net.core(0);
        leader.proposeConfiguration(leader.configuration().withLearner(3, "n3"));
        net.propose(0, "a");
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks());
        RaftCore learner = net.core(3);
        assertThat(learner.configuration().isVoter(3)).isFalse();
        assertThat(learner.configuration().contains(3)).isTrue();
        assertThat(net.appliedCommands(3)).containsExactly("a");
        // Cut off from everyone for many election timeouts, it never campaigns.
        net.isolate(3);
        net.tick(3, 20 * CONFIG.electionTicks());
        assertThat(learner.role()).isEqualTo(Role.FOLLOWER);
        assertThat(learner.term()).isEqualTo(leader.term());
    }

    @Test
    void aLearnerDoesNotCountTowardsCommit() {
        CoreNetwork net = threeWithLeader();
        net.addJoiner(3);
        RaftCore leader = net.core(0);
        leader.proposeConfiguration(leader.configuration().withLearner(3, "n3"));
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks());
        net.isolate(1);
        net.isolate(2);
        long before = leader.commitIndex();
        net.propose(0, "b");
        net.deliverAll();
        assertThat(net.core(3).log().lastIndex()).isEqualTo(leader.log().lastIndex()); // replicated to the learner
        assertThat(leader.commitIndex()).isEqualTo(before); // leader + learner are no majority of 3 voters
    }

    @Test
    void aChangeIsRefusedWhileAnotherIsUncommitted() {
        CoreNetwork net = threeWithLeader();
        RaftCore leader = net.core(0);
        net.isolate(1);
        net.isolate(2);
        leader.proposeConfiguration(leader.configuration().withLearner(3, "n3"));
        assertThatThrownBy(() -> leader.proposeConfiguration(leader.configuration().withLearner(4, "n4")))
                .isInstanceOf(MembershipChangeException.class).hasMessageContaining("not committed");
    }

    @Test
    void aNewLeaderAppendsNoChangeBeforeAnEntryOfItsTermCommits() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 3);
        net.isolate(1);
        net.isolate(2);
        RaftCore core = net.core(0);
        // Elected with votes delivered by hand, then cut off: its first entry cannot commit.
        for (int i = 0; i < 2 * CONFIG.electionTicks() && core.role() == Role.FOLLOWER; i++) {
            core.tick();
        }
        core.step(new VoteResponse(1, 0, core.term() + 1, true, true));
        core.step(new VoteResponse(1, 0, core.term(), true, false));
        assertThat(core.role()).isEqualTo(Role.LEADER);
        assertThatThrownBy(() -> core.proposeConfiguration(core.configuration().withLearner(3, "n3")))
                .isInstanceOf(MembershipChangeException.class).hasMessageContaining("entry of its term");
    }

    @Test
    void onlySingleServerChangesAreAccepted() {
        CoreNetwork net = threeWithLeader();
        RaftCore leader = net.core(0);
        Configuration twoAdded = leader.configuration().withLearner(3, "a").withLearner(4, "b");
        assertThatThrownBy(() -> leader.proposeConfiguration(twoAdded)).isInstanceOf(MembershipChangeException.class);
        Configuration voterAdded = new Configuration(List.of(new io.rrmq.raft.Member(0, "", true),
                new io.rrmq.raft.Member(1, "", true), new io.rrmq.raft.Member(2, "", true),
                new io.rrmq.raft.Member(3, "", true)));
        assertThatThrownBy(() -> leader.proposeConfiguration(voterAdded))
                .isInstanceOf(MembershipChangeException.class).hasMessageContaining("single-server");
    }

    @Test
    void aConfigurationIsInEffectWhenAppendedAndUndoneWhenTruncated() {
        RaftCore follower = new RaftCore(1, List.of(0, 1, 2), CONFIG, new HardState(2, 0),
                List.of(LogEntry.configuration(1, 1, Configuration.ofVoters(List.of(0, 1, 2)))), new Random(1));
        Configuration withLearner = Configuration.ofVoters(List.of(0, 1, 2)).withLearner(3, "n3");
        follower.step(new AppendEntries(0, 1, 2, 1, 1, 1, List.of(LogEntry.configuration(2, 2, withLearner))));
        assertThat(follower.configuration()).isEqualTo(withLearner);
        assertThat(follower.configurationCommitted()).isFalse();
        // A leader of a later term overwrites entry 2: the configuration before it is back.
        follower.step(new AppendEntries(2, 1, 3, 1, 1, 1, List.of(LogEntry.noop(2, 3))));
        assertThat(follower.configuration()).isEqualTo(Configuration.ofVoters(List.of(0, 1, 2)));
    }

    @Test
    void aPromotedLearnerCountsInMajoritiesAndCanLead() {
        CoreNetwork net = threeWithLeader();
        net.addJoiner(3);
        RaftCore leader = net.core(0);
        leader.proposeConfiguration(leader.configuration().withLearner(3, "n3"));
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks());
        leader.proposeConfiguration(leader.configuration().withPromoted(3));
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks());
        assertThat(net.core(3).configuration().isVoter(3)).isTrue();
        // With 4 voters, the leader and one follower are not a majority; with the new voter they are.
        net.isolate(2);
        net.isolate(3);
        long before = leader.commitIndex();
        net.propose(0, "x");
        net.deliverAll();
        assertThat(leader.commitIndex()).isEqualTo(before);
        net.heal();
        net.isolate(2);
        net.tickAll(CONFIG.heartbeatTicks());
        assertThat(leader.commitIndex()).isGreaterThan(before);
    }

    @Test
    void aRemovedLeaderStepsDownOnceTheChangeCommitsAndNeverCampaignsAgain() {
        CoreNetwork net = threeWithLeader();
        RaftCore leader = net.core(0);
        leader.proposeConfiguration(leader.configuration().without(0));
        assertThat(leader.role()).isEqualTo(Role.LEADER); // leads until the change commits
        net.deliverAll();
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.core(1).configuration().voterIds()).containsExactly(1, 2);
        net.tick(0, 10 * CONFIG.electionTicks());
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(leader.term()).isEqualTo(net.core(1).term()); // it never campaigned
        // The remaining two elect a leader between them (their clocks at different paces, as real ones).
        for (int i = 0; i < 20 * CONFIG.electionTicks() && net.core(1).role() != Role.LEADER
                && net.core(2).role() != Role.LEADER; i++) {
            net.tick(1, 1);
            net.tick(2, i % 3 == 0 ? 1 : 0);
            net.deliverAll();
        }
        assertThat(List.of(net.core(1).role(), net.core(2).role())).contains(Role.LEADER);
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    }

    @Test
    void aRemovedServerCannotDisruptTheCluster() {
        CoreNetwork net = threeWithLeader();
        RaftCore leader = net.core(0);
        leader.proposeConfiguration(leader.configuration().without(2));
        net.isolate(2); // it never hears of its removal
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks());
        long term = leader.term();
        // Node 2 still thinks it is a voter; its vote requests, even for a higher term, change nothing.
        leader.step(new VoteRequest(2, 0, term + 5, 1_000, term + 5, false));
        net.core(1).step(new VoteRequest(2, 1, term + 5, 1_000, term + 5, false));
        assertThat(leader.term()).isEqualTo(term);
        assertThat(leader.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void leadershipTransferMakesTheTargetLeaderAtOnceAndRefusesProposalsMeanwhile() {
        CoreNetwork net = threeWithLeader();
        RaftCore leader = net.core(0);
        net.isolate(2);
        net.propose(0, "behind");
        net.deliverAll();
        leader.transferLeadership(2);
        assertThat(leader.propose(new byte[] {1})).isEqualTo(-1);
        assertThat(net.sent.get(0)).noneMatch(m -> m instanceof TimeoutNow && m.to() == 2);
        net.heal();
        net.tickAll(CONFIG.heartbeatTicks()); // the heartbeat reveals the gap; entries flow; TimeoutNow follows
        assertThat(net.core(2).role()).isEqualTo(Role.LEADER);
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.appliedCommands(2)).contains("behind");
    }

    @Test
    void aTransferThatDoesNotHappenWithinAnElectionTimeoutIsAbandoned() {
        CoreNetwork net = threeWithLeader();
        RaftCore leader = net.core(0);
        net.isolate(2);
        leader.transferLeadership(2);
        net.tick(0, CONFIG.electionTicks());
        assertThat(leader.transferTarget()).isEqualTo(-1);
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(leader.propose(new byte[] {1})).isPositive();
    }
}

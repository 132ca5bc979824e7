package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.Member;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.RaftMessage;
import java.util.Random;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership bugs the simulation found (MembershipSimulationTest), each reproduced by hand. */
class RaftCoreMembershipRegressionTest {

    /**
     * Regression: voters {0, 1}; leader 1 appends entries and then its own removal while 0 is cut off,
     * and crashes. Restarted, its newest configuration ({0}) says it is not a voter, so it never
     * campaigned; 0 needs 1's vote (a majority of {0, 1}) and 1 refused it, 0's log being behind:
     * nobody could ever be elected. Now 1 campaigns without a vote of its own, wins with 0's vote (a
     * majority of {0}), commits its log and steps down, and 0 leads the group of one. (Simulation
     * seed 33 with 5 initial voters.)
     */
    @Test
    void aLeaderThatCrashedWithItsOwnUncommittedRemovalDoesNotLeaveTheOthersLeaderless() {
        CoreNetwork net = new CoreNetwork(2, CoreNetwork.config(), 7);
        net.elect(1);
        net.propose(1, "a");
        net.deliverAll();
        net.isolate(0);
        net.propose(1, "b");
        net.core(1).proposeConfiguration(net.core(1).configuration().without(1));
        net.flush(); // durable on 1 only

        RaftCore crashed = net.core(1);
        List<LogEntry> durable = new ArrayList<>();
        for (long i = crashed.log().firstIndex(); i <= crashed.log().lastIndex(); i++) {
            durable.add(crashed.log().entryAt(i));
        }
        net.restart(1, new HardState(crashed.term(), crashed.votedFor()), durable);
        net.heal();
        net.tickAll(20 * CoreNetwork.config().electionTicks());

        assertThat(net.core(0).role()).isEqualTo(Role.LEADER);
        assertThat(net.core(0).configuration()).isEqualTo(Configuration.ofVoters(List.of(0)));
        assertThat(net.core(0).configurationCommitted()).isTrue();
        assertThat(net.appliedCommands(0)).containsExactly("a", "b");
        assertThat(net.core(1).role()).isEqualTo(Role.FOLLOWER);
    }

    /** A server that knows its removal is committed never campaigns again. */
    @Test
    void aServerThatKnowsItsRemovalCommittedNeverCampaigns() {
        CoreNetwork net = new CoreNetwork(3, CoreNetwork.config(), 11);
        net.elect(0);
        net.deliverAll();
        net.core(0).proposeConfiguration(net.core(0).configuration().without(2));
        net.deliverAll();
        net.tickAll(2 * CoreNetwork.config().heartbeatTicks()); // a heartbeat carries the commit index to 2
        assertThat(net.core(2).configurationCommitted()).isTrue();
        long term = net.core(0).term();

        net.isolate(0);
        net.tickAll(20 * CoreNetwork.config().electionTicks());

        assertThat(net.core(2).role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.core(2).term()).isEqualTo(term);
    }

    /**
     * Regression: the only voter, with a learner, wins its election by its own vote and used to send
     * the learner AppendEntries of the new term in the same Ready as the term itself, before it was
     * on disk. Crashing then, it came back in the old term, won the same term again and appended
     * different entries under the same index and term; the learner, holding the first ones, kept
     * them (same index and term means same entry) and applied another history (simulation seed 48
     * with 3 initial voters: log matching). Now nothing of the term is sent before it is durable.
     */
    @Test
    void aSingleVoterSendsNothingOfItsNewTermBeforeTheTermIsDurable() {
        Configuration voterAndLearner = new Configuration(List.of(new Member(0, "", true), new Member(1, "", false)));
        RaftCore core = new RaftCore(0, CoreNetwork.config(), HardState.INITIAL, null, List.of(), voterAndLearner,
                new Random(3));
        for (int i = 0; i < 2 * CoreNetwork.config().electionTicks() && core.role() != Role.LEADER; i++) {
            core.tick();
        }
        assertThat(core.role()).isEqualTo(Role.LEADER);

        Ready first = core.takeReady();
        assertThat(first.hardState()).isEqualTo(new HardState(core.term(), 0));
        assertThat(first.messages()).noneMatch(m -> m instanceof AppendEntries);

        core.onPersisted(first.persistSeq());
        core.tick();
        List<RaftMessage> afterwards = core.takeReady().messages();
        assertThat(afterwards).anyMatch(m -> m instanceof AppendEntries a && a.to() == 1 && a.term() == core.term());
    }

    /**
     * The disruptive server (thesis §4.2.3): 4 is removed without hearing of it and keeps timing out.
     * Voters 0-2 hold the removal and ignore its vote requests; 3 lacks the removal (its appends are
     * lost) but hears the leader's heartbeats, so its lease makes it ignore them too. Returns the
     * leader's term at the start and at the end, and the vote requests 4 sent.
     */
    private static long[] removedServerCampaignsAgainst(RaftConfig config) {
        CoreNetwork net = new CoreNetwork(5, config, 5);
        net.elect(0);
        net.deliverAll();
        net.dropWhen(m -> m.to() == 3 && m instanceof AppendEntries a && !a.entries().isEmpty()
                || m.from() == 0 && m.to() == 4);
        net.core(0).proposeConfiguration(net.core(0).configuration().without(4));
        net.deliverAll();
        net.tickAll(2 * config.heartbeatTicks());
        assertThat(net.core(0).configurationCommitted()).isTrue();
        assertThat(net.core(4).configuration().isVoter(4)).as("4 does not know").isTrue();
        assertThat(net.core(3).configuration().isVoter(4)).as("3 does not know").isTrue();
        long termBefore = net.core(0).term();

        net.tickAll(20 * config.electionTicks());

        long requests = net.sent.get(4).stream().filter(m -> m instanceof io.rrmq.raft.message.VoteRequest).count();
        return new long[] {termBefore, net.core(0).role() == Role.LEADER ? net.core(0).term() : -1, requests};
    }

    @Test
    void preVoteAndTheLeaseKeepTheLeaderWhenARemovedServerThatMissedItsRemovalCampaigns() {
        long[] outcome = removedServerCampaignsAgainst(CoreNetwork.config());
        assertThat(outcome[2]).as("vote requests from the removed server").isPositive();
        assertThat(outcome[1]).as("the leader's term at the end").isEqualTo(outcome[0]);
    }

    @Test
    void withoutPreVoteAndTheLeaseTheSameRemovedServerDeposesTheLeader() {
        long[] outcome = removedServerCampaignsAgainst(CoreNetwork.config().withPreVoteAndCheckQuorum(false, false));
        assertThat(outcome[2]).isPositive();
        assertThat(outcome[1]).as("leader 0 deposed").isNotEqualTo(outcome[0]);
    }
}

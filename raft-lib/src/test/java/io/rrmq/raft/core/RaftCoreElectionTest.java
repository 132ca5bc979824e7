package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RaftCoreElectionTest {
    private static final RaftConfig CONFIG = RaftConfig.defaults();

    private static RaftCore core(int id, int size) {
        return core(id, size, HardState.INITIAL, List.of(), CONFIG);
    }

    private static RaftCore core(int id, int size, HardState hs, List<LogEntry> log, RaftConfig config) {
        return new RaftCore(id, java.util.stream.IntStream.range(0, size).boxed().toList(), config, hs, log,
                new Random(42));
    }

    private static void timeOut(RaftCore core) {
        for (int i = 0; i < 2 * CONFIG.electionTicks(); i++) {
            core.tick();
            if (core.role() != Role.FOLLOWER) {
                return;
            }
        }
    }

    private static List<LogEntry> log(long... terms) {
        List<LogEntry> entries = new java.util.ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            entries.add(LogEntry.command(i + 1, terms[i], new byte[] {(byte) i}));
        }
        return entries;
    }

    @Test
    void electionTimeoutIsRandomizedWithinOneToTwoElectionTimeouts() {
        for (long seed = 0; seed < 50; seed++) {
            RaftCore c = new RaftCore(0, List.of(0, 1, 2), CONFIG, HardState.INITIAL, List.of(), new Random(seed));
            int ticks = 0;
            while (c.role() == Role.FOLLOWER) {
                c.tick();
                ticks++;
            }
            assertThat(ticks).isBetween(CONFIG.electionTicks(), 2 * CONFIG.electionTicks() - 1);
        }
    }

    @Test
    void timedOutFollowerAsksForPreVotesWithoutChangingItsTerm() {
        RaftCore c = core(0, 3);
        timeOut(c);
        assertThat(c.role()).isEqualTo(Role.PRE_CANDIDATE);
        assertThat(c.term()).isZero();
        Ready ready = c.takeReady();
        assertThat(ready.hardState()).isNull();
        assertThat(ready.messages()).hasSize(2).allSatisfy(m -> {
            assertThat(m).isInstanceOf(VoteRequest.class);
            assertThat(((VoteRequest) m).preVote()).isTrue();
            assertThat(m.term()).isEqualTo(1);
        });
    }

    @Test
    void majorityOfPreVotesStartsARealElectionInTheNextTerm() {
        RaftCore c = core(0, 3);
        timeOut(c);
        c.takeReady();
        c.step(new VoteResponse(1, 0, 1, true, true));
        assertThat(c.role()).isEqualTo(Role.CANDIDATE);
        assertThat(c.term()).isEqualTo(1);
        assertThat(c.votedFor()).isZero();
        Ready ready = c.takeReady();
        assertThat(ready.hardState()).isEqualTo(new HardState(1, 0));
        assertThat(ready.messages()).allSatisfy(m -> assertThat(((VoteRequest) m).preVote()).isFalse());
        assertThat(ready.messages()).allSatisfy(m -> assertThat(Ready.mustFollowPersistence(m)).isTrue());
    }

    @Test
    void candidateWithMajorityBecomesLeaderAndRecordsTheBootstrapConfigurationInPlaceOfTheNoop() {
        RaftCore c = core(0, 3);
        timeOut(c);
        c.step(new VoteResponse(1, 0, 1, true, true));
        c.step(new VoteResponse(2, 0, 1, true, false));
        assertThat(c.role()).isEqualTo(Role.LEADER);
        assertThat(c.log().lastIndex()).isEqualTo(1);
        assertThat(c.log().entryAt(1).type()).isEqualTo(LogEntry.Type.CONFIGURATION);
        assertThat(c.log().entryAt(1).configuration()).isEqualTo(io.rrmq.raft.Configuration.ofVoters(List.of(0, 1, 2)));
        assertThat(c.log().entryAt(1).term()).isEqualTo(1);
    }

    @Test
    void aLeaderWhoseLogRecordsTheConfigurationAppendsANoop() {
        RaftCore c = new RaftCore(0, List.of(0, 1, 2), RaftConfig.defaults(), new HardState(1, -1),
                List.of(LogEntry.configuration(1, 1, io.rrmq.raft.Configuration.ofVoters(List.of(0, 1, 2)))),
                new Random(1));
        timeOut(c);
        c.step(new VoteResponse(1, 0, 2, true, true));
        c.step(new VoteResponse(1, 0, 2, true, false));
        assertThat(c.role()).isEqualTo(Role.LEADER);
        assertThat(c.log().entryAt(2).type()).isEqualTo(LogEntry.Type.NOOP);
    }

    @Test
    void majorityOfRejectionsEndsTheCampaign() {
        RaftCore c = core(0, 3);
        timeOut(c);
        c.step(new VoteResponse(1, 0, 1, true, true));
        c.step(new VoteResponse(1, 0, 1, false, false));
        c.step(new VoteResponse(2, 0, 1, false, false));
        assertThat(c.role()).isEqualTo(Role.FOLLOWER);
        assertThat(c.term()).isEqualTo(1);
    }

    @Test
    void grantsOneVotePerTerm() {
        RaftCore c = core(0, 3);
        c.step(new VoteRequest(1, 0, 5, 0, 0, false));
        c.step(new VoteRequest(2, 0, 5, 0, 0, false));
        c.step(new VoteRequest(1, 0, 5, 0, 0, false)); // a retransmission gets the same answer
        List<RaftMessage> out = c.takeReady().messages();
        assertThat(out).extracting(m -> ((VoteResponse) m).granted()).containsExactly(true, false, true);
        assertThat(c.votedFor()).isEqualTo(1);
        assertThat(c.term()).isEqualTo(5);
    }

    @Test
    void voteIsHandedToStorageBeforeTheGrantMayBeSent() {
        RaftCore c = core(0, 3);
        c.step(new VoteRequest(1, 0, 5, 0, 0, false));
        Ready ready = c.takeReady();
        assertThat(ready.hardState()).isEqualTo(new HardState(5, 1));
        assertThat(ready.hasWrites()).isTrue();
        assertThat(Ready.mustFollowPersistence(ready.messages().get(0))).isTrue();
    }

    @Test
    void rejectsVoteForStaleLog() {
        // Our log ends with term 3 at index 3.
        RaftCore c = core(0, 3, new HardState(3, -1), log(1, 2, 3), CONFIG);
        c.step(new VoteRequest(1, 0, 4, 5, 2, false)); // longer, but older last term
        c.step(new VoteRequest(2, 0, 5, 2, 3, false)); // same last term, shorter
        List<RaftMessage> out = c.takeReady().messages();
        assertThat(out).extracting(m -> ((VoteResponse) m).granted()).containsExactly(false, false);
        assertThat(c.votedFor()).isEqualTo(-1);
    }

    @Test
    void refusingAStaleCandidateDoesNotPostponeOurOwnElection() {
        // Classic elections: a candidate with a stale log and a faster clock asks again and again in
        // ever higher terms. We refuse it each time, and must still time out and campaign ourselves.
        RaftConfig classic = CONFIG.withPreVoteAndCheckQuorum(false, false);
        RaftCore c = core(0, 3, new HardState(3, -1), log(1, 2, 3), classic);
        long staleTerm = 3;
        for (int tick = 0; tick < 2 * classic.electionTicks() && c.role() == Role.FOLLOWER; tick++) {
            if (tick % 5 == 0) {
                c.step(new VoteRequest(1, 0, ++staleTerm, 2, 2, false));
            }
            c.tick();
        }
        assertThat(c.role()).isEqualTo(Role.CANDIDATE);
    }

    @Test
    void grantsVoteForLogWithLaterLastTermEvenIfShorter() {
        RaftCore c = core(0, 3, new HardState(3, -1), log(1, 2, 3), CONFIG);
        c.step(new VoteRequest(1, 0, 5, 1, 4, false));
        assertThat(((VoteResponse) c.takeReady().messages().get(0)).granted()).isTrue();
    }

    @Test
    void preVoteChangesNeitherTermNorVote() {
        RaftCore c = core(0, 3, new HardState(2, -1), List.of(), CONFIG);
        c.step(new VoteRequest(1, 0, 3, 0, 0, true));
        Ready ready = c.takeReady();
        assertThat(((VoteResponse) ready.messages().get(0)).granted()).isTrue();
        assertThat(ready.messages().get(0).term()).isEqualTo(3);
        assertThat(c.term()).isEqualTo(2);
        assertThat(c.votedFor()).isEqualTo(-1);
        assertThat(ready.hardState()).isNull();
    }

    @Test
    void stepsDownOnAnyMessageWithAHigherTerm() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 1);
        net.elect(0);
        RaftCore leader = net.core(0);
        long term = leader.term();
        leader.step(AppendEntriesResponse.rejected(1, 0, term + 3, 0, 0, 0));
        assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
        assertThat(leader.term()).isEqualTo(term + 3);
        assertThat(leader.votedFor()).isEqualTo(-1);
    }

    @Test
    void refusesAppendEntriesFromAStaleLeaderWithItsOwnTerm() {
        RaftCore c = core(0, 3, new HardState(5, -1), List.of(), CONFIG);
        c.step(new AppendEntries(1, 0, 4, 0, 0, 0, List.of()));
        AppendEntriesResponse r = (AppendEntriesResponse) c.takeReady().messages().get(0);
        assertThat(r.success()).isFalse();
        assertThat(r.term()).isEqualTo(5);
        assertThat(c.leaderId()).isEqualTo(-1);
    }

    @Test
    void followerThatHeardFromItsLeaderIgnoresVoteRequests() {
        RaftCore c = core(0, 3);
        c.step(new AppendEntries(1, 0, 1, 0, 0, 0, List.of()));
        c.takeReady();
        c.step(new VoteRequest(2, 0, 2, 10, 10, false));
        c.step(new VoteRequest(2, 0, 2, 10, 10, true));
        assertThat(c.takeReady().messages()).isEmpty();
        assertThat(c.term()).isEqualTo(1);
        assertThat(c.leaderId()).isEqualTo(1);
    }

    @Test
    void rejoiningNodeDoesNotDisruptAHealthyLeader() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 2);
        net.elect(0);
        long term = net.core(0).term();
        net.isolate(2);
        net.tick(2, 20 * CONFIG.electionTicks()); // keeps timing out alone: pre-votes, never a new term
        assertThat(net.core(2).term()).isEqualTo(term);
        net.heal();
        net.tickAll(CONFIG.heartbeatTicks() * 3);
        assertThat(net.core(0).role()).isEqualTo(Role.LEADER);
        assertThat(net.core(0).term()).isEqualTo(term);
        assertThat(net.core(2).role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.core(2).leaderId()).isZero();
    }

    @Test
    void withoutPreVoteARejoiningNodeForcesANewTerm() {
        // The counterpart of the test above: proves the pre-vote is what protects the leader.
        RaftConfig noPreVote = CONFIG.withPreVoteAndCheckQuorum(false, false);
        CoreNetwork net = new CoreNetwork(3, noPreVote, 2);
        net.elect(0);
        long term = net.core(0).term();
        net.isolate(2);
        net.tick(2, 4 * noPreVote.electionTicks());
        assertThat(net.core(2).term()).isGreaterThan(term);
        net.heal();
        net.tickAll(noPreVote.heartbeatTicks() * 3);
        assertThat(net.core(0).term()).isGreaterThan(term);
    }

    @Test
    void leaderCutOffFromMajorityStepsDown() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 3);
        net.elect(0);
        net.isolate(0);
        // Within one window it cannot know yet; two full windows without a majority depose it.
        for (int i = 0; i < CONFIG.checkQuorumTicks(); i++) {
            net.core(0).tick();
            net.deliverAll();
        }
        assertThat(net.core(0).role()).isEqualTo(Role.LEADER);
        for (int i = 0; i < CONFIG.checkQuorumTicks() + 1; i++) {
            net.core(0).tick();
            net.deliverAll();
        }
        assertThat(net.core(0).role()).isEqualTo(Role.FOLLOWER);
        assertThat(net.core(0).leaderId()).isEqualTo(-1);
    }

    @Test
    void leaderThatHearsFromMajorityStaysLeader() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 3);
        net.elect(0);
        net.isolate(2);
        net.tickAll(5 * CONFIG.electionTicks());
        assertThat(net.core(0).role()).isEqualTo(Role.LEADER);
    }

    @Test
    void singleNodeElectsItselfAndCommitsOnceItsOwnWriteIsDurable() {
        RaftCore c = core(0, 1);
        timeOut(c);
        assertThat(c.role()).isEqualTo(Role.LEADER);
        long index = c.propose(new byte[] {7});
        Ready first = c.takeReady();
        assertThat(first.committed()).isEmpty();
        assertThat(first.entries()).extracting(LogEntry::index).containsExactly(1L, index);
        c.onPersisted(first.persistSeq());
        assertThat(c.commitIndex()).isEqualTo(index);
        assertThat(c.takeReady().committed()).extracting(LogEntry::index).containsExactly(1L, index);
    }

    @Test
    void exactlyOneLeaderIsElectedUnderManySeeds() {
        for (long seed = 0; seed < 100; seed++) {
            CoreNetwork net = new CoreNetwork(5, CONFIG, seed);
            net.tickAll(3 * CONFIG.electionTicks());
            long leaders = net.cores.values().stream().filter(c -> c.role() == Role.LEADER).count();
            assertThat(leaders).as("seed %d", seed).isEqualTo(1);
        }
    }
}

package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RaftCoreReplicationTest {
    private static final RaftConfig CONFIG = RaftConfig.defaults();

    private static RaftCore follower(long term, long... logTerms) {
        return new RaftCore(0, List.of(0, 1, 2), CONFIG, new HardState(term, -1), log(logTerms), new Random(1));
    }

    private static List<LogEntry> log(long... terms) {
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            entries.add(LogEntry.command(i + 1, terms[i], new byte[] {(byte) i}));
        }
        return entries;
    }

    private static LogEntry entry(long index, long term) {
        return LogEntry.command(index, term, new byte[] {(byte) (index * 7 + term)});
    }

    private static AppendEntriesResponse onlyResponse(RaftCore c) {
        List<RaftMessage> out = c.takeReady().messages();
        assertThat(out).hasSize(1);
        return (AppendEntriesResponse) out.get(0);
    }

    /** Elects core 0 of {@code size} members by feeding it votes by hand. */
    /** The Ready contract: the vote requests, hence the answers, follow the durable term and vote. */
    private static void persistIfCandidate(RaftCore c) {
        if (c.role() == Role.CANDIDATE) {
            c.onPersisted(c.takeReady().persistSeq());
        }
    }

    private static RaftCore electedLeader(int size, HardState hs, List<LogEntry> log, RaftConfig config) {
        RaftCore c = new RaftCore(0, IntStream.range(0, size).boxed().toList(), config, hs, log, new Random(5));
        while (c.role() == Role.FOLLOWER) {
            c.tick();
        }
        long term = c.term() + 1;
        for (int voter = 1; voter < size && c.role() != Role.LEADER; voter++) {
            persistIfCandidate(c);
            c.step(new VoteResponse(voter, 0, term, true, c.role() == Role.PRE_CANDIDATE));
        }
        for (int voter = 1; voter < size && c.role() != Role.LEADER; voter++) {
            persistIfCandidate(c);
            c.step(new VoteResponse(voter, 0, term, true, false));
        }
        assertThat(c.role()).isEqualTo(Role.LEADER);
        return c;
    }

    @Test
    void followerAppendsEntriesThatContinueItsLog() {
        RaftCore c = follower(1, 1);
        c.step(new AppendEntries(1, 0, 1, 1, 1, 0, List.of(entry(2, 1), entry(3, 1))));
        Ready ready = c.takeReady();
        assertThat(ready.entries()).extracting(LogEntry::index).containsExactly(2L, 3L);
        AppendEntriesResponse r = (AppendEntriesResponse) ready.messages().get(0);
        assertThat(r.success()).isTrue();
        assertThat(r.matchIndex()).isEqualTo(3);
        assertThat(Ready.mustFollowPersistence(r)).isTrue();
    }

    @Test
    void followerReplacesAConflictingSuffix() {
        RaftCore c = follower(2, 1, 1, 2, 2);
        c.step(new AppendEntries(1, 0, 3, 2, 1, 0, List.of(entry(3, 3), entry(4, 3), entry(5, 3))));
        Ready ready = c.takeReady();
        assertThat(c.log().lastIndex()).isEqualTo(5);
        assertThat(c.log().termAt(3)).isEqualTo(3);
        // The write starts at the first replaced index so storage drops the old suffix.
        assertThat(ready.entries()).extracting(LogEntry::index).containsExactly(3L, 4L, 5L);
    }

    @Test
    void staleAppendEntriesDoesNotTruncateMatchingEntries() {
        RaftCore c = follower(1, 1, 1, 1, 1);
        c.step(new AppendEntries(1, 0, 1, 0, 0, 0, List.of(entry(1, 1), entry(2, 1))));
        Ready ready = c.takeReady();
        assertThat(c.log().lastIndex()).isEqualTo(4);
        assertThat(ready.entries()).isEmpty();
        assertThat(((AppendEntriesResponse) ready.messages().get(0)).matchIndex()).isEqualTo(2);
    }

    @Test
    void followerWithTooShortALogRejectsWithItsLength() {
        RaftCore c = follower(1, 1, 1);
        c.step(new AppendEntries(1, 0, 1, 5, 1, 0, List.of()));
        AppendEntriesResponse r = onlyResponse(c);
        assertThat(r.success()).isFalse();
        assertThat(r.rejectedIndex()).isEqualTo(5);
        assertThat(r.hintIndex()).isEqualTo(3);
        assertThat(r.hintTerm()).isZero();
    }

    @Test
    void followerWithAConflictingEntryRejectsWithTheFirstIndexOfThatTerm() {
        RaftCore c = follower(3, 1, 2, 2, 2);
        c.step(new AppendEntries(1, 0, 3, 4, 3, 0, List.of()));
        AppendEntriesResponse r = onlyResponse(c);
        assertThat(r.success()).isFalse();
        assertThat(r.hintTerm()).isEqualTo(2);
        assertThat(r.hintIndex()).isEqualTo(2);
    }

    @Test
    void followerCommitsUpToTheLastEntryTheMessageVouchesFor() {
        RaftCore c = follower(1, 1, 1, 1, 1, 1);
        // Entries 3..5 are ours but unverified: a heartbeat at prev=2 vouches only for 1..2.
        c.step(new AppendEntries(1, 0, 1, 2, 1, 5, List.of()));
        assertThat(c.commitIndex()).isEqualTo(2);
        c.step(new AppendEntries(1, 0, 1, 2, 1, 5, List.of(entry(3, 1))));
        assertThat(c.commitIndex()).isEqualTo(3);
        assertThat(c.takeReady().committed()).extracting(LogEntry::index).containsExactly(1L, 2L, 3L);
    }

    @Test
    void commitIndexNeverMovesBackwards() {
        RaftCore c = follower(1, 1, 1, 1);
        c.step(new AppendEntries(1, 0, 1, 3, 1, 3, List.of()));
        c.step(new AppendEntries(1, 0, 1, 1, 1, 1, List.of()));
        assertThat(c.commitIndex()).isEqualTo(3);
    }

    @Test
    void malformedAppendEntriesIsIgnored() {
        RaftCore c = follower(1, 1);
        c.step(new AppendEntries(1, 0, 1, 1, 1, 0, List.of(entry(3, 1)))); // gap: 2 is missing
        assertThat(c.takeReady().messages()).isEmpty();
        assertThat(c.log().lastIndex()).isEqualTo(1);
    }

    @Test
    void olderTermEntryIsNotCommittedByCountingReplicas() {
        // Raft paper, Figure 8 (c): S1 leads term 4 with 2@2 on a majority; that alone commits nothing.
        RaftCore leader = electedLeader(5, new HardState(3, -1), log(1, 2), CONFIG);
        assertThat(leader.term()).isEqualTo(4);
        Ready ready = leader.takeReady();
        leader.onPersisted(ready.persistSeq());
        long term = leader.term();
        leader.step(AppendEntriesResponse.accepted(1, 0, term, 2));
        leader.step(AppendEntriesResponse.accepted(2, 0, term, 2));
        assertThat(leader.commitIndex()).isZero();
        // Once the term-4 no-op is on a majority, it and everything before it commit (e).
        leader.step(AppendEntriesResponse.accepted(1, 0, term, 3));
        leader.step(AppendEntriesResponse.accepted(2, 0, term, 3));
        assertThat(leader.commitIndex()).isEqualTo(3);
    }

    @Test
    void leaderDoesNotCountItselfBeforeItsOwnWriteIsDurable() {
        RaftCore leader = electedLeader(3, HardState.INITIAL, List.of(), CONFIG);
        long index = leader.propose(new byte[] {1});
        Ready ready = leader.takeReady();
        leader.step(AppendEntriesResponse.accepted(1, 0, leader.term(), index));
        assertThat(leader.commitIndex()).isEqualTo(0); // 1 of 3 durable
        leader.onPersisted(ready.persistSeq());
        assertThat(leader.commitIndex()).isEqualTo(index);
    }

    @Test
    void leaderSkipsAWholeConflictingTermInOneRoundTrip() {
        RaftCore leader = electedLeader(3, new HardState(3, -1), log(1, 2, 2, 3), CONFIG);
        leader.takeReady();
        long term = leader.term();
        // The follower holds 2@2..6@2: it rejects prev=5 (our noop's predecessor is 4@3)...
        leader.step(AppendEntriesResponse.rejected(1, 0, term, 4, 2, 2));
        List<RaftMessage> out = leader.takeReady().messages();
        AppendEntries probe = (AppendEntries) out.stream().filter(m -> m.to() == 1).findFirst().orElseThrow();
        // ...and the leader's last term-2 entry is 3, so it retries right after it.
        assertThat(probe.prevLogIndex()).isEqualTo(3);
        assertThat(probe.prevLogTerm()).isEqualTo(2);
    }

    @Test
    void pipelineKeepsAtMostMaxInflightMessagesUnanswered() {
        RaftConfig small = CONFIG.withFlowControl(1, 1 << 20, 4);
        RaftCore leader = electedLeader(3, HardState.INITIAL, List.of(), small);
        Ready first = leader.takeReady();
        leader.onPersisted(first.persistSeq());
        leader.step(AppendEntriesResponse.accepted(1, 0, leader.term(), 1)); // probe answered: replicate
        for (int i = 0; i < 10; i++) {
            leader.propose(new byte[] {(byte) i});
        }
        long toFollower = leader.takeReady().messages().stream().filter(m -> m.to() == 1).count();
        assertThat(toFollower).isEqualTo(4);
        leader.step(AppendEntriesResponse.accepted(1, 0, leader.term(), 3));
        long more = leader.takeReady().messages().stream().filter(m -> m.to() == 1).count();
        assertThat(more).isEqualTo(2);
    }

    @Test
    void clusterReplicatesAndAppliesTheSameCommandsInOrderEverywhere() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 7);
        net.elect(0);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add("c" + i);
            assertThat(net.propose(0, "c" + i)).isPositive();
            if (i % 17 == 0) {
                net.deliverAll();
            }
        }
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks()); // followers learn the final commit index
        for (int id = 0; id < 3; id++) {
            assertThat(net.appliedCommands(id)).as("node %d", id).isEqualTo(expected);
        }
    }

    @Test
    void lostPipelinedMessageIsRepairedByTheNextHeartbeat() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 8);
        net.elect(0);
        boolean[] dropped = {false};
        net.dropWhen(m -> {
            if (!dropped[0] && m.to() == 2 && m instanceof AppendEntries a && !a.entries().isEmpty()) {
                dropped[0] = true;
                return true;
            }
            return false;
        });
        for (int i = 0; i < 5; i++) {
            net.propose(0, "x" + i);
            net.deliverAll();
        }
        assertThat(dropped[0]).isTrue();
        net.tickAll(2 * CONFIG.heartbeatTicks());
        assertThat(net.core(2).log().lastIndex()).isEqualTo(net.core(0).log().lastIndex());
        assertThat(net.appliedCommands(2)).containsExactly("x0", "x1", "x2", "x3", "x4");
    }

    @Test
    void newLeaderOverwritesUncommittedEntriesOfADeposedLeader() {
        CoreNetwork net = new CoreNetwork(3, CONFIG, 9);
        net.elect(0);
        net.propose(0, "committed");
        net.deliverAll();
        net.isolate(0);
        net.propose(0, "lost-1");
        net.propose(0, "lost-2");
        net.deliverAll();
        net.tickAll(3 * CONFIG.electionTicks()); // 1 or 2 takes over
        int newLeader = net.core(1).role() == Role.LEADER ? 1 : 2;
        assertThat(net.core(newLeader).role()).isEqualTo(Role.LEADER);
        net.propose(newLeader, "after");
        net.heal();
        net.tickAll(3 * CONFIG.heartbeatTicks());
        for (int id = 0; id < 3; id++) {
            assertThat(net.appliedCommands(id)).as("node %d", id).containsExactly("committed", "after");
        }
    }
}

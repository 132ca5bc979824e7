package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.InstallSnapshotResponse;
import io.rrmq.raft.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Log compaction and InstallSnapshot (Raft paper §7 and Figure 13), driven by hand. */
class RaftCoreSnapshotTest {
    private static final RaftConfig CONFIG = RaftConfig.defaults().withSnapshots(1000, 1 << 20, 0).withSnapshotChunkBytes(64);

    private static List<LogEntry> log(long... terms) {
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            entries.add(LogEntry.command(i + 1, terms[i], new byte[] {(byte) i}));
        }
        return entries;
    }

    private static RaftCore follower(long term, long... logTerms) {
        return new RaftCore(0, List.of(0, 1, 2), CONFIG, new HardState(term, -1), log(logTerms), new Random(1));
    }

    private static InstallSnapshot chunk(long term, long index, long snapTerm, long offset, int length, boolean done) {
        return new InstallSnapshot(1, 0, term, index, snapTerm, offset, new byte[length], done);
    }

    /** A follower that stored the first 8 bytes of snapshot 10@3 from node 1 in term 3, its answer taken. */
    private static RaftCore followerWithFirstChunkStored() {
        RaftCore c = follower(3, 1, 1);
        InstallSnapshot first = chunk(3, 10, 3, 0, 8, false);
        c.step(first);
        c.takeReady();
        c.onSnapshotChunkStored(first, true);
        c.takeReady();
        return c;
    }

    private static List<InstallSnapshotResponse> snapshotReplies(Ready ready) {
        return ready.messages().stream().filter(m -> m instanceof InstallSnapshotResponse)
                .map(m -> (InstallSnapshotResponse) m).toList();
    }

    private static CoreNetwork networkWithLaggingFollower(long seed) {
        CoreNetwork net = new CoreNetwork(3, CONFIG, seed);
        net.elect(0);
        net.isolate(2);
        for (int i = 0; i < 30; i++) {
            net.propose(0, "c" + i);
        }
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks());
        net.takeSnapshot(0); // leader compacts everything it applied
        return net;
    }

    // ---------------------------------------------------------------- compaction

    @Test
    void snapshotTakenCompactsTheLogAndTellsStorageKeepingTrailingEntries() {
        RaftConfig trailing = CONFIG.withSnapshots(1000, 1 << 20, 3);
        CoreNetwork net = new CoreNetwork(1, trailing, 1);
        net.elect(0);
        for (int i = 0; i < 10; i++) {
            net.propose(0, "c" + i);
        }
        net.deliverAll();
        RaftCore core = net.core(0);
        long applied = core.commitIndex();
        core.snapshotTaken(applied, core.term());
        Ready ready = core.takeReady();
        assertThat(ready.snapshots().compactUpTo()).isEqualTo(applied - 4);
        assertThat(core.log().snapshotIndex()).isEqualTo(applied - 4);
        assertThat(core.log().firstIndex()).isEqualTo(applied - 3);
        assertThat(core.latestSnapshotIndex()).isEqualTo(applied);
    }

    @Test
    void theEntriesKeptBehindASnapshotAreBoundedInBytesAsWellAsInNumber() {
        // 100 entries may trail, but only 25 bytes of data: the commands are 2 bytes each.
        RaftConfig trailing = CONFIG.withSnapshots(1000, 1 << 20, 100).withSnapshotTrailingBytes(25);
        CoreNetwork net = new CoreNetwork(1, trailing, 1);
        net.elect(0);
        for (int i = 0; i < 20; i++) {
            net.propose(0, "b" + (char) ('a' + i));
        }
        net.deliverAll();
        RaftCore core = net.core(0);
        long applied = core.commitIndex();
        core.snapshotTaken(applied, core.term());
        assertThat(core.takeReady().snapshots().compactUpTo()).isEqualTo(applied - 13);
        assertThat(core.log().firstIndex()).as("12 entries of 2 bytes behind the snapshot's own").isEqualTo(applied - 12);
    }

    @Test
    void aCoreRecoveredFromASnapshotAppliesOnlyWhatFollowsIt() {
        SnapshotMeta snapshot = new SnapshotMeta(5, 2, io.rrmq.raft.Configuration.ofVoters(List.of(0, 1, 2)));
        List<LogEntry> tail = List.of(LogEntry.command(6, 2, new byte[] {6}), LogEntry.command(7, 2, new byte[] {7}));
        RaftCore c = new RaftCore(0, List.of(0, 1, 2), CONFIG, new HardState(2, -1), snapshot, tail, new Random(1));
        assertThat(c.commitIndex()).isEqualTo(5);
        assertThat(c.log().termAt(5)).isEqualTo(2);
        c.step(new AppendEntries(1, 0, 2, 7, 2, 7, List.of()));
        assertThat(c.takeReady().committed()).extracting(LogEntry::index).containsExactly(6L, 7L);
    }

    @Test
    void followerChecksAppendEntriesBelowItsSnapshotFromTheBase() {
        RaftCore c = new RaftCore(0, List.of(0, 1, 2), CONFIG, new HardState(2, -1),
                new SnapshotMeta(5, 2, io.rrmq.raft.Configuration.ofVoters(List.of(0, 1, 2))), List.of(), new Random(1));
        List<LogEntry> entries = new ArrayList<>();
        for (long i = 4; i <= 7; i++) {
            entries.add(LogEntry.command(i, 2, new byte[] {(byte) i}));
        }
        c.step(new AppendEntries(1, 0, 2, 3, 1, 7, entries));
        Ready ready = c.takeReady();
        assertThat(ready.entries()).extracting(LogEntry::index).containsExactly(6L, 7L);
        AppendEntriesResponse r = (AppendEntriesResponse) ready.messages().get(0);
        assertThat(r.success()).isTrue();
        assertThat(r.matchIndex()).isEqualTo(7);
    }

    // ---------------------------------------------------------------- leader side

    @Test
    void followerBehindTheLogStartCatchesUpThroughInstallSnapshot() {
        CoreNetwork net = networkWithLaggingFollower(11);
        net.heal();
        net.tickAll(3 * CONFIG.heartbeatTicks());
        assertThat(net.sent.get(0)).anyMatch(m -> m instanceof InstallSnapshot s && s.offset() > 0); // several chunks
        assertThat(net.appliedCommands(2)).isEqualTo(net.appliedCommands(0));
        assertThat(net.core(2).log().snapshotIndex()).isEqualTo(net.core(0).latestSnapshotIndex());
        // Replication goes on with AppendEntries after the snapshot.
        net.propose(0, "after");
        net.deliverAll();
        net.tickAll(CONFIG.heartbeatTicks());
        assertThat(net.appliedCommands(2)).endsWith("after");
    }

    @Test
    void leaderKeepsAWindowOfChunksInFlightPerFollower() {
        CoreNetwork net = networkWithLaggingFollower(12);
        net.heal();
        net.dropWhen(m -> m instanceof InstallSnapshotResponse); // no chunk is ever answered
        net.tickAll(CONFIG.electionTicks() - 1);
        List<Long> offsets = net.sent.get(0).stream().filter(m -> m instanceof InstallSnapshot && m.to() == 2)
                .map(m -> ((InstallSnapshot) m).offset()).toList();
        assertThat(offsets).as("the first chunks, once each, in order")
                .containsExactly(0L, 64L, 128L, 192L).hasSize(Progress.SNAPSHOT_WINDOW_CHUNKS);
    }

    @Test
    void aLostChunkIsSentAgainAfterAnElectionTimeout() {
        CoreNetwork net = networkWithLaggingFollower(13);
        boolean[] dropped = {false};
        net.dropWhen(m -> {
            if (!dropped[0] && m instanceof InstallSnapshot) {
                dropped[0] = true;
                return true;
            }
            return false;
        });
        net.heal();
        net.tickAll(CONFIG.heartbeatTicks());
        assertThat(dropped[0]).isTrue();
        net.tickAll(2 * CONFIG.electionTicks());
        assertThat(net.appliedCommands(2)).isEqualTo(net.appliedCommands(0));
    }

    @Test
    void aChunkLostInsideTheWindowIsSentAgainFromWhereTheFollowerIsAndTheTransferCompletes() {
        CoreNetwork net = networkWithLaggingFollower(15);
        int[] chunks = {0};
        net.dropWhen(m -> m instanceof InstallSnapshot && ++chunks[0] == 3); // the third chunk, once
        net.heal();
        net.tickAll(2 * CONFIG.electionTicks());
        assertThat(chunks[0]).isGreaterThan(3);
        assertThat(net.appliedCommands(2)).isEqualTo(net.appliedCommands(0));
    }

    @Test
    void aTransferInterruptedByAFollowerRestartStartsOverCleanly() {
        CoreNetwork net = networkWithLaggingFollower(14);
        net.heal();
        int[] chunks = {0};
        net.dropWhen(m -> m instanceof InstallSnapshot && ++chunks[0] > 2); // two chunks get through
        net.tickAll(CONFIG.heartbeatTicks());
        assertThat(net.receiving.get(2)).isNotNull(); // a partial snapshot
        // The follower crashes: the partial file is gone and its log is what it had durably.
        RaftCore old = net.core(2);
        net.restart(2, new HardState(old.term(), old.votedFor()), List.copyOf(old.log().slice(1, old.log().lastIndex(),
                Integer.MAX_VALUE, Long.MAX_VALUE)));
        net.receiving.remove(2);
        net.dropWhen(m -> false);
        net.tickAll(2 * CONFIG.electionTicks());
        assertThat(net.appliedCommands(2)).isEqualTo(net.appliedCommands(0));
    }

    @Test
    void chunksAskedForAgainDuringAStallAreSentOnceMoreAtMostAndTheTransferGoesOn() {
        // The leader's snapshot I/O stalls (it makes a big snapshot whole before the first chunk)
        // for three chunk timeouts: each asks for the window again. Once the chunks go, the copies
        // must be answered with what is stored. Were a copy of the first chunk to restart the
        // follower's file, its answers would fall below the leader's mark, and each such answer
        // sends the window again: a leader's heap filled up with chunks so (1 GiB catch-up).
        CoreNetwork net = networkWithLaggingFollower(16);
        net.holdWhen(m -> m instanceof InstallSnapshot);
        net.heal();
        net.tickAll(3 * CONFIG.electionTicks());
        int heldChunks = net.held.size();
        assertThat(heldChunks).as("the window, asked for again at each timeout")
                .isGreaterThan(2 * Progress.SNAPSHOT_WINDOW_CHUNKS);
        net.releaseHeld();
        net.tickAll(2 * CONFIG.electionTicks());
        assertThat(net.appliedCommands(2)).isEqualTo(net.appliedCommands(0));
        long fileChunks = (net.snapshots.get(0).values().iterator().next().length + 63) / 64;
        long chunksSent = net.sent.get(0).stream().filter(m -> m instanceof InstallSnapshot && m.to() == 2).count();
        assertThat(chunksSent).as("each chunk once after the stall, beside the copies asked for during it")
                .isLessThanOrEqualTo(heldChunks + fileChunks);
    }

    // ---------------------------------------------------------------- follower side, Figure 13

    @Test
    void receiverRule1RepliesAtOnceToAStaleTerm() {
        RaftCore c = follower(5, 1, 1);
        c.step(chunk(4, 10, 3, 0, 8, false));
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().chunksToStore()).isEmpty();
        InstallSnapshotResponse r = snapshotReplies(ready).get(0);
        assertThat(r.term()).isEqualTo(5);
        assertThat(r.complete()).isFalse();
    }

    @Test
    void receiverRules2To4StoreEachChunkThenReplyAndWaitForMore() {
        RaftCore c = follower(3, 1, 1);
        InstallSnapshot first = chunk(3, 10, 3, 0, 8, false);
        c.step(first);
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().chunksToStore()).containsExactly(first);
        assertThat(snapshotReplies(ready)).isEmpty(); // no reply before the data is stored
        c.onSnapshotChunkStored(first, true);
        InstallSnapshotResponse r = snapshotReplies(c.takeReady()).get(0);
        assertThat(r.bytesStored()).isEqualTo(8);
        assertThat(r.complete()).isFalse();
        assertThat(c.commitIndex()).isZero(); // nothing installed from a partial snapshot
    }

    @Test
    void aChunkThatDoesNotContinueTheFileIsAnsweredWithWhereToResume() {
        RaftCore c = followerWithFirstChunkStored();
        c.step(chunk(3, 10, 3, 20, 8, false)); // a gap: 8..20 never arrived
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().chunksToStore()).isEmpty();
        assertThat(snapshotReplies(ready).get(0).bytesStored()).isEqualTo(8);
        c.step(chunk(3, 10, 3, 8, 8, false)); // a chunk of a transfer that never began (no offset 0)
        assertThat(c.takeReady().snapshots().chunksToStore()).hasSize(1);
    }

    @Test
    void chunksThatContinueThoseBeingWrittenAreQueuedAndAnsweredInOrderAsEachIsStored() {
        RaftCore c = follower(3, 1, 1);
        InstallSnapshot first = chunk(3, 10, 3, 0, 8, false);
        InstallSnapshot second = chunk(3, 10, 3, 8, 8, false);
        InstallSnapshot last = chunk(3, 10, 3, 16, 4, true);
        c.step(first);
        c.step(second); // before the first is written: the leader streams ahead
        c.step(last);
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().chunksToStore()).containsExactly(first, second, last);
        assertThat(snapshotReplies(ready)).isEmpty();
        c.step(chunk(3, 10, 3, 20, 4, false)); // nothing follows the last chunk
        assertThat(c.takeReady().snapshots().chunksToStore()).isEmpty();
        c.onSnapshotChunkStored(second, true); // not the oldest write: not how the runtime reports
        assertThat(snapshotReplies(c.takeReady())).isEmpty();
        c.onSnapshotChunkStored(first, true);
        assertThat(snapshotReplies(c.takeReady())).extracting(InstallSnapshotResponse::bytesStored).containsExactly(8L);
        c.onSnapshotChunkStored(second, true);
        assertThat(snapshotReplies(c.takeReady())).extracting(InstallSnapshotResponse::bytesStored).containsExactly(16L);
        c.onSnapshotChunkStored(last, true);
        InstallSnapshotResponse done = snapshotReplies(c.takeReady()).get(0);
        assertThat(done.complete()).isTrue();
        assertThat(c.commitIndex()).isEqualTo(10);
    }

    @Test
    void whileChunksAreBeingWrittenAGapOrAFreshStartIsAnsweredWithWhatIsStored() {
        RaftCore c = follower(3, 1, 1);
        InstallSnapshot first = chunk(3, 10, 3, 0, 8, false);
        c.step(first);
        c.takeReady();
        c.step(chunk(3, 10, 3, 16, 8, false)); // 8..16 lost on the way
        c.step(chunk(3, 10, 3, 0, 8, false)); // the leader started over: the first is still being written
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().chunksToStore()).isEmpty();
        assertThat(snapshotReplies(ready)).extracting(InstallSnapshotResponse::bytesStored).containsExactly(0L, 0L);
        c.onSnapshotChunkStored(first, true);
        c.takeReady();
        c.step(chunk(3, 10, 3, 8, 8, false)); // the resent chunk continues the file
        assertThat(c.takeReady().snapshots().chunksToStore()).hasSize(1);
    }

    @Test
    void theFirstChunkAgainOfATransferUnderWayIsAnsweredWithWhatIsStoredAndAnotherTransferStartsOver() {
        RaftCore c = followerWithFirstChunkStored();
        c.step(chunk(3, 10, 3, 0, 8, false)); // a copy, resent while the leader waited
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().chunksToStore()).isEmpty();
        assertThat(snapshotReplies(ready)).extracting(InstallSnapshotResponse::bytesStored).containsExactly(8L);
        InstallSnapshot second = chunk(3, 10, 3, 8, 8, false);
        c.step(second); // the file goes on where it was
        assertThat(c.takeReady().snapshots().chunksToStore()).containsExactly(second);
        c.onSnapshotChunkStored(second, true);
        c.takeReady();
        InstallSnapshot newer = chunk(4, 12, 4, 0, 8, false); // a later leader's snapshot
        c.step(newer);
        assertThat(c.takeReady().snapshots().chunksToStore()).as("another transfer starts a new file").containsExactly(newer);
    }

    @Test
    void aFailedChunkWriteRestartsTheTransfer() {
        RaftCore c = follower(3, 1, 1);
        InstallSnapshot first = chunk(3, 10, 3, 0, 8, false);
        c.step(first);
        c.takeReady();
        c.onSnapshotChunkStored(first, false);
        assertThat(snapshotReplies(c.takeReady()).get(0).bytesStored()).isZero();
        c.step(chunk(3, 10, 3, 8, 8, false));
        assertThat(c.takeReady().snapshots().chunksToStore()).isEmpty();
    }

    @Test
    void receiverRule6KeepsTheEntriesThatFollowAMatchingLastIncludedEntry() {
        RaftCore c = follower(3, 1, 2, 3, 3, 3);
        InstallSnapshot only = chunk(3, 3, 3, 0, 8, true);
        c.step(only);
        c.takeReady();
        c.onSnapshotChunkStored(only, true);
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().discardLog()).isFalse();
        assertThat(ready.snapshots().compactUpTo()).isEqualTo(3);
        assertThat(ready.snapshots().restoreIndex()).isEqualTo(3);
        assertThat(c.log().lastIndex()).isEqualTo(5);
        assertThat(c.log().firstIndex()).isEqualTo(4);
        assertThat(c.commitIndex()).isEqualTo(3);
        assertThat(snapshotReplies(ready).get(0).complete()).isTrue();
    }

    @Test
    void rule6WithEntriesNotYetHandedToStorageRewritesTheStoredLogWithoutAGap() {
        // Entries 4..6 arrive by AppendEntries in the same loop turn as the snapshot's last chunk is
        // stored: they were never handed to storage, whose log ends at 3, below the snapshot at 5.
        RaftCore c = follower(3, 1, 2, 3);
        InstallSnapshot only = chunk(3, 5, 3, 0, 8, true);
        c.step(only);
        c.takeReady();
        c.step(new io.rrmq.raft.message.AppendEntries(1, 0, 3, 3, 3, 0, List.of(
                LogEntry.command(4, 3, new byte[] {4}), LogEntry.command(5, 3, new byte[] {5}),
                LogEntry.command(6, 3, new byte[] {6}))));
        c.onSnapshotChunkStored(only, true);
        Ready ready = c.takeReady();

        // Appending 6 after a stored log ending at 3 would leave a gap: storage starts afresh after 5.
        assertThat(ready.snapshots().discardLog()).isTrue();
        assertThat(ready.entries()).extracting(LogEntry::index).containsExactly(6L);
        assertThat(c.log().firstIndex()).isEqualTo(6);
        assertThat(c.log().lastIndex()).isEqualTo(6);
        assertThat(ready.snapshots().restoreIndex()).isEqualTo(5);
    }

    @Test
    void receiverRules7And8DiscardAConflictingLogAndResetTheStateMachine() {
        RaftCore c = follower(3, 1, 2, 2, 2, 2);
        InstallSnapshot only = chunk(3, 3, 3, 0, 8, true);
        c.step(only);
        c.takeReady();
        c.onSnapshotChunkStored(only, true);
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().discardLog()).isTrue();
        assertThat(ready.snapshots().restoreIndex()).isEqualTo(3);
        assertThat(ready.committed()).isEmpty(); // the snapshot's entries are not applied again
        assertThat(c.log().lastIndex()).isEqualTo(3);
        assertThat(c.log().termAt(3)).isEqualTo(3);
        assertThat(c.durableIndex()).isEqualTo(3);
        assertThat(snapshotReplies(ready).get(0).complete()).isTrue();
    }

    @Test
    void aSnapshotOfAlreadyCommittedEntriesIsAcknowledgedWithoutInstalling() {
        RaftCore c = follower(3, 1, 1, 1);
        c.step(new AppendEntries(1, 0, 3, 3, 1, 3, List.of()));
        c.takeReady();
        c.step(chunk(3, 2, 1, 0, 8, false));
        Ready ready = c.takeReady();
        assertThat(ready.snapshots().chunksToStore()).isEmpty();
        assertThat(snapshotReplies(ready).get(0).complete()).isTrue();
    }

    @Test
    void aTransferOvertakenByTheCommitIndexStillBecomesTheLatestSnapshot() {
        // The runtime deletes older snapshot files when a received one is saved (Figure 13 rule 5),
        // so the core must point at the received one even when it need not install it.
        RaftCore c = follower(3, 1, 1, 1, 1, 1);
        InstallSnapshot only = chunk(3, 3, 1, 0, 8, true);
        c.step(only);
        c.takeReady();
        c.step(new AppendEntries(1, 0, 3, 5, 1, 5, List.of())); // commit index passes 3 meanwhile
        c.takeReady();

        c.onSnapshotChunkStored(only, true);
        Ready ready = c.takeReady();

        assertThat(ready.snapshots().restoreIndex()).as("nothing to install").isZero();
        assertThat(c.latestSnapshotIndex()).isEqualTo(3);
        assertThat(c.latestSnapshotTerm()).isEqualTo(1);
    }

    @Test
    void installSnapshotFromANewerTermMakesACandidateFollowTheSender() {
        RaftCore c = follower(3, 1);
        while (c.role() == Role.FOLLOWER) {
            c.tick();
        }
        c.step(chunk(9, 10, 8, 0, 4, false));
        assertThat(c.role()).isEqualTo(Role.FOLLOWER);
        assertThat(c.term()).isEqualTo(9);
        assertThat(c.leaderId()).isEqualTo(1);
        List<RaftMessage> out = c.takeReady().messages();
        assertThat(out).noneMatch(m -> m instanceof InstallSnapshotResponse); // waits for the write
    }
}

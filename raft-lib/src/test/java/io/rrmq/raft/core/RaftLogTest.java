package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.raft.LogEntry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RaftLogTest {
    private static List<LogEntry> entries(long from, long... terms) {
        List<LogEntry> out = new ArrayList<>();
        for (int i = 0; i < terms.length; i++) {
            out.add(LogEntry.command(from + i, terms[i], new byte[] {(byte) i}));
        }
        return out;
    }

    @Test
    void aLogAfterASnapshotKnowsTheTermOfItsBaseAndNothingBelow() {
        RaftLog log = new RaftLog(10, 3, entries(11, 3, 4));
        assertThat(log.firstIndex()).isEqualTo(11);
        assertThat(log.lastIndex()).isEqualTo(12);
        assertThat(log.termAt(10)).isEqualTo(3);
        assertThat(log.termAt(9)).isEqualTo(-1);
        assertThat(log.termAt(0)).isEqualTo(-1);
        assertThat(log.termAt(12)).isEqualTo(4);
        assertThat(log.matches(10, 3)).isTrue();
        assertThat(log.entryAt(11).term()).isEqualTo(3);
        assertThatThrownBy(() -> log.entryAt(10)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void anEmptyLogAfterASnapshotEndsAtItsBase() {
        RaftLog log = new RaftLog(7, 2, List.of());
        assertThat(log.lastIndex()).isEqualTo(7);
        assertThat(log.lastTerm()).isEqualTo(2);
        assertThat(log.isUpToDate(7, 2)).isTrue();
        assertThat(log.isUpToDate(8, 1)).isFalse();
        log.append(LogEntry.command(8, 2, new byte[0]));
        assertThat(log.takeUnpersisted()).extracting(LogEntry::index).containsExactly(8L);
    }

    @Test
    void compactionDropsThePrefixAndKeepsWhatFollows() {
        RaftLog log = new RaftLog(entries(1, 1, 1, 2, 2, 3));
        log.compactTo(3);
        assertThat(log.snapshotIndex()).isEqualTo(3);
        assertThat(log.snapshotTerm()).isEqualTo(2);
        assertThat(log.slice(4, 5, 10, Long.MAX_VALUE)).extracting(LogEntry::index).containsExactly(4L, 5L);
        assertThat(log.firstIndexOfTermAt(4)).isEqualTo(3); // as far back as the log reaches
        assertThat(log.lastIndexOfTerm(1, 5)).isZero();     // term 1 is compacted away
        log.compactTo(2); // not past the base: nothing happens
        assertThat(log.snapshotIndex()).isEqualTo(3);
    }

    @Test
    void entriesInASnapshotCannotBeTruncated() {
        RaftLog log = new RaftLog(5, 1, entries(6, 1));
        assertThatThrownBy(() -> log.truncateFrom(5)).isInstanceOf(IllegalStateException.class);
        log.truncateFrom(6);
        assertThat(log.lastIndex()).isEqualTo(5);
    }

    @Test
    void resetDiscardsEverythingAndStartsAfterTheSnapshot() {
        RaftLog log = new RaftLog(entries(1, 1, 1, 1));
        log.resetTo(9, 4);
        assertThat(log.lastIndex()).isEqualTo(9);
        assertThat(log.termAt(9)).isEqualTo(4);
        assertThat(log.termAt(3)).isEqualTo(-1);
        assertThat(log.takeUnpersisted()).isEmpty();
    }
}

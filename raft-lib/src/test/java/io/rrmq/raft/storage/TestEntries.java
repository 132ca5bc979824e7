package io.rrmq.raft.storage;

import io.rrmq.raft.LogEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Entries whose data tells where they came from, so a mix-up shows in a failed assertion. */
final class TestEntries {
    private TestEntries() {
    }

    static LogEntry entry(long index, long term) {
        return LogEntry.command(index, term, ("command " + index + "@" + term).getBytes(StandardCharsets.UTF_8));
    }

    /** Entries {@code from..to} (inclusive), all of {@code term}. */
    static List<LogEntry> entries(long from, long to, long term) {
        List<LogEntry> entries = new ArrayList<>();
        for (long index = from; index <= to; index++) {
            entries.add(entry(index, term));
        }
        return entries;
    }

    static List<LogEntry> concat(List<LogEntry> first, List<LogEntry> second) {
        List<LogEntry> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** Bytes a record of {@code entry} takes on disk. */
    static int recordSize(LogEntry entry) {
        return (int) SegmentFormat.recordSize(entry.data().length);
    }
}

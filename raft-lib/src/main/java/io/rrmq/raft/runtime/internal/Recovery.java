package io.rrmq.raft.runtime.internal;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import java.io.IOException;
import java.util.List;

/**
 * Chooses what a restarting node resumes from: the newest snapshot that verifies, and the log
 * entries after it. Never silently loses data: if the newest snapshot is damaged, an older one is
 * used only if the log still holds every entry from it through the damaged one's index; otherwise
 * start-up fails with an {@link IOException} naming what is missing.
 */
public final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

    /**
     * The snapshot to restore (null: none) and the log after it.
     *
     * @param discardStoredLog storage must drop its whole log before the node appends: either it ends
     *                         before the snapshot (which covers entries this node applied, committed by
     *                         others, that its own log never made durable), so the next entry would
     *                         not continue it; or it conflicts with the snapshot at its last index
     *                         (rule 7 again), and entries appended after the snapshot would otherwise
     *                         sit behind that conflict and be discarded with it at the next restart
     */
    public record Recovered(SnapshotMeta snapshot, List<LogEntry> tail, boolean discardStoredLog) {
        Recovered(SnapshotMeta snapshot, List<LogEntry> tail) {
            this(snapshot, tail, false);
        }
    }

    private Recovery() {
    }

    public static Recovered recover(RaftStorage.Stored stored, SnapshotStore snapshots) throws IOException {
        List<LogEntry> log = stored.entries();
        long first = log.isEmpty() ? 0 : log.get(0).index();
        long last = log.isEmpty() ? 0 : log.get(log.size() - 1).index();
        List<SnapshotMeta> candidates = snapshots.list();
        /** Index of the newest snapshot known, damaged or not: this node vouched for everything up to it. */
        long newestKnown = candidates.isEmpty() ? 0 : candidates.get(0).lastIncludedIndex();
        for (SnapshotMeta candidate : candidates) {
            long index = candidate.lastIncludedIndex();
            try {
                snapshots.verify(index);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "snapshot " + index + " is damaged (" + e.getMessage()
                        + "); trying an older one");
                continue;
            }
            boolean newest = index == newestKnown;
            if (!log.isEmpty() && first > index + 1) {
                throw new IOException("the log starts at " + first + ", after snapshot " + index
                        + " + 1: entries " + (index + 1) + ".." + (first - 1) + " are missing");
            }
            if (!newest && (log.isEmpty() || last < newestKnown)) {
                throw new IOException("the newest snapshot (" + newestKnown + ") is damaged, and the log ("
                        + (log.isEmpty() ? "empty" : first + ".." + last) + ") does not cover the gap to the"
                        + " older snapshot " + index + ": refusing to start without those entries");
            }
            boolean endsBefore = !log.isEmpty() && last < index;
            return new Recovered(candidate, tailAfter(log, candidate), endsBefore || conflicts(log, candidate));
        }
        if (newestKnown > 0 && (log.isEmpty() || first != 1 || last < newestKnown)) {
            throw new IOException("no snapshot verifies (newest " + newestKnown + ") and the log ("
                    + (log.isEmpty() ? "empty" : first + ".." + last) + ") does not hold every entry up to it");
        }
        if (!log.isEmpty() && first != 1) {
            throw new IOException("the log starts at " + first + " but there is no snapshot for the entries before it");
        }
        return new Recovered(null, log);
    }

    /** Whether the log holds the snapshot's last index in another term (Figure 13 rule 6 fails). */
    private static boolean conflicts(List<LogEntry> log, SnapshotMeta snapshot) {
        long index = snapshot.lastIncludedIndex();
        if (log.isEmpty() || log.get(log.size() - 1).index() < index) {
            return false;
        }
        long first = log.get(0).index();
        return first <= index && log.get((int) (index - first)).term() != snapshot.lastIncludedTerm();
    }

    /**
     * The entries after the snapshot, with Figure 13's rules 6 and 7 applied again: a crash may have
     * come between saving an installed snapshot and discarding a log that conflicts with it.
     */
    private static List<LogEntry> tailAfter(List<LogEntry> log, SnapshotMeta snapshot) {
        long index = snapshot.lastIncludedIndex();
        if (log.isEmpty() || log.get(log.size() - 1).index() <= index) {
            return List.of();
        }
        if (conflicts(log, snapshot)) {
            LOG.log(System.Logger.Level.WARNING, "the log conflicts with snapshot " + snapshot
                    + " at its last index: discarding the log after it");
            return List.of();
        }
        return log.subList((int) Math.max(0, index + 1 - log.get(0).index()), log.size());
    }
}

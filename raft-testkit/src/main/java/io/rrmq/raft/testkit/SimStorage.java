package io.rrmq.raft.testkit;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.core.Ready;
import io.rrmq.raft.message.RaftMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One node's log disk. Writes handed out by a {@link Ready} queue up and become durable in order, each
 * after a simulated fsync delay; a crash loses every write not yet durable. Like RaftRuntime's
 * storage thread, a write carries the messages that must wait for it: they are released when it
 * (and so everything before it) is durable. A write applies Ready's storage effects in the
 * runtime's order: discard the log (Figure 13 rule 7), hard state, entries, compaction. Appends must
 * continue the stored log without a gap, as the real storages insist.
 */
final class SimStorage {
    /** A write in the disk queue, with the messages held back until it is durable. */
    static final class PendingWrite {
        final long seq;
        final HardState hardState;
        final List<LogEntry> entries;
        final boolean discardLog;
        final long compactUpTo;
        final long durableAt;
        final List<RaftMessage> held = new ArrayList<>();

        PendingWrite(Ready ready, long durableAt) {
            this.seq = ready.persistSeq();
            this.hardState = ready.hardState();
            this.entries = ready.entries();
            this.discardLog = ready.snapshots().discardLog();
            this.compactUpTo = ready.snapshots().compactUpTo();
            this.durableAt = durableAt;
        }
    }

    private HardState durableHardState = HardState.INITIAL;
    /** Durable entries, contiguous, from any index (the prefix may be compacted). */
    private final ArrayList<LogEntry> durableLog = new ArrayList<>();
    private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();

    /** Queues {@code ready}'s storage work, durable at {@code durableAt} (never before an earlier write). */
    PendingWrite write(Ready ready, long durableAt) {
        long at = pending.isEmpty() ? durableAt : Math.max(durableAt, pending.peekLast().durableAt);
        PendingWrite w = new PendingWrite(ready, at);
        pending.addLast(w);
        return w;
    }

    /** Whether anything handed to storage is not yet durable. */
    boolean busy() {
        return !pending.isEmpty();
    }

    /** The newest write in the queue: a message that must follow persistence waits for it. */
    PendingWrite newest() {
        return pending.peekLast();
    }

    /** Makes every write due by {@code now} durable, oldest first, and returns them. */
    List<PendingWrite> completeDue(long now) {
        List<PendingWrite> done = new ArrayList<>();
        while (!pending.isEmpty() && pending.peekFirst().durableAt <= now) {
            PendingWrite w = pending.pollFirst();
            if (w.discardLog) {
                durableLog.clear();
            }
            if (w.hardState != null) {
                durableHardState = w.hardState;
            }
            if (!w.entries.isEmpty()) {
                // Ready's contract: remove every stored entry from the first index written, then append.
                long first = w.entries.get(0).index();
                while (!durableLog.isEmpty() && durableLog.get(durableLog.size() - 1).index() >= first) {
                    durableLog.remove(durableLog.size() - 1);
                }
                long expected = durableLog.isEmpty() ? first : durableLog.get(durableLog.size() - 1).index() + 1;
                if (first != expected) {
                    throw new IllegalStateException("storage: entry " + first + " does not continue the log: "
                            + expected + " expected");
                }
                durableLog.addAll(w.entries);
            }
            if (w.compactUpTo > 0) {
                compactNow(w.compactUpTo);
            }
            done.add(w);
        }
        return done;
    }

    /** Drops the durable entries up to {@code upTo} at once (a synchronous compact-and-sync). */
    void compactNow(long upTo) {
        int drop = 0;
        while (drop < durableLog.size() && durableLog.get(drop).index() <= upTo) {
            drop++;
        }
        durableLog.subList(0, drop).clear();
    }

    /** Drops the whole durable log at once (a synchronous truncate-and-sync). */
    void discardNow() {
        durableLog.clear();
    }

    /** Power loss: what was not durable is gone, with the messages that waited for it. */
    int crash() {
        int lost = pending.size();
        pending.clear();
        return lost;
    }

    HardState hardState() {
        return durableHardState;
    }

    /** The term of the durable entry at {@code index}, or -1 if the durable log does not hold it. */
    long durableTermAt(long index) {
        if (durableLog.isEmpty()) {
            return -1;
        }
        long first = durableLog.get(0).index();
        if (index < first || index >= first + durableLog.size()) {
            return -1;
        }
        return durableLog.get((int) (index - first)).term();
    }

    List<LogEntry> log() {
        return List.copyOf(durableLog);
    }
}

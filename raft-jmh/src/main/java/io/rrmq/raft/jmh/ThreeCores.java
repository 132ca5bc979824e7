package io.rrmq.raft.jmh;

import io.rrmq.raft.HardState;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import io.rrmq.raft.core.RaftCore;
import io.rrmq.raft.core.Ready;
import io.rrmq.raft.message.RaftMessage;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;

/**
 * Three {@link RaftCore}s exchanging messages in one thread, with storage that is durable at once
 * (the write is acknowledged as soon as it is handed out): what is left is the cost of the pure core
 * and of the records it allocates. Not thread-safe.
 */
final class ThreeCores {
    /** Entries compacted away every this many commits, so that a long run holds a bounded log. */
    private static final long COMPACT_EVERY = 8192;

    private final RaftCore[] cores = new RaftCore[3];
    private final ArrayDeque<RaftMessage> inFlight = new ArrayDeque<>();
    private long steps;
    private long lastCompaction;

    ThreeCores() {
        RaftConfig config = RaftConfig.defaults().withSnapshots(Long.MAX_VALUE, Long.MAX_VALUE, 64);
        for (int id = 0; id < 3; id++) {
            cores[id] = new RaftCore(id, List.of(0, 1, 2), config, HardState.INITIAL, List.of(), new Random(id));
        }
        for (int guard = 0; cores[0].role() != Role.LEADER; guard++) {
            if (guard > 1000) {
                throw new IllegalStateException("node 0 was not elected");
            }
            cores[0].tick();
            exchange();
        }
        exchange();
    }

    RaftCore leader() {
        return cores[0];
    }

    /** Messages stepped through a core so far. */
    long steps() {
        return steps;
    }

    /** Hands out every core's Ready and delivers every message until the three are quiet. */
    void exchange() {
        boolean busy = true;
        while (busy) {
            busy = false;
            for (RaftCore core : cores) {
                Ready ready = core.takeReady();
                if (!ready.isEmpty()) {
                    busy = true;
                    if (ready.hasWrites()) {
                        core.onPersisted(ready.persistSeq());
                    }
                    inFlight.addAll(ready.messages());
                }
            }
            RaftMessage m;
            while ((m = inFlight.poll()) != null) {
                cores[m.to()].step(m);
                steps++;
                busy = true;
            }
        }
        long commit = cores[0].commitIndex();
        if (commit - lastCompaction >= COMPACT_EVERY) {
            compact();
            lastCompaction = commit;
        }
    }

    /** Every core "snapshots" what it has applied, so its log keeps only a short tail. */
    private void compact() {
        for (RaftCore core : cores) {
            long index = core.commitIndex();
            core.snapshotTaken(index, core.log().termAt(index));
            core.takeReady();
        }
    }
}

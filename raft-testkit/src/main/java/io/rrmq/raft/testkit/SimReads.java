package io.rrmq.raft.testkit;

import io.rrmq.raft.core.Ready;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One simulated node's linearizable reads, as RaftRuntime's ReadWaiters hold them: asked of the
 * core, then confirmed with a read index, then served once the node has applied that far.
 */
final class SimReads {
    /** The client of a read. */
    interface Reader {
        /** Served: the node had applied up to {@code lastApplied} (at least the read index). */
        void served(long readIndex, long lastApplied);

        /** Not served (not the leader, leadership lost, the node crashed). */
        void failed();
    }

    private final Map<Long, Reader> asked = new HashMap<>();
    private final TreeMap<Long, List<Reader>> confirmed = new TreeMap<>();

    void asked(long requestId, Reader reader) {
        asked.put(requestId, reader);
    }

    void onReady(Ready.Reads reads, long lastApplied) {
        for (Ready.FailedRead f : reads.failed()) {
            Reader r = asked.remove(f.requestId());
            if (r != null) {
                r.failed();
            }
        }
        for (Ready.ReadState s : reads.ready()) {
            Reader r = asked.remove(s.requestId());
            if (r != null) {
                confirmed.computeIfAbsent(s.index(), i -> new ArrayList<>()).add(r);
            }
        }
        while (!confirmed.isEmpty() && confirmed.firstKey() <= lastApplied) {
            Map.Entry<Long, List<Reader>> e = confirmed.pollFirstEntry();
            for (Reader r : e.getValue()) {
                r.served(e.getKey(), lastApplied);
            }
        }
    }

    void crashed() {
        asked.values().forEach(Reader::failed);
        confirmed.values().forEach(rs -> rs.forEach(Reader::failed));
        asked.clear();
        confirmed.clear();
    }
}

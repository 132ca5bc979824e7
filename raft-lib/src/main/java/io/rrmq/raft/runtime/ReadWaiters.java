package io.rrmq.raft.runtime;

import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.core.Ready;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The runtime's half of linearizable reads: a read the core was asked for waits here for its
 * {@code Ready.ReadState}, then until the state machine has applied the read index (thesis §6.4
 * steps 3-4), and is then served on the event loop. Owned by the loop thread.
 */
final class ReadWaiters {
    /** What to do with a read: serve it at an index (on the loop, state machine caught up), or fail it. */
    interface Waiter {
        void serve(long readIndex);

        void fail(RuntimeException cause);
    }

    private long nextId;
    /** Asked of the core, not confirmed yet. */
    private final Map<Long, Waiter> asked = new HashMap<>();
    /** Confirmed, waiting for the state machine to apply their index. */
    private final TreeMap<Long, List<Waiter>> confirmed = new TreeMap<>();
    private int count;
    private long served;

    /** Registers a read; returns the id to ask the core for. */
    long add(Waiter waiter) {
        long id = ++nextId;
        asked.put(id, waiter);
        count++;
        return id;
    }

    /** Takes the core's answers; serves what {@code lastApplied} allows already. */
    void onReady(Ready.Reads reads, long lastApplied) {
        for (Ready.FailedRead f : reads.failed()) {
            Waiter w = asked.remove(f.requestId());
            if (w != null) {
                count--;
                w.fail(new NotLeaderException(f.leaderHint()));
            }
        }
        for (Ready.ReadState r : reads.ready()) {
            Waiter w = asked.remove(r.requestId());
            if (w != null) {
                confirmed.computeIfAbsent(r.index(), i -> new ArrayList<>(1)).add(w);
            }
        }
        applied(lastApplied);
    }

    /** The state machine has applied up to {@code lastApplied}: serves the reads it covers. */
    void applied(long lastApplied) {
        while (!confirmed.isEmpty() && confirmed.firstKey() <= lastApplied) {
            Map.Entry<Long, List<Waiter>> e = confirmed.pollFirstEntry();
            for (Waiter w : e.getValue()) {
                count--;
                served++;
                w.serve(e.getKey());
            }
        }
    }

    /** Reads registered and not served or failed yet. */
    int size() {
        return count;
    }

    /** Reads served since the node started (handed to their waiter at a confirmed read index). */
    long served() {
        return served;
    }

    /** Fails every read (the node stops). */
    void failAll(RuntimeException cause) {
        for (Waiter w : asked.values()) {
            w.fail(cause);
        }
        for (List<Waiter> ws : confirmed.values()) {
            for (Waiter w : ws) {
                w.fail(cause);
            }
        }
        asked.clear();
        confirmed.clear();
        count = 0;
    }

    /** A waiter that completes {@code future} with what {@code onApplied} makes of the read index. */
    static <T> Waiter completing(java.util.concurrent.CompletableFuture<T> future,
                                 java.util.function.LongFunction<T> onApplied) {
        return new Waiter() {
            @Override
            public void serve(long readIndex) {
                try {
                    future.complete(onApplied.apply(readIndex));
                } catch (RuntimeException e) {
                    future.completeExceptionally(e);
                }
            }

            @Override
            public void fail(RuntimeException cause) {
                future.completeExceptionally(cause);
            }
        };
    }
}

package io.rrmq.mq.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Frees a store's space without pulling it from under a snapshot: a reclamation asked for while a
 * {@link MessageStore.Pin} is open waits until the last pin closes, and a discarded store is freed
 * by whoever comes last, the applying thread (at {@link #discard}) or the snapshot thread (closing
 * its pin). One lock, held only for bookkeeping: the reclamations run outside it.
 */
final class Reclaimer {
    private final Runnable freeAll;
    private final List<Runnable> waiting = new ArrayList<>();
    private int pins;
    private boolean discarded;

    /** @param freeAll frees everything the store holds, once it is discarded and unpinned */
    Reclaimer(Runnable freeAll) {
        this.freeAll = freeAll;
    }

    /** Runs {@code reclaim} now if nothing is pinned, else once the last pin closes. */
    void reclaim(Runnable reclaim) {
        synchronized (this) {
            if (pins > 0) {
                waiting.add(reclaim);
                return;
            }
        }
        reclaim.run();
    }

    /** Runs the reclamations that waited for pins, if none is open now; on the applying thread. */
    void catchUp() {
        List<Runnable> due;
        synchronized (this) {
            if (pins > 0 || waiting.isEmpty()) {
                return;
            }
            due = List.copyOf(waiting);
            waiting.clear();
        }
        due.forEach(Runnable::run);
    }

    /** Keeps reclamation off until {@link Hold#close}; see {@link MessageStore#pin}. */
    interface Hold extends AutoCloseable {
        /** Idempotent; any thread. */
        @Override
        void close();
    }

    Hold hold() {
        synchronized (this) {
            if (discarded) {
                throw new IllegalStateException("store discarded");
            }
            pins++;
        }
        return new Hold() {
            private boolean closed;

            @Override
            public void close() {
                boolean free;
                synchronized (Reclaimer.this) {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    pins--;
                    free = discarded && pins == 0;
                }
                if (free) {
                    freeAll.run(); // the applying thread left this store: nobody else touches it
                }
            }
        };
    }

    /** The store is no longer used: free it now, or when its last pin closes. */
    void discard() {
        boolean free;
        synchronized (this) {
            discarded = true;
            waiting.clear(); // freeAll frees all of it anyway
            free = pins == 0;
        }
        if (free) {
            freeAll.run();
        }
    }
}

package io.rrmq.raft.storage;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link RaftStorage} in memory, for tests and simulation. It keeps exactly the promises of the
 * interface and no more, so that a simulated crash ({@link #crashCopy()}) loses everything the
 * interface allows to be lost: what was written after the last {@link #sync()}.
 *
 * <p>It checks what {@link FileRaftStorage} checks (load first and once, contiguous appends), so a
 * runtime tested against it behaves the same on disk. Deterministic; not thread-safe (one storage
 * thread, as the interface says; its methods are synchronized only so that tests may look at it while
 * a node runs). Entries are stored as given, not copied: {@link LogEntry} data is
 * immutable by convention.
 */
public final class MemoryRaftStorage implements RaftStorage {
    /** The log as written, synced or not. */
    private final List<LogEntry> log;
    private HardState hardState;

    // The durable state, as of the last sync, kept without copying the log at every sync: the
    // first syncedPrefix entries of log, followed by syncedTail (synced entries that a truncation
    // since removed from log).
    private int syncedPrefix;
    private final List<LogEntry> syncedTail;
    private HardState syncedHardState;

    private boolean loaded;
    private boolean closed;
    private volatile String lowOnSpace;

    /** An empty storage, as on a node's first boot. */
    public MemoryRaftStorage() {
        this(HardState.INITIAL, List.of());
    }

    private MemoryRaftStorage(HardState hardState, List<LogEntry> log) {
        this.hardState = hardState;
        this.syncedHardState = hardState;
        this.log = new ArrayList<>(log);
        this.syncedPrefix = log.size();
        this.syncedTail = new ArrayList<>();
    }

    /**
     * A new, unloaded storage holding what a crash right now would leave: the hard state and the log
     * as they were when {@link #sync()} last returned (the initial empty state if it never ran).
     * This storage is left untouched and may go on being used; the copy shares nothing mutable with
     * it. May be called after {@link #close()}.
     *
     * @return the copy
     */
    public synchronized MemoryRaftStorage crashCopy() {
        List<LogEntry> durable = new ArrayList<>(log.subList(0, syncedPrefix));
        durable.addAll(syncedTail);
        return new MemoryRaftStorage(syncedHardState, durable);
    }

    /** {@return the hard state as last saved, synced or not} */
    public synchronized HardState currentHardState() {
        return hardState;
    }

    /** {@return a copy of the log as written, synced or not} */
    public synchronized List<LogEntry> currentEntries() {
        return List.copyOf(log);
    }

    @Override
    public synchronized Stored load() {
        checkOpen();
        if (loaded) {
            throw new IllegalStateException("load() was already called");
        }
        loaded = true;
        return new Stored(hardState, List.copyOf(log));
    }

    /** Not durable until {@link #sync()}. */
    @Override
    public synchronized void saveHardState(HardState state) {
        Objects.requireNonNull(state, "state");
        checkWritable();
        hardState = state;
    }

    /** Not durable until {@link #sync()}: a crash before it brings the removed entries back. */
    @Override
    public synchronized void truncateSuffix(long fromIndex) {
        checkWritable();
        if (log.isEmpty() || fromIndex > lastIndex()) {
            return;
        }
        int keep = (int) Math.max(0, fromIndex - log.get(0).index());
        if (keep < syncedPrefix) {
            // Synced entries leave the log but stay durable until the next sync.
            syncedTail.addAll(0, log.subList(keep, syncedPrefix));
            syncedPrefix = keep;
        }
        log.subList(keep, log.size()).clear();
    }

    /**
     * Appends {@code entries}; not durable until {@link #sync()}.
     *
     * @throws IllegalStateException if the indexes leave a gap or overlap; nothing is appended
     */
    @Override
    public synchronized void append(List<LogEntry> entries) {
        checkWritable();
        if (entries.isEmpty()) {
            return;
        }
        long expected = log.isEmpty() ? entries.get(0).index() : lastIndex() + 1;
        for (LogEntry entry : entries) {
            if (entry.index() != expected) {
                throw new IllegalStateException("entry " + entry.index() + " does not continue the log: "
                        + expected + " expected");
            }
            expected++;
        }
        log.addAll(entries);
    }

    /** Drops entries up to {@code upToIndex}; unlike truncation, at once durable too. */
    @Override
    public synchronized void compactPrefix(long upToIndex) {
        checkWritable();
        int drop = 0;
        while (drop < log.size() && log.get(drop).index() <= upToIndex) {
            drop++;
        }
        log.subList(0, drop).clear();
        int droppedSynced = Math.min(drop, syncedPrefix);
        syncedPrefix -= droppedSynced;
        if (syncedPrefix == 0) {
            syncedTail.removeIf(e -> e.index() <= upToIndex);
        }
    }

    /**
     * Makes {@link #lowOnSpace()} report {@code reason}, as a full disk would.
     *
     * @param reason the shortage, or null for plenty of space
     */
    public void simulateLowSpace(String reason) {
        lowOnSpace = reason;
    }

    @Override
    public String lowOnSpace() {
        return lowOnSpace;
    }

    /** Makes everything written so far survive {@link #crashCopy()}. */
    @Override
    public synchronized void sync() {
        checkWritable();
        syncedPrefix = log.size();
        syncedTail.clear();
        syncedHardState = hardState;
    }

    /** Idempotent; afterwards only {@link #crashCopy()} and the {@code current*} views work. */
    @Override
    public synchronized void close() {
        closed = true;
    }

    private long lastIndex() {
        return log.get(log.size() - 1).index();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("storage is closed");
        }
    }

    private void checkWritable() {
        checkOpen();
        if (!loaded) {
            throw new IllegalStateException("call load() before writing");
        }
    }

    @Override
    public synchronized String toString() {
        return "MemoryRaftStorage[" + hardState + ", " + log.size() + " entries, " + syncedPrefix
                + "+" + syncedTail.size() + " synced]";
    }
}

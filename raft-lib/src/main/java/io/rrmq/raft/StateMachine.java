package io.rrmq.raft;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated application: a deterministic function from committed commands to results.
 *
 * <p><b>Threading.</b> The Raft runtime calls every method from its single event-loop thread, one
 * call at a time, so implementations need no locking of their own. Calls must not block on I/O
 * other than the stream handed to them. The exceptions are the {@link SnapshotWriter} returned by
 * {@link #takeSnapshot}, which runs on a snapshot thread while the loop goes on applying entries,
 * and {@link #expandSnapshot} with its writer, called on that thread too.
 * A machine may keep its state in local files that it reads and writes (without forcing them) as it
 * applies: the runtime makes nothing of them durable, so after a restart the machine must rebuild
 * them from {@link #restoreSnapshot} and the entries applied after it, unless it kept a checkpoint.
 *
 * <p><b>Checkpoints</b> (a machine whose state is too large to restore at every start). A snapshot
 * is the state after its last included entry; a machine may make that same state durable in its
 * own files, its <i>checkpoint</i>, while its {@link SnapshotWriter} runs: for example a small
 * metadata file plus hard links that freeze append-only data files, forced (files, then their
 * directory) before the writer of {@link #takeSnapshot(long)} returns, under a name that appears only once it is complete. At
 * start, before anything else, the runtime asks {@link #resumeCheckpoint} with the index of the
 * snapshot it is about to restore; a machine that holds a complete checkpoint of exactly that
 * index loads it (cheaply: metadata, not data) and the runtime skips {@link #restoreSnapshot} and
 * replays the log from the next entry, as it would after a restore. Since a checkpoint is only
 * ever used in place of a snapshot of the same index, the log is never compacted past what is
 * durable (snapshot and checkpoint are one state), and every existing guarantee holds: a crash
 * before the checkpoint is complete leaves the snapshot (or an older one) to restore from, the slow
 * way; a crash after applying past the checkpoint leaves files the machine must not trust beyond
 * what the checkpoint recorded (they were never forced). A machine installing a leader's snapshot
 * still gets {@link #restoreSnapshot}. Apache Ratis (StateMachineStorage, FileListSnapshotInfo)
 * lets the state machine own its snapshot files the same way; here the runtime's snapshot file
 * stays the unit of InstallSnapshot and of verification.
 *
 * <p><b>Determinism.</b> Every node applies the same commands in the same order and must reach the
 * same state and return the same results: an implementation may read nothing but its own state and
 * the arguments (no clock, no randomness, no environment).
 */
public interface StateMachine {

    /**
     * Applies one committed command. Called exactly once per committed application entry, in log
     * order, with strictly increasing indexes (gaps are entries the engine uses internally).
     *
     * @param index   the log index of the entry; unique and increasing
     * @param command the bytes a client proposed, unchanged
     * @return the result handed to the proposing client's future; never {@code null}
     *         (use an empty array)
     */
    byte[] apply(long index, byte[] command);

    /**
     * Answers a read-only {@code query} from the current state, for {@link RaftNode#query}: called on
     * the event loop between two {@link #apply} calls, once the state is recent enough for a
     * linearizable read. Must not change the state. The default refuses every query.
     *
     * @param query the bytes a client asked with, unchanged
     * @return the answer handed to the caller's future; never {@code null}
     * @throws UnsupportedOperationException if this state machine answers no queries
     * @throws IllegalArgumentException if {@code query} is malformed
     */
    default byte[] query(byte[] query) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " answers no queries");
    }

    /**
     * Writes the whole current state to {@code out} so that {@link #restoreSnapshot} on a fresh
     * instance reproduces it exactly. Does not close the stream.
     *
     * @param out where the state goes
     * @throws IOException the stream failed; the snapshot is abandoned
     */
    void writeSnapshot(OutputStream out) throws IOException;

    /**
     * Captures the current state for a snapshot, on the event loop, between two {@link #apply}
     * calls. The loop is stalled while this runs, so it should only take a cheap consistent view
     * (copy references, not bytes); the returned writer serializes it later on another thread.
     *
     * <p>The default serializes the whole state into memory here, with {@link #writeSnapshot}:
     * correct for any machine, and fine for small ones. Machines with large state override it.
     *
     * @return the writer that serializes the captured view, on the snapshot thread
     * @throws IOException the capture failed; no snapshot is taken this time
     */
    default SnapshotWriter takeSnapshot() throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        writeSnapshot(buffer);
        byte[] bytes = buffer.toByteArray();
        return out -> {
            out.write(bytes);
            out.flush();
        };
    }

    /**
     * {@link #takeSnapshot()}, for the snapshot whose last included index is {@code index}: what the
     * runtime calls. {@code index} is at least the last index {@link #apply} saw (entries the engine
     * uses internally may follow it); a machine that keeps checkpoints names the one it makes with
     * this snapshot by it, since that is the index {@link #resumeCheckpoint} will be asked for. The
     * default ignores it.
     *
     * @param index the snapshot's last included index
     * @return the writer that serializes the captured view, on the snapshot thread
     * @throws IOException the capture failed; no snapshot is taken this time
     */
    default SnapshotWriter takeSnapshot(long index) throws IOException {
        return takeSnapshot();
    }

    /**
     * The whole state of the snapshot at {@code index}, for a follower that installs it, when what
     * this node stored is only a <i>reference</i> to its own checkpoint; {@code null} (the default)
     * when the stored state is already whole and can be sent as it is.
     *
     * <p><b>Snapshots by reference.</b> A machine with a checkpoint (see the class comment) need not
     * write its whole state again at every snapshot (for a deep queue, every live body: the write
     * amplification of a snapshot every few tens of MiB of entries). Its {@link #takeSnapshot(long)}
     * writer may make the checkpoint durable first and then write only a small reference to it: the
     * snapshot file keeps its header and checksum, and restart resumes the checkpoint as before.
     * The whole state is made only when a follower needs InstallSnapshot: before sending the first
     * chunk, on the snapshot thread, the runtime asks this method and, given a writer, saves the
     * snapshot again, whole, under the same index (atomically: a crash leaves either version), then
     * streams that file in chunks as for any snapshot; the loop goes on applying and serving meanwhile.
     * The writer must read only the checkpoint's immutable files, never the live state. The price is
     * that the snapshot is no second copy: a machine that finds its checkpoint of a reference missing
     * or damaged cannot restore it and must fail {@link #restoreSnapshot} with a message saying so
     * (the node then refuses to start; wiped, it rejoins by InstallSnapshot), and it must keep the
     * checkpoint of every snapshot the runtime retains (the newest two) until a newer one is durable.
     * Apache Ratis instead sends the state machine's files one by one (FileListSnapshotInfo, a digest
     * per file) and the follower renames them into place; here the unit sent and checked stays one
     * snapshot file in {@link #restoreSnapshot}'s format, so the receiving side does not change.
     *
     * @param index the snapshot's last included index
     * @param state the snapshot's state as this node stored it (what its writer wrote); not closed here
     * @return the writer of the whole state, run on the snapshot thread; or {@code null} if
     *         {@code state} is whole
     * @throws IOException the state or the checkpoint it refers to cannot be read; the snapshot is
     *                     not sent (the follower is offered the newest one)
     */
    default SnapshotWriter expandSnapshot(long index, InputStream state) throws IOException {
        return null;
    }

    /**
     * Replaces the whole current state with the one in {@code in}, written by
     * {@link #writeSnapshot}. Does not close the stream.
     *
     * @param in the state, as {@link #writeSnapshot} wrote it
     * @throws IOException the stream failed or the snapshot is damaged; the node does not start
     */
    void restoreSnapshot(InputStream in) throws IOException;

    /**
     * Loads this machine's own durable checkpoint of the state after entry {@code index} (see
     * "Checkpoints" in the class comment), instead of {@link #restoreSnapshot}. Called at most once,
     * at start, on a fresh instance, before any other call, with the index of the newest snapshot
     * that verified. Afterwards the state must be exactly the one that snapshot holds. Returning
     * {@code false} changes nothing: the runtime then restores the snapshot. The default keeps no
     * checkpoints.
     *
     * @param index the last included index of the snapshot the runtime would restore
     * @return whether the state now is the checkpoint's, of exactly {@code index}
     * @throws IOException the checkpoint exists but cannot be read; the node does not start
     */
    default boolean resumeCheckpoint(long index) throws IOException {
        return false;
    }
}

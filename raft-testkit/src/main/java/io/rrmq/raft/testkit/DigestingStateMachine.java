package io.rrmq.raft.testkit;

import io.rrmq.raft.SnapshotWriter;
import io.rrmq.raft.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Wraps a workload's state machine with a digest of everything it applied: a hash chain over the
 * (index, command) of each applied command. The digest travels in the snapshot, in front of the
 * wrapped machine's own state, so a node restored from a snapshot can be checked to hold exactly
 * the history the other nodes applied up to its index.
 */
final class DigestingStateMachine implements StateMachine {
    private final StateMachine inner;
    private long digest;

    DigestingStateMachine(StateMachine inner) {
        this.inner = inner;
    }

    /** The digest of {@code digest} followed by one more applied command (FNV-1a, 64 bits). */
    static long chain(long digest, long index, byte[] command) {
        long h = digest ^ 0xcbf29ce484222325L;
        for (int shift = 0; shift < 64; shift += 8) {
            h = (h ^ ((index >>> shift) & 0xff)) * 0x100000001b3L;
        }
        for (byte b : command) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    long digest() {
        return digest;
    }

    @Override
    public byte[] apply(long index, byte[] command) {
        digest = chain(digest, index, command);
        return inner.apply(index, command);
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        new DataOutputStream(out).writeLong(digest);
        inner.writeSnapshot(out);
    }

    @Override
    public SnapshotWriter takeSnapshot() throws IOException {
        return withDigest(inner.takeSnapshot());
    }

    @Override
    public SnapshotWriter takeSnapshot(long index) throws IOException {
        return withDigest(inner.takeSnapshot(index));
    }

    /** The digest now, then what {@code state} writes. */
    private SnapshotWriter withDigest(SnapshotWriter state) {
        long captured = digest;
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(captured);
            data.flush();
            state.writeTo(out);
        };
    }

    /**
     * {@link StateMachine#resumeCheckpoint} with the digest the snapshot of {@code index} holds (the
     * checkpoint is the same state, so it has the same digest).
     */
    boolean resumeCheckpoint(long index, long digestAtIndex) throws IOException {
        if (!inner.resumeCheckpoint(index)) {
            return false;
        }
        digest = digestAtIndex;
        return true;
    }

    /** The digest in front of the stored state, then what the wrapped machine makes of the rest. */
    @Override
    public SnapshotWriter expandSnapshot(long index, InputStream state) throws IOException {
        long stored = digestOf(state);
        SnapshotWriter whole = inner.expandSnapshot(index, state);
        if (whole == null) {
            return null;
        }
        return out -> {
            DataOutputStream data = new DataOutputStream(out);
            data.writeLong(stored);
            data.flush();
            whole.writeTo(out);
        };
    }

    /** The digest at the head of a snapshot's state, as {@link #takeSnapshot} wrote it. */
    static long digestOf(InputStream state) throws IOException {
        return new DataInputStream(state).readLong();
    }

    @Override
    public void restoreSnapshot(InputStream in) throws IOException {
        digest = new DataInputStream(in).readLong();
        inner.restoreSnapshot(in);
    }
}

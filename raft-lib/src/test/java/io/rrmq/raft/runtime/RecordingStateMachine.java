package io.rrmq.raft.runtime;

import io.rrmq.raft.SnapshotWriter;
import io.rrmq.raft.StateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Remembers every applied command; answers with the index it was applied at. Test use only. */
public final class RecordingStateMachine implements StateMachine {
    private final List<String> applied = new ArrayList<>();
    private long lastIndex;
    /** Durable checkpoints by snapshot index, kept by the test across restarts; null: none. */
    private final Map<Long, byte[]> checkpoints;
    private volatile long resumedFrom = -1;
    private volatile int restores;

    public RecordingStateMachine() {
        this(null);
    }

    /** @param checkpoints where {@link #takeSnapshot(long)} keeps a checkpoint, or null for none */
    public RecordingStateMachine(Map<Long, byte[]> checkpoints) {
        this.checkpoints = checkpoints;
    }

    /** The index this machine resumed a checkpoint of at start, or -1. */
    public long resumedFrom() {
        return resumedFrom;
    }

    /** How many times {@link #restoreSnapshot} ran. */
    public int restores() {
        return restores;
    }

    @Override
    public SnapshotWriter takeSnapshot(long index) throws IOException {
        ByteArrayOutputStream state = new ByteArrayOutputStream();
        writeSnapshot(state);
        byte[] bytes = state.toByteArray();
        return out -> {
            out.write(bytes);
            out.flush();
            if (checkpoints != null) {
                checkpoints.clear(); // the newest only, as a real machine keeps
                checkpoints.put(index, bytes);
            }
        };
    }

    @Override
    public boolean resumeCheckpoint(long index) throws IOException {
        byte[] checkpoint = checkpoints == null ? null : checkpoints.get(index);
        if (checkpoint == null) {
            return false;
        }
        load(new ByteArrayInputStream(checkpoint));
        resumedFrom = index;
        return true;
    }

    @Override
    public synchronized byte[] apply(long index, byte[] command) {
        if (index <= lastIndex) {
            throw new IllegalStateException("applied " + index + " after " + lastIndex);
        }
        lastIndex = index;
        applied.add(new String(command, StandardCharsets.UTF_8));
        return ByteBuffer.allocate(8).putLong(index).array();
    }

    /** Answers any query with the number of commands applied so far. */
    @Override
    public synchronized byte[] query(byte[] query) {
        return ByteBuffer.allocate(8).putLong(applied.size()).array();
    }

    public synchronized List<String> applied() {
        return List.copyOf(applied);
    }

    @Override
    public synchronized void writeSnapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeLong(lastIndex);
        data.writeInt(applied.size());
        for (String s : applied) {
            data.writeUTF(s);
        }
        data.flush();
    }

    @Override
    public synchronized void restoreSnapshot(InputStream in) throws IOException {
        restores++;
        load(in);
    }

    private synchronized void load(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        lastIndex = data.readLong();
        int n = data.readInt();
        applied.clear();
        for (int i = 0; i < n; i++) {
            applied.add(data.readUTF());
        }
    }
}

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
    /** Whether a snapshot holds only a reference to its checkpoint (see {@link #expandSnapshot}). */
    private final boolean byReference;
    private volatile long resumedFrom = -1;
    private volatile int restores;
    private volatile int expansions;
    /** Expansions wait for this gate to open (a slow disk); null: they do not wait. */
    private volatile java.util.concurrent.CountDownLatch expansionGate;
    private volatile boolean expansionWaiting;
    /** What a reference snapshot's state starts with, where a whole one has its last index (never negative). */
    private static final long REFERENCE = -1;

    public RecordingStateMachine() {
        this(null, false);
    }

    /**
     * @param checkpoints where {@link #takeSnapshot(long)} keeps a checkpoint, or null for none
     * @param byReference whether its snapshots then hold only a reference to the checkpoint
     */
    public RecordingStateMachine(Map<Long, byte[]> checkpoints, boolean byReference) {
        this.checkpoints = checkpoints;
        this.byReference = byReference && checkpoints != null;
    }

    /** Makes every later {@link #expandSnapshot} of a reference wait until {@code gate} opens, as a slow disk would. */
    public void holdExpansions(java.util.concurrent.CountDownLatch gate) {
        this.expansionGate = gate;
    }

    /** Whether an expansion has been waiting for the gate of {@link #holdExpansions}. */
    public boolean expansionWaiting() {
        return expansionWaiting;
    }

    /** How many times {@link #expandSnapshot} made a reference snapshot whole. */
    public int expansions() {
        return expansions;
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
        if (byReference) {
            return out -> {
                // The checkpoint first, durable, then the reference to it; the two newest are kept,
                // as many as the runtime keeps snapshots.
                checkpoints.put(index, bytes);
                List<Long> newestFirst = checkpoints.keySet().stream().sorted(java.util.Comparator.reverseOrder()).toList();
                newestFirst.stream().skip(2).forEach(checkpoints::remove);
                DataOutputStream data = new DataOutputStream(out);
                data.writeLong(REFERENCE);
                data.writeLong(index);
                data.flush();
            };
        }
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
    public SnapshotWriter expandSnapshot(long index, InputStream state) throws IOException {
        DataInputStream data = new DataInputStream(state);
        if (data.readLong() != REFERENCE) {
            return null;
        }
        byte[] checkpoint = checkpoints == null ? null : checkpoints.get(data.readLong());
        if (checkpoint == null) {
            throw new IOException("snapshot " + index + " refers to a checkpoint that is gone");
        }
        expansions++;
        java.util.concurrent.CountDownLatch gate = expansionGate;
        if (gate != null) {
            expansionWaiting = true;
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("expansion interrupted");
            }
        }
        return out -> {
            out.write(checkpoint);
            out.flush();
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
        if (lastIndex == REFERENCE) {
            throw new IOException("the snapshot refers to checkpoint " + data.readLong() + ", which is gone");
        }
        int n = data.readInt();
        applied.clear();
        for (int i = 0; i < n; i++) {
            applied.add(data.readUTF());
        }
    }
}

package io.rrmq.raft.storage;

import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import io.rrmq.raft.SnapshotWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;

/**
 * {@link SnapshotStore} in memory, for tests and simulation, in the same byte layout as the file
 * store. Saved and completed snapshots survive {@link #crashCopy()}; a partial incoming one does not.
 */
public final class MemorySnapshotStore implements SnapshotStore {
    private final TreeMap<Long, byte[]> snapshots;
    private ByteArrayOutputStream incoming;
    private int saves;

    /** An empty store. */
    public MemorySnapshotStore() {
        this(new TreeMap<>());
    }

    private MemorySnapshotStore(TreeMap<Long, byte[]> snapshots) {
        this.snapshots = snapshots;
    }

    /** {@return a new store holding what a crash right now would leave: the whole snapshots} */
    public synchronized MemorySnapshotStore crashCopy() {
        return new MemorySnapshotStore(new TreeMap<>(snapshots));
    }

    /** {@return how many snapshots were saved locally (not received)} */
    public synchronized int saves() {
        return saves;
    }

    /**
     * Damages the stored bytes of snapshot {@code index} (flips its last byte before the checksum),
     * for corruption tests: only the checksum reveals it.
     *
     * @param index the snapshot's last included index
     */
    public synchronized void corrupt(long index) {
        byte[] bytes = snapshots.get(index);
        bytes[bytes.length - SnapshotFile.CRC_SIZE - 1] ^= 0x5A;
    }

    private byte[] bytes(long index) throws IOException {
        byte[] bytes = snapshots.get(index);
        if (bytes == null) {
            throw new java.nio.file.NoSuchFileException("snapshot " + index);
        }
        return bytes;
    }

    @Override
    public synchronized List<SnapshotMeta> list() throws IOException {
        List<SnapshotMeta> out = new ArrayList<>();
        for (byte[] bytes : snapshots.values()) {
            out.add(SnapshotFile.readHeader(new ByteArrayInputStream(bytes), "snapshot").meta());
        }
        out.sort(Comparator.comparingLong(SnapshotMeta::lastIncludedIndex).reversed());
        return out;
    }

    @Override
    public synchronized void verify(long index) throws IOException {
        byte[] bytes = bytes(index);
        SnapshotFile.verify(new ByteArrayInputStream(bytes), bytes.length, "snapshot " + index);
    }

    @Override
    public synchronized InputStream openState(long index) throws IOException {
        byte[] bytes = bytes(index);
        return SnapshotFile.openState(new ByteArrayInputStream(bytes), bytes.length, index, "snapshot " + index);
    }

    @Override
    public synchronized void save(SnapshotMeta meta, SnapshotWriter writer, int retain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotFile.write(out, meta, writer);
        snapshots.put(meta.lastIncludedIndex(), out.toByteArray());
        saves++;
        while (snapshots.size() > Math.max(retain, 1)) {
            snapshots.pollFirstEntry();
        }
    }

    @Override
    public synchronized long size(long index) throws IOException {
        return bytes(index).length;
    }

    @Override
    public synchronized byte[] read(long index, long offset, int maxBytes) throws IOException {
        byte[] bytes = bytes(index);
        if (offset < 0 || offset > bytes.length) {
            throw new IOException("offset " + offset + " outside snapshot " + index);
        }
        return Arrays.copyOfRange(bytes, (int) offset, (int) Math.min(bytes.length, offset + maxBytes));
    }

    @Override
    public synchronized Incoming receive(long index, long term) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        incoming = buffer;
        return new Incoming() {
            @Override
            public void write(long offset, byte[] data) throws IOException {
                synchronized (MemorySnapshotStore.this) {
                    if (incoming != buffer || offset != buffer.size()) {
                        throw new IOException("chunk at " + offset + " does not continue " + buffer.size());
                    }
                    buffer.writeBytes(data);
                }
            }

            @Override
            public SnapshotMeta complete() throws IOException {
                synchronized (MemorySnapshotStore.this) {
                    if (incoming != buffer) {
                        throw new IOException("snapshot " + index + " was superseded");
                    }
                    incoming = null;
                    byte[] bytes = buffer.toByteArray();
                    SnapshotMeta meta = SnapshotFile.verify(new ByteArrayInputStream(bytes), bytes.length,
                            "received snapshot").meta();
                    if (meta.lastIncludedIndex() != index || meta.lastIncludedTerm() != term) {
                        throw new IOException("received snapshot claims " + meta);
                    }
                    snapshots.put(index, bytes);
                    snapshots.headMap(index).clear(); // Figure 13 receiver rule 5
                    return meta;
                }
            }

            @Override
            public void abort() {
                synchronized (MemorySnapshotStore.this) {
                    if (incoming == buffer) {
                        incoming = null;
                    }
                }
            }
        };
    }

    @Override
    public void close() {
    }
}

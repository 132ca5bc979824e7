package io.rrmq.raft.storage;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotWriter;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The byte layout of a snapshot (format version 2, big-endian), shared by the file and the memory
 * store and sent as is in InstallSnapshot chunks:
 *
 * <pre>
 * magic u32 ("RRSN") | version u32 | lastIncludedIndex u64 | lastIncludedTerm u64
 * | configuration length u32 | configuration ({@link Configuration#encode}) | state | CRC32C u32
 * </pre>
 *
 * Version 1, still read, had {@code member count u32 | member id i32 ...} in place of the
 * configuration: voters without addresses.
 *
 * where the CRC32C covers every byte before it. The state's length is implied: everything between
 * the header and the last four bytes.
 */
final class SnapshotFile {
    static final int MAGIC = 0x5252534E; // "RRSN"
    static final int VERSION = 2;
    private static final int VERSION_IDS_ONLY = 1;
    private static final int MAX_CONFIGURATION_BYTES = 1 << 20;
    static final int CRC_SIZE = 4;
    private static final int MAX_MEMBERS = 1 << 16;
    private static final int BUFFER = 1 << 16;

    private SnapshotFile() {
    }

    /** A snapshot's header and where its state begins. */
    record Header(SnapshotMeta meta, int length) {
    }

    /** Writes header, state and checksum to {@code out} (flushed, not closed). */
    static void write(OutputStream out, SnapshotMeta meta, SnapshotWriter writer) throws IOException {
        CRC32C crc = new CRC32C();
        OutputStream checked = new java.util.zip.CheckedOutputStream(new NonClosing(out), crc);
        BufferedOutputStream buffered = new BufferedOutputStream(checked, BUFFER);
        DataOutputStream data = new DataOutputStream(buffered);
        data.writeInt(MAGIC);
        data.writeInt(VERSION);
        data.writeLong(meta.lastIncludedIndex());
        data.writeLong(meta.lastIncludedTerm());
        byte[] configuration = meta.configuration().encode();
        data.writeInt(configuration.length);
        data.write(configuration);
        data.flush();
        writer.writeTo(new NonClosing(buffered));
        buffered.flush();
        DataOutputStream tail = new DataOutputStream(out);
        tail.writeInt((int) crc.getValue());
        tail.flush();
    }

    /** Reads a header from the start of {@code in}. */
    static Header readHeader(InputStream in, String name) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int magic = data.readInt();
        if (magic != MAGIC) {
            throw new IOException(name + " is not a snapshot (bad magic)");
        }
        int version = data.readInt();
        if (version != VERSION && version != VERSION_IDS_ONLY) {
            throw new IOException(name + ": snapshot format version " + version + " is not supported");
        }
        long index = data.readLong();
        long term = data.readLong();
        int count = data.readInt();
        int limit = version == VERSION ? MAX_CONFIGURATION_BYTES : MAX_MEMBERS;
        if (index < 1 || term < 1 || count < 0 || count > limit) {
            throw new IOException(name + " is damaged: bad header");
        }
        if (version == VERSION_IDS_ONLY) {
            List<Integer> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                members.add(data.readInt());
            }
            try {
                return new Header(new SnapshotMeta(index, term, Configuration.ofVoters(members)),
                        4 + 4 + 8 + 8 + 4 + 4 * count);
            } catch (IllegalArgumentException e) {
                throw new IOException(name + " is damaged: " + e.getMessage()); // e.g. a member listed twice
            }
        }
        byte[] encoded = data.readNBytes(count);
        if (encoded.length != count) {
            throw new IOException(name + " is damaged: cut short in its header");
        }
        try {
            return new Header(new SnapshotMeta(index, term, Configuration.decode(encoded)), 4 + 4 + 8 + 8 + 4 + count);
        } catch (IllegalArgumentException e) {
            throw new IOException(name + " is damaged: " + e.getMessage());
        }
    }

    /**
     * Reads all of {@code in} (a whole snapshot of {@code size} bytes) and checks its checksum.
     *
     * @return its header
     */
    static Header verify(InputStream in, long size, String name) throws IOException {
        CRC32C crc = new CRC32C();
        InputStream checked = new java.util.zip.CheckedInputStream(in, crc);
        Header header = readHeader(checked, name);
        long remaining = size - header.length() - CRC_SIZE;
        if (remaining < 0) {
            throw new IOException(name + " is damaged: " + size + " bytes is too short");
        }
        byte[] buffer = new byte[BUFFER];
        while (remaining > 0) {
            int n = checked.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw new IOException(name + " is damaged: cut short");
            }
            remaining -= n;
        }
        int computed = (int) crc.getValue();
        int stored = new DataInputStream(in).readInt();
        if (computed != stored) {
            throw new IOException(String.format("%s is damaged: CRC32C %08x stored, %08x computed", name,
                    stored, computed));
        }
        return header;
    }

    /**
     * The state part of a whole snapshot read from {@code in} ({@code size} bytes): a stream that
     * checks the checksum and fails at its end instead of reporting end of stream if it is wrong.
     *
     * @throws IOException if the header is damaged or names another index than {@code index}
     */
    static InputStream openState(InputStream in, long size, long index, String name) throws IOException {
        CRC32C crc = new CRC32C();
        InputStream checked = new java.util.zip.CheckedInputStream(in, crc);
        Header header = readHeader(checked, name);
        if (header.meta().lastIncludedIndex() != index) {
            // As verify and list refuse it: the state of another snapshot must not pass for this one's.
            throw new IOException(name + " holds the snapshot of index " + header.meta().lastIncludedIndex());
        }
        long stateLength = size - header.length() - CRC_SIZE;
        if (stateLength < 0) {
            throw new IOException(name + " is damaged: too short");
        }
        return new StateStream(in, checked, crc, stateLength, name);
    }

    private static final class StateStream extends FilterInputStream {
        private final InputStream raw;
        private final CRC32C crc;
        private final String name;
        private long remaining;

        StateStream(InputStream raw, InputStream checked, CRC32C crc, long length, String name) {
            super(checked);
            this.raw = raw;
            this.crc = crc;
            this.remaining = length;
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (remaining <= 0) {
                checkCrc();
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException(name + " is damaged: cut short");
            }
            remaining -= n;
            return n;
        }

        private void checkCrc() throws IOException {
            if (remaining == 0) {
                int computed = (int) crc.getValue();
                int stored = new DataInputStream(raw).readInt();
                remaining = -1; // checked
                if (computed != stored) {
                    throw new IOException(name + " is damaged: CRC32C mismatch");
                }
            }
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(n, 1))];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** Keeps a writer's close() from closing the stream underneath. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}

package io.rrmq.mq.store;

import io.rrmq.raft.SnapshotWriter;
import io.rrmq.raft.storage.DurableDirectories;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * Checkpoints on disk: {@code <dir>/ckpt-<index, 20 digits>/} holding a {@code checkpoint} file (the
 * store's {@link StoreLayout} and the machine's metadata) and a hard link to every segment file the
 * layout names, {@code <chain>/<base>.seg}. A link freezes a segment at no cost: the live store goes
 * on appending after the recorded end (bytes a resumed store cuts off) and deletes its own name
 * when the segment drains, while the checkpoint's name keeps the bytes it needs.
 *
 * <p><b>Crash consistency.</b> A checkpoint is built under {@code ckpt-<index>.tmp}: segment files
 * forced (what the store wrote since the last checkpoint), links made, the {@code checkpoint} file
 * written and forced, every directory forced; then renamed to its name and the parent forced. So a
 * checkpoint under its name is complete and durable; a {@code .tmp} one is debris of a crash and is
 * deleted at start. The {@code checkpoint} file ends with a CRC32C: a damaged one is not used.
 *
 * <p>Format (big-endian): {@code [magic u32 "RMQC"][version u8 = 1][index u64][chain count u32]}, per
 * chain {@code [chain i32][end u64][tail base i64, -1: none][segment count u32]} and per segment
 * {@code [base u64][end u64][live u64]}; then the metadata, up to {@code [CRC32C u32]} of every
 * byte before it.
 *
 * <p>Threads: {@link #write} on the snapshot thread, {@link #read} on the applying thread at start;
 * never at once (a machine resumes before it takes any snapshot).
 */
final class CheckpointDirectory {
    private static final System.Logger LOG = System.getLogger(CheckpointDirectory.class.getName());
    private static final int MAGIC = 0x524D5143;
    private static final byte VERSION = 1;
    private static final String PREFIX = "ckpt-";
    private static final String PARTIAL = ".tmp";
    private static final String FILE = "checkpoint";
    private static final int BUFFER = 1 << 16;
    private static final int CRC_BYTES = 4;

    /**
     * A complete checkpoint whose checksum verified: the layout, its files in the checkpoint, and
     * where in {@code file} the machine's metadata lies ({@link #openMetadata}).
     */
    record Frozen(long index, StoreLayout layout, Path file, long metadataStart, long metadataLength) {
        /** The machine's metadata, streamed from the checkpoint file; the caller closes it. */
        InputStream openMetadata() throws IOException {
            InputStream in = Files.newInputStream(file);
            try {
                in.skipNBytes(metadataStart);
                return new Region(new BufferedInputStream(in, BUFFER), metadataLength);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }
    }

    private final Path dir;

    /** Opens {@code dir}, creating it, and deletes any checkpoint a crash left half-built. */
    CheckpointDirectory(Path dir) throws IOException {
        this.dir = dir;
        DurableDirectories.create(dir);
        for (Path partial : entries(name -> name.endsWith(PARTIAL))) {
            FileSegmentSpace.deleteTree(partial);
        }
    }

    /**
     * Makes a checkpoint of {@code index} durable (see the class comment) and deletes all but the
     * newest two: the runtime keeps two snapshots, and a snapshot may be only a reference to its
     * checkpoint, so the previous one must outlive the moment this one's snapshot is saved (a crash
     * in between restarts from the previous snapshot). A complete checkpoint of the same index (a
     * retried snapshot) is kept as it is: the same state, and never a moment without it.
     *
     * @param layout the store as a pin froze it; the pin must stay open until this returns
     */
    void write(long index, SnapshotWriter metadata, StoreLayout layout) throws IOException {
        Path partial = dir.resolve(name(index) + PARTIAL);
        FileSegmentSpace.deleteTree(partial);
        Files.createDirectories(partial);
        for (StoreLayout.ChainLayout chain : layout.chains()) {
            Path chainDir = partial.resolve(Integer.toString(chain.chain()));
            Files.createDirectories(chainDir);
            for (StoreLayout.SegmentLayout segment : chain.segments()) {
                force(segment.file());
                Files.createLink(chainDir.resolve(FileSegmentSpace.fileName(segment.base())), segment.file());
            }
            DurableDirectories.fsync(chainDir);
        }
        try (FileChannel file = FileChannel.open(partial.resolve(FILE), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            // Streamed: the metadata holds the remembered requests' results, too large to copy around.
            CRC32C crc = new CRC32C();
            OutputStream channel = Channels.newOutputStream(file);
            DataOutputStream data = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(channel, crc),
                    BUFFER));
            writeLayout(data, index, layout);
            metadata.writeTo(data);
            data.flush();
            new DataOutputStream(channel).writeInt((int) crc.getValue());
            file.force(true);
        }
        DurableDirectories.fsync(partial);
        Path complete = dir.resolve(name(index));
        if (Files.exists(complete)) {
            FileSegmentSpace.deleteTree(partial);
        } else {
            Files.move(partial, complete, StandardCopyOption.ATOMIC_MOVE);
            DurableDirectories.fsync(dir);
        }
        List<Path> newestFirst = entries(name -> name.startsWith(PREFIX) && !name.endsWith(PARTIAL)).stream()
                .sorted(java.util.Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
        for (Path older : newestFirst.subList(Math.min(2, newestFirst.size()), newestFirst.size())) {
            FileSegmentSpace.deleteTree(older);
        }
    }

    /**
     * The complete checkpoint of exactly {@code index}, if there is one that verifies. Every other
     * checkpoint is deleted: they share segment files with this one, which the resumed store now
     * cuts and appends to. Streams the file twice (the checksum, then the layout), never holding it
     * whole: the metadata it ends with holds the remembered requests' results and can be large.
     */
    Optional<Frozen> read(long index) throws IOException {
        Optional<Frozen> frozen = find(index);
        if (frozen.isPresent()) {
            deleteAllBut(dir.resolve(name(index)));
        }
        return frozen;
    }

    /**
     * The complete checkpoint of exactly {@code index}, if there is one that verifies; deletes
     * nothing (to read one a snapshot refers to, on the snapshot thread, which also writes them).
     */
    Optional<Frozen> find(long index) throws IOException {
        Path complete = dir.resolve(name(index));
        Path file = complete.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Frozen frozen;
        try {
            frozen = decode(complete, file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "checkpoint " + complete + " is damaged (" + e.getMessage()
                    + "); not using it");
            return Optional.empty();
        }
        if (frozen.index() != index) {
            LOG.log(System.Logger.Level.WARNING, "checkpoint " + complete + " names index " + frozen.index());
            return Optional.empty();
        }
        return Optional.of(frozen);
    }

    private void deleteAllBut(Path keep) throws IOException {
        for (Path other : entries(name -> name.startsWith(PREFIX))) {
            if (!other.equals(keep)) {
                FileSegmentSpace.deleteTree(other);
            }
        }
    }

    private List<Path> entries(java.util.function.Predicate<String> named) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> named.test(p.getFileName().toString())).toList();
        }
    }

    private static String name(long index) {
        return String.format(PREFIX + "%020d", index);
    }

    /** Forces what the store wrote to a segment file, through a descriptor of its own. */
    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(false);
        }
    }

    private static void writeLayout(DataOutputStream data, long index, StoreLayout layout) throws IOException {
        data.writeInt(MAGIC);
        data.writeByte(VERSION);
        data.writeLong(index);
        data.writeInt(layout.chains().size());
        for (StoreLayout.ChainLayout chain : layout.chains()) {
            data.writeInt(chain.chain());
            data.writeLong(chain.end());
            data.writeLong(chain.tailBase());
            data.writeInt(chain.segments().size());
            for (StoreLayout.SegmentLayout segment : chain.segments()) {
                data.writeLong(segment.base());
                data.writeLong(segment.end());
                data.writeLong(segment.live());
            }
        }
    }

    /**
     * Checks the checksum of the {@code checkpoint} file of the checkpoint {@code complete} (whose
     * segments' files are there), then decodes its layout; the metadata is left in the file.
     */
    private static Frozen decode(Path complete, Path file) throws IOException {
        long size = Files.size(file);
        if (size < CRC_BYTES) {
            throw new EOFException("checkpoint file cut short");
        }
        verifyChecksum(file, size - CRC_BYTES);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
            return decodeLayout(complete, file, new DataInputStream(in), size - CRC_BYTES);
        }
    }

    /** Fails unless the CRC32C stored after the first {@code covered} bytes of {@code file} matches them. */
    private static void verifyChecksum(Path file, long covered) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            long position = 0;
            while (position < covered) {
                buffer.clear().limit((int) Math.min(BUFFER, covered - position));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new EOFException("checkpoint file shrank while read");
                }
                crc.update(buffer.flip());
                position += n;
            }
            ByteBuffer stored = ByteBuffer.allocate(CRC_BYTES);
            while (stored.hasRemaining()) {
                if (channel.read(stored, covered + stored.position()) < 0) {
                    throw new EOFException("checkpoint file cut short");
                }
            }
            if ((int) crc.getValue() != stored.flip().getInt()) {
                throw new IOException("checkpoint checksum mismatch");
            }
        }
    }

    /** Reads the layout from {@code data}, positioned at the start of a file of {@code end} bytes before its CRC. */
    private static Frozen decodeLayout(Path complete, Path file, DataInputStream data, long end) throws IOException {
        if (data.readInt() != MAGIC || data.readByte() != VERSION) {
            throw new IOException("not a checkpoint of this version");
        }
        long index = data.readLong();
        int chainCount = data.readInt();
        long read = 4 + 1 + 8 + 4;
        List<StoreLayout.ChainLayout> chains = new ArrayList<>();
        for (int c = 0; c < chainCount; c++) {
            int chain = data.readInt();
            long chainEnd = data.readLong();
            long tailBase = data.readLong();
            int segmentCount = data.readInt();
            read += 4 + 8 + 8 + 4 + 24L * segmentCount;
            if (segmentCount < 0 || read > end) { // a damaged count must not have us read the CRC as layout
                throw new IOException("corrupt checkpoint: chain " + chain + " overruns the file");
            }
            Path chainDir = complete.resolve(Integer.toString(chain));
            List<StoreLayout.SegmentLayout> segments = new ArrayList<>();
            for (int s = 0; s < segmentCount; s++) {
                long base = data.readLong();
                long segmentEnd = data.readLong();
                long live = data.readLong();
                if (segmentEnd < base || segmentEnd > chainEnd || live < 0) {
                    throw new IOException("corrupt checkpoint: segment " + chain + ":" + base);
                }
                segments.add(new StoreLayout.SegmentLayout(base, segmentEnd, live,
                        chainDir.resolve(FileSegmentSpace.fileName(base))));
            }
            chains.add(new StoreLayout.ChainLayout(chain, chainEnd, tailBase, segments));
        }
        if (chainCount < 0 || read > end) {
            throw new IOException("corrupt checkpoint: layout overruns the file");
        }
        // The rest, up to the CRC, is the metadata.
        return new Frozen(index, new StoreLayout(chains), file, read, end - read);
    }

    /** The first {@code length} bytes of a stream, then its end: the metadata without the CRC after it. */
    private static final class Region extends FilterInputStream {
        private long remaining;

        Region(InputStream in, long length) {
            super(in);
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("checkpoint file cut short");
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("checkpoint file cut short");
            }
            remaining -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), remaining);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}

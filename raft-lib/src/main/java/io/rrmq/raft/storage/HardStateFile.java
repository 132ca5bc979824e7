package io.rrmq.raft.storage;

import io.rrmq.raft.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The {@code hardstate} file, replaced atomically on every change. Layout (big-endian, 24 bytes):
 *
 * <pre>
 * magic u32 ("RRHS") | version u32 (1) | currentTerm u64 | votedFor i32 | crc u32
 * </pre>
 *
 * where {@code crc} is the CRC32C of the 20 bytes before it. A rename never leaves half a file, so a
 * file that fails its checks was damaged after it was written: reading it fails loudly rather than
 * fall back to {@link HardState#INITIAL}, which could let this node vote twice in a term.
 */
final class HardStateFile {
    static final String NAME = "hardstate";
    static final String TEMP_NAME = "hardstate.tmp";

    private static final int MAGIC = 0x52524853; // "RRHS"
    private static final int VERSION = 1;
    private static final int SIZE = 24;

    private final Path file;
    private final Path temp;

    HardStateFile(StorageDirectory directory) {
        this.file = directory.path().resolve(NAME);
        this.temp = directory.path().resolve(TEMP_NAME);
    }

    /**
     * Reads the saved state; {@link HardState#INITIAL} if none was ever saved.
     *
     * @return the state, never null
     * @throws IOException if the file exists but is damaged
     */
    HardState read() throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return HardState.INITIAL;
        }
        if (bytes.length != SIZE) {
            throw new IOException(file + " is damaged: " + bytes.length + " bytes instead of " + SIZE);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, SIZE - 4);
        if ((int) crc.getValue() != in.getInt(SIZE - 4)) {
            throw new IOException(file + " is damaged: CRC mismatch");
        }
        if (in.getInt() != MAGIC) {
            throw new IOException(file + " is not a hard state file (bad magic)");
        }
        int version = in.getInt();
        if (version != VERSION) {
            throw new IOException(file + ": hard state format version " + version + " is not supported");
        }
        long term = in.getLong();
        int votedFor = in.getInt();
        if (term < 0) {
            throw new IOException(file + " is damaged: negative term " + term);
        }
        return new HardState(term, votedFor);
    }

    /** Deletes a temporary file a crash left behind; it never replaced the real one, so it is moot. */
    boolean deleteLeftoverTemp() throws IOException {
        return Files.deleteIfExists(temp);
    }

    /**
     * Replaces the saved state: write a temporary file, force it, rename it over the old one, force
     * the directory. Durable when this returns; a crash at any point leaves the old or the new state.
     */
    void write(HardState state) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(SIZE);
        out.putInt(MAGIC).putInt(VERSION).putLong(state.currentTerm()).putInt(state.votedFor());
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, SIZE - 4);
        out.putInt((int) crc.getValue()).flip();
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (out.hasRemaining()) {
                channel.write(out);
            }
            channel.force(true);
        }
        StorageDirectory.replace(temp, file);
    }
}

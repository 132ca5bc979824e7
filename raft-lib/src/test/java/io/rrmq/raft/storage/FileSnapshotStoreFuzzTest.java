package io.rrmq.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import io.rrmq.raft.fuzz.Allocations;
import io.rrmq.raft.fuzz.Mutations;
import io.rrmq.raft.fuzz.Mutations.Edit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * {@link FileSnapshotStore} reading snapshot files a disk damaged or a leader sent damaged. As
 * {@link SnapshotStore} documents, {@link SnapshotStore#verify} and the stream of
 * {@link SnapshotStore#openState} fail with {@link IOException} (and agree on which files are
 * damaged), {@link SnapshotStore#list} skips an unreadable header, and a damaged transfer is never
 * installed: the store keeps exactly the snapshots it had. Damage is raw edits ({@link Mutations}),
 * optionally with the trailing CRC32C rewritten to match so that the header parser sees it.
 */
class FileSnapshotStoreFuzzTest {
    private static final List<Integer> MEMBERS = List.of(0, 1, 2);
    private static final SnapshotMeta OLDER = new SnapshotMeta(20, 2, io.rrmq.raft.Configuration.ofVoters(MEMBERS));
    private static final SnapshotMeta NEWER = new SnapshotMeta(40, 3, io.rrmq.raft.Configuration.ofVoters(MEMBERS));
    private static final byte[] OLDER_STATE = state(300, 'o');
    private static final byte[] NEWER_STATE = state(700, 'n');
    private static final byte[] OLDER_FILE = snapshotFile(OLDER, OLDER_STATE);
    private static final byte[] NEWER_FILE = snapshotFile(NEWER, NEWER_STATE);
    /** Header parsing may reserve room for 65,536 members before finding them missing. */
    private static final long READ_BUDGET = 4L << 20;

    private static final Logger STORE_LOG = Logger.getLogger(FileSnapshotStore.class.getName());
    private static Level storeLogLevel;

    private Path directory;

    /** list() rightly logs every unreadable snapshot it skips; hundreds would bury the build's output. */
    @BeforeContainer
    static void quietStoreLog() {
        storeLogLevel = STORE_LOG.getLevel();
        STORE_LOG.setLevel(Level.OFF);
    }

    @AfterContainer
    static void restoreStoreLog() {
        STORE_LOG.setLevel(storeLogLevel);
    }

    @BeforeTry
    void createDirectory() throws IOException {
        directory = Files.createTempDirectory("rrmq-snapshot-fuzz");
    }

    @AfterTry
    void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    /**
     * Found by the property below (seed -4395457591629200002): a version field turned into the old
     * ids-only format made the members list read a duplicate id, and the header threw
     * IllegalArgumentException instead of refusing the file as damaged.
     */
    @net.jqwik.api.Example
    void aHeaderThatListsAMemberTwiceIsRefusedAsDamaged() throws IOException {
        verifyAndTheStateStreamRefuseTheSameDamagedFiles(List.of(new Mutations.SetInt(5, 256)), true);
    }

    @Property(tries = 300)
    void verifyAndTheStateStreamRefuseTheSameDamagedFiles(@ForAll("edits") List<Edit> edits,
                                                         @ForAll boolean fixCrc) throws IOException {
        byte[] damaged = damage(NEWER_FILE, edits, fixCrc);
        Files.write(directory.resolve(FileSnapshotStore.fileName(OLDER.lastIncludedIndex())), OLDER_FILE);
        Files.write(directory.resolve(FileSnapshotStore.fileName(NEWER.lastIncludedIndex())), damaged);

        try (FileSnapshotStore store = FileSnapshotStore.open(directory)) {
            List<SnapshotMeta> listed = store.list();
            assertThat(listed).contains(OLDER);
            assertThat(listed).allSatisfy(meta -> assertThat(meta.lastIncludedIndex()).isIn(20L, 40L));

            boolean verified = Allocations.measure(() -> {
                store.verify(NEWER.lastIncludedIndex());
                return true;
            }).requireAllocatedAtMost(READ_BUDGET).valueOrDocumentedRejection(IOException.class) != null;
            byte[] state = Allocations.measure(() -> {
                try (InputStream in = store.openState(NEWER.lastIncludedIndex())) {
                    return in.readAllBytes();
                }
            }).requireAllocatedAtMost(READ_BUDGET + 8L * damaged.length)
                    .valueOrDocumentedRejection(IOException.class);

            assertThat(state != null).as("the state stream agrees with verify").isEqualTo(verified);
            if (verified && !fixCrc) {
                // CRC32C misses no edit of this size: only an edit that changed nothing passes.
                assertThat(damaged).isEqualTo(NEWER_FILE);
                assertThat(state).isEqualTo(NEWER_STATE);
            }
        }
    }

    @Property(tries = 100)
    void aDamagedTransferIsInstalledWholeOrNotAtAll(@ForAll("edits") List<Edit> edits, @ForAll boolean fixCrc,
                                                    @ForAll @IntRange(min = 1, max = 400) int chunkSize)
            throws IOException {
        byte[] damaged = damage(NEWER_FILE, edits, fixCrc);
        try (FileSnapshotStore store = FileSnapshotStore.open(directory)) {
            store.save(OLDER, out -> out.write(OLDER_STATE), 2);
            SnapshotStore.Incoming incoming = store.receive(NEWER.lastIncludedIndex(), NEWER.lastIncludedTerm());
            for (int offset = 0; offset < damaged.length; offset += chunkSize) {
                incoming.write(offset, Arrays.copyOfRange(damaged, offset, Math.min(damaged.length, offset + chunkSize)));
            }

            SnapshotMeta installed = Allocations.measure(incoming::complete)
                    .requireAllocatedAtMost(READ_BUDGET)
                    .valueOrDocumentedRejection(IOException.class);

            assertThat(Files.exists(directory.resolve(FileSnapshotStore.INCOMING))).isFalse();
            if (installed == null) {
                assertThat(store.list()).containsExactly(OLDER);
                store.verify(OLDER.lastIncludedIndex());
            } else {
                assertThat(installed.lastIncludedIndex()).isEqualTo(NEWER.lastIncludedIndex());
                assertThat(installed.lastIncludedTerm()).isEqualTo(NEWER.lastIncludedTerm());
                assertThat(store.list()).containsExactly(installed);
                store.verify(NEWER.lastIncludedIndex());
                if (!fixCrc) {
                    assertThat(damaged).isEqualTo(NEWER_FILE);
                }
            }
        }
    }

    @Provide
    Arbitrary<List<Edit>> edits() {
        return Mutations.edits().list().ofMinSize(1).ofMaxSize(3);
    }

    /** {@code file} after {@code edits}, with its last four bytes made the CRC32C of the rest if {@code fixCrc}. */
    private static byte[] damage(byte[] file, List<Edit> edits, boolean fixCrc) {
        byte[] damaged = Mutations.apply(file, edits, OLDER_FILE);
        if (fixCrc && damaged.length >= SnapshotFile.CRC_SIZE) {
            CRC32C crc = new CRC32C();
            crc.update(damaged, 0, damaged.length - SnapshotFile.CRC_SIZE);
            ByteBuffer.wrap(damaged).putInt(damaged.length - SnapshotFile.CRC_SIZE, (int) crc.getValue());
        }
        return damaged;
    }

    private static byte[] state(int size, char fill) {
        byte[] state = new byte[size];
        for (int i = 0; i < size; i++) {
            state[i] = (byte) (fill + i % 7);
        }
        return state;
    }

    private static byte[] snapshotFile(SnapshotMeta meta, byte[] state) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            SnapshotFile.write(out, meta, stream -> stream.write(state));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

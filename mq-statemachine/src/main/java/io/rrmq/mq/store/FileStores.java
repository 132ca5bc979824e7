package io.rrmq.mq.store;

import io.rrmq.raft.SnapshotWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The stores of a machine whose files live under {@code root}, with checkpoints: each
 * {@link #create} makes a new generation directory {@code root/gen-N} (whatever an earlier process
 * left in them is deleted at construction: never forced, so not to be trusted), and
 * {@code root/checkpoints} keeps the newest checkpoint ({@link CheckpointDirectory}), which a
 * restarting machine opens in place of restoring its snapshot: O(segments and metadata), whatever
 * the depth of its queues; the newest two are kept, since a snapshot may be only a reference to its
 * checkpoint, read ({@link #readOnly}) to make it whole for a follower.
 */
public final class FileStores implements MessageStores {
    private static final String GENERATION = "gen-";

    private final Path root;
    private final int segmentBytes;
    private final CheckpointDirectory checkpoints;
    private final AtomicLong generation = new AtomicLong();

    /**
     * @param root         the directory; created if missing
     * @param segmentBytes the segment size ({@link SegmentedMessageStore#DEFAULT_SEGMENT_BYTES})
     */
    public FileStores(Path root, int segmentBytes) throws IOException {
        this.root = root;
        this.segmentBytes = segmentBytes;
        Files.createDirectories(root);
        try (Stream<Path> list = Files.list(root)) {
            for (Path old : list.filter(p -> p.getFileName().toString().startsWith(GENERATION)).toList()) {
                FileSegmentSpace.deleteTree(old);
            }
        }
        this.checkpoints = new CheckpointDirectory(root.resolve("checkpoints"));
    }

    @Override
    public MessageStore create() {
        return SegmentedMessageStore.inFiles(nextGeneration(), segmentBytes);
    }

    private Path nextGeneration() {
        return root.resolve(GENERATION + generation.incrementAndGet());
    }

    @Override
    public void checkpoint(long index, SnapshotWriter metadata, MessageStore.Pin pin) throws IOException {
        checkpoints.write(index, metadata, pin.layout());
    }

    @Override
    public boolean keepsCheckpoints() {
        return true;
    }

    @Override
    public Optional<Resumed> readOnly(long index) throws IOException {
        return opened(checkpoints.find(index), SegmentedMessageStore::frozen);
    }

    @Override
    public Optional<Resumed> resume(long index) throws IOException {
        return opened(checkpoints.read(index), layout -> SegmentedMessageStore.resumed(nextGeneration(), segmentBytes,
                layout));
    }

    /** Opens a store on a checkpoint's layout. */
    private interface StoreOpener {
        MessageStore open(StoreLayout layout) throws IOException;
    }

    /** The checkpoint's metadata stream and its store, opened by {@code opener}; empty if there is none. */
    private static Optional<Resumed> opened(Optional<CheckpointDirectory.Frozen> frozen, StoreOpener opener)
            throws IOException {
        if (frozen.isEmpty()) {
            return Optional.empty();
        }
        InputStream metadata = frozen.get().openMetadata();
        try {
            return Optional.of(new Resumed(metadata, opener.open(frozen.get().layout())));
        } catch (IOException | RuntimeException e) {
            metadata.close();
            throw e;
        }
    }
}

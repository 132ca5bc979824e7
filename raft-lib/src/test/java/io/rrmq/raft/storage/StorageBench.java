package io.rrmq.raft.storage;

import io.rrmq.raft.LogEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A rough measure of {@link FileRaftStorage} on this machine's disk: entries of 100 bytes appended
 * in batches of 1, 16 and 256, each batch followed by a sync (group commit as the runtime will do
 * it), then appends alone, then loading what was written. Not a test; run by hand:
 *
 * <pre>java -cp raft-lib/target/classes:raft-lib/target/test-classes io.rrmq.raft.storage.StorageBench [dir]</pre>
 *
 * The directory (default: a new temporary one) should be on the disk the nodes will use.
 */
public final class StorageBench {
    private static final int ENTRY_SIZE = 100;
    private static final long WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MEASURE_NANOS = TimeUnit.SECONDS.toNanos(3);

    private StorageBench() {
    }

    public static void main(String[] args) throws IOException {
        Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("rrmq-storage-bench");
        try {
            System.out.printf("entries of %d bytes, directory %s%n", ENTRY_SIZE, root);
            for (int batch : new int[] {1, 16, 256}) {
                syncedBatches(root.resolve("synced-" + batch), batch);
            }
            appendsWithoutSync(root.resolve("unsynced"));
        } finally {
            deleteRecursively(root);
        }
    }

    private static void syncedBatches(Path directory, int batchSize) throws IOException {
        try (FileRaftStorage storage = FileRaftStorage.open(directory)) {
            storage.load();
            long next = 1;
            long start = System.nanoTime();
            long measureFrom = start + WARM_UP_NANOS;
            long syncs = 0;
            long firstMeasured = -1;
            long now;
            while ((now = System.nanoTime()) < measureFrom + MEASURE_NANOS) {
                if (firstMeasured < 0 && now >= measureFrom) {
                    firstMeasured = next;
                    syncs = 0;
                    start = now;
                }
                storage.append(batch(next, batchSize));
                storage.sync();
                next += batchSize;
                syncs++;
            }
            double seconds = (now - start) / 1e9;
            double entries = (next - firstMeasured) / seconds;
            System.out.printf("batch %4d + sync: %9.0f syncs/s %10.0f entries/s %7.1f MB/s  %.3f ms/sync%n",
                    batchSize, syncs / seconds, entries, entries * ENTRY_SIZE / 1e6, 1e3 * seconds / syncs);
        }
    }

    private static void appendsWithoutSync(Path directory) throws IOException {
        int total = 2_000_000; // rounded up to whole batches
        int batchSize = 256;
        try (FileRaftStorage storage = FileRaftStorage.open(directory)) {
            storage.load();
            for (long index = 1; index <= 200_000; index += batchSize) { // warm up the JIT
                storage.append(batch(index, batchSize));
            }
            storage.truncateSuffix(1);
            long start = System.nanoTime();
            long index = 1;
            while (index <= total) {
                storage.append(batch(index, batchSize));
                index += batchSize;
            }
            long count = index - 1;
            long appended = System.nanoTime();
            storage.sync();
            long synced = System.nanoTime();
            double seconds = (appended - start) / 1e9;
            System.out.printf("append only:      %10.0f entries/s %7.1f MB/s (then one sync of %d MB: %.0f ms)%n",
                    count / seconds, count / seconds * ENTRY_SIZE / 1e6, count * (ENTRY_SIZE + 25L) >> 20,
                    (synced - appended) / 1e6);
        }
        try (FileRaftStorage storage = FileRaftStorage.open(directory)) {
            long start = System.nanoTime();
            int loaded = storage.load().entries().size();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("load (recovery):  %10.0f entries/s (%d entries in %.0f ms)%n",
                    loaded / seconds, loaded, seconds * 1e3);
        }
    }

    private static List<LogEntry> batch(long firstIndex, int size) {
        List<LogEntry> entries = new ArrayList<>(size);
        for (long index = firstIndex; index < firstIndex + size; index++) {
            entries.add(LogEntry.command(index, 1, new byte[ENTRY_SIZE]));
        }
        return entries;
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}

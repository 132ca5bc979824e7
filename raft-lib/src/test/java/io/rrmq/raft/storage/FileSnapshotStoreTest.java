package io.rrmq.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSnapshotStoreTest {
    private static final List<Integer> MEMBERS = List.of(0, 1, 2);

    @TempDir
    Path dir;

    private static SnapshotMeta meta(long index) {
        return new SnapshotMeta(index, 2, io.rrmq.raft.Configuration.ofVoters(MEMBERS));
    }

    private static byte[] state(long index) {
        byte[] bytes = new byte[100_000];
        Arrays.fill(bytes, (byte) index);
        return bytes;
    }

    private static void save(SnapshotStore store, long index) throws IOException {
        store.save(meta(index), out -> out.write(state(index)), 2);
    }

    private List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void savesReadsAndKeepsTheNewestTwo() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            save(store, 10);
            save(store, 20);
            save(store, 30);
            assertThat(store.list()).extracting(SnapshotMeta::lastIncludedIndex).containsExactly(30L, 20L);
            assertThat(names()).containsExactly(FileSnapshotStore.fileName(20), FileSnapshotStore.fileName(30));
            store.verify(30);
            try (InputStream in = store.openState(30)) {
                assertThat(in.readAllBytes()).isEqualTo(state(30));
            }
            assertThat(store.list().get(0).configuration()).isEqualTo(io.rrmq.raft.Configuration.ofVoters(MEMBERS));
        }
    }

    @Test
    void aSnapshotThatFailsWhileWritingLeavesNothingBehind() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            save(store, 10);
            assertThatThrownBy(() -> store.save(meta(20), out -> {
                out.write(new byte[1000]);
                throw new IOException("No space left on device");
            }, 2)).hasMessageContaining("space");
            assertThat(names()).containsExactly(FileSnapshotStore.fileName(10));
        }
    }

    @Test
    void leftoversOfACrashAreRemovedAtOpen() throws IOException {
        Files.write(dir.resolve(FileSnapshotStore.fileName(40) + FileSnapshotStore.TEMP_SUFFIX), new byte[10]);
        Files.write(dir.resolve(FileSnapshotStore.INCOMING), new byte[10]);
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            assertThat(store.list()).isEmpty();
            assertThat(names()).isEmpty();
        }
    }

    @Test
    void damageAnywhereIsFoundByVerifyAndByTheStateStream() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            save(store, 10);
            try (RandomAccessFile file = new RandomAccessFile(dir.resolve(FileSnapshotStore.fileName(10)).toFile(), "rw")) {
                file.seek(50_000);
                file.write(0x77);
            }
            assertThatThrownBy(() -> store.verify(10)).isInstanceOf(IOException.class).hasMessageContaining("CRC32C");
            assertThatThrownBy(() -> {
                try (InputStream in = store.openState(10)) {
                    in.readAllBytes();
                }
            }).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aFileHoldingAnotherIndexIsRefusedByTheStateStreamAsByVerify() throws IOException {
        try (FileSnapshotStore store = FileSnapshotStore.open(dir)) {
            save(store, 20);
            Files.copy(dir.resolve(FileSnapshotStore.fileName(20)), dir.resolve(FileSnapshotStore.fileName(40)));

            assertThatThrownBy(() -> store.verify(40)).isInstanceOf(IOException.class).hasMessageContaining("index 20");
            assertThatThrownBy(() -> store.openState(40)).isInstanceOf(IOException.class)
                    .hasMessageContaining("index 20");
        }
    }

    @Test
    void aReceivedSnapshotIsInstalledWholeOrNotAtAll() throws IOException {
        Path source = dir.resolve("leader");
        Path target = dir.resolve("follower");
        try (FileSnapshotStore leader = FileSnapshotStore.open(source);
             FileSnapshotStore follower = FileSnapshotStore.open(target)) {
            save(leader, 50);
            save(follower, 20);
            long size = leader.size(50);
            SnapshotStore.Incoming incoming = follower.receive(50, 2);
            for (long offset = 0; offset < size; offset += 4096) {
                incoming.write(offset, leader.read(50, offset, 4096));
            }
            assertThat(follower.list()).extracting(SnapshotMeta::lastIncludedIndex).containsExactly(20L); // not yet
            assertThat(incoming.complete()).isEqualTo(meta(50));
            // Figure 13 receiver rule 5: the older snapshot is discarded.
            assertThat(follower.list()).extracting(SnapshotMeta::lastIncludedIndex).containsExactly(50L);
            try (InputStream in = follower.openState(50)) {
                assertThat(in.readAllBytes()).isEqualTo(state(50));
            }
        }
    }

    @Test
    void aDamagedOrMislabelledTransferIsRefused() throws IOException {
        try (FileSnapshotStore leader = FileSnapshotStore.open(dir.resolve("leader"));
             FileSnapshotStore follower = FileSnapshotStore.open(dir.resolve("follower"))) {
            save(leader, 50);
            byte[] all = leader.read(50, 0, Integer.MAX_VALUE);
            SnapshotStore.Incoming wrongTerm = follower.receive(50, 3);
            wrongTerm.write(0, all);
            assertThatThrownBy(wrongTerm::complete).isInstanceOf(IOException.class);
            byte[] damaged = all.clone();
            damaged[damaged.length / 2] ^= 1;
            SnapshotStore.Incoming incoming = follower.receive(50, 2);
            incoming.write(0, damaged);
            assertThatThrownBy(incoming::complete).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> follower.receive(50, 2).write(10, all)).isInstanceOf(IOException.class);
            assertThat(follower.list()).isEmpty();
            assertThat(Files.exists(dir.resolve("follower").resolve(FileSnapshotStore.INCOMING))).isTrue();
        }
    }
}

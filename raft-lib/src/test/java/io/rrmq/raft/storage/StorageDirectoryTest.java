package io.rrmq.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directories are created durably: each new entry is forced into its parent before the next is made. */
class StorageDirectoryTest {
    @TempDir
    Path root;

    private final List<Path> forced = new ArrayList<>();

    private void recordAndForce(Path directory) throws IOException {
        forced.add(directory);
        StorageDirectory.fsync(directory);
    }

    @Test
    void createsEachMissingDirectoryAndForcesItsParentTopDown() throws IOException {
        Path target = root.resolve("a").resolve("b").resolve("c");

        StorageDirectory.createDurably(target, this::recordAndForce);

        assertThat(target).isDirectory();
        assertThat(forced).containsExactly(root, root.resolve("a"), root.resolve("a").resolve("b"));
    }

    @Test
    void forcesNothingWhenTheDirectoryExists() throws IOException {
        Path target = root.resolve("a");
        Files.createDirectory(target);

        StorageDirectory.createDurably(target, this::recordAndForce);

        assertThat(forced).isEmpty();
    }

    @Test
    void refusesAFileWhereADirectoryShouldBe() throws IOException {
        Files.createFile(root.resolve("a"));

        assertThatThrownBy(() -> StorageDirectory.createDurably(root.resolve("a").resolve("b"), this::recordAndForce))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(forced).isEmpty();
    }

    @Test
    void openingFileStorageCreatesItsDirectoryDurably() throws IOException {
        Path data = root.resolve("node-1").resolve("data");

        try (FileRaftStorage storage = FileRaftStorage.open(data, 1 << 20, this::recordAndForce)) {
            assertThat(forced).containsExactly(root, root.resolve("node-1"));
        }
    }

    @Test
    void publicHelperCreatesMissingDirectories() throws IOException {
        Path target = root.resolve("x").resolve("y");

        DurableDirectories.create(target);
        DurableDirectories.create(target); // exists: nothing to do

        assertThat(target).isDirectory();
    }
}

package io.rrmq.raft.storage;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Placeholder: the durable segmented log is being written. */
public final class FileRaftStorage implements RaftStorage {
    private FileRaftStorage() {
    }

    /** Opens (creating if needed) the storage kept in {@code directory}. */
    public static FileRaftStorage open(Path directory) throws IOException {
        throw new UnsupportedOperationException("not yet");
    }

    @Override
    public Stored load() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void saveHardState(HardState state) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void truncateSuffix(long fromIndex) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void append(List<LogEntry> entries) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void sync() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
    }
}

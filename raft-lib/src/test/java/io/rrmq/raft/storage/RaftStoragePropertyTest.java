package io.rrmq.raft.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftStorage;
import io.rrmq.raft.RaftStorage.Stored;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;

/**
 * Random sequences of writes, syncs and restarts against a plain list: after every restart the
 * storage holds what the model says. jqwik prints the seed of a failing run; rerun with
 * {@code @Property(seed = "...")} to reproduce it.
 */
class RaftStoragePropertyTest {

    /** One step of a scenario, relative to the current log so that most steps are valid. */
    sealed interface Step permits Append, Truncate, SaveHardState, Sync, Restart {
    }

    /** Appends {@code count} entries of {@code dataSize} bytes; an empty log starts at {@code startIfEmpty}. */
    record Append(int count, int dataSize, int startIfEmpty) implements Step {
    }

    /** Truncates from {@code lastIndex + 1 - back}: 0 removes nothing, large values empty the log. */
    record Truncate(int back) implements Step {
    }

    record SaveHardState(long term, int votedFor) implements Step {
    }

    record Sync() implements Step {
    }

    /** Reopen the directory (file) or take a crash copy after a sync (memory). */
    record Restart() implements Step {
    }

    @Provide
    Arbitrary<List<Step>> scenarios() {
        Arbitrary<Step> append = Combinators.combine(Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(0, 120), Arbitraries.integers().between(1, 4))
                .as(Append::new);
        Arbitrary<Step> truncate = Arbitraries.integers().between(0, 25).map(Truncate::new);
        Arbitrary<Step> hardState = Combinators.combine(Arbitraries.longs().between(0, 9),
                Arbitraries.integers().between(-1, 4)).as(SaveHardState::new);
        Arbitrary<Step> sync = Arbitraries.just(new Sync());
        Arbitrary<Step> restart = Arbitraries.just(new Restart());
        return Arbitraries.frequencyOf(
                        Tuple.of(5, append), Tuple.of(2, truncate),
                        Tuple.of(2, hardState), Tuple.of(2, sync),
                        Tuple.of(2, restart))
                .list().ofMinSize(1).ofMaxSize(40);
    }

    private Path directory;

    @BeforeTry
    void createDirectory() throws IOException {
        directory = Files.createTempDirectory("rrmq-storage-property");
    }

    @AfterTry
    void deleteDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }

    @Property(tries = 150)
    void fileStorageHoldsWhatWasWrittenAcrossReopens(@ForAll("scenarios") List<Step> steps,
                                                    @ForAll @IntRange(min = 40, max = 400) int maxSegmentSize)
            throws IOException {
        Model model = new Model();
        FileRaftStorage storage = FileRaftStorage.open(directory, maxSegmentSize);
        try {
            assertThat(storage.load()).isEqualTo(Stored.EMPTY);
            for (Step step : steps) {
                if (step instanceof Restart) {
                    // A clean close hands every write to the OS, so all of it is there, synced or not.
                    storage.close();
                    storage = FileRaftStorage.open(directory, maxSegmentSize);
                    assertThat(storage.load()).as("after %s", steps).isEqualTo(model.written());
                } else {
                    model.apply(step, storage);
                }
            }
            storage.close();
            storage = FileRaftStorage.open(directory, maxSegmentSize);
            assertThat(storage.load()).isEqualTo(model.written());
        } finally {
            storage.close();
        }
    }

    @Property(tries = 300)
    void memoryCrashCopyHoldsWhatWasSynced(@ForAll("scenarios") List<Step> steps) throws IOException {
        Model model = new Model();
        MemoryRaftStorage storage = new MemoryRaftStorage();
        storage.load();
        for (Step step : steps) {
            if (step instanceof Restart) {
                storage = storage.crashCopy();
                model.crash();
                assertThat(storage.load()).as("after %s", steps).isEqualTo(model.written());
            } else {
                model.apply(step, storage);
            }
        }
    }

    /** The obvious implementation: a list, and a copy of it at every sync. */
    private static final class Model {
        private List<LogEntry> log = new ArrayList<>();
        private HardState hardState = HardState.INITIAL;
        private List<LogEntry> syncedLog = new ArrayList<>();
        private HardState syncedHardState = HardState.INITIAL;
        private long nextTerm = 1;

        Stored written() {
            return new Stored(hardState, List.copyOf(log));
        }

        void crash() {
            log = new ArrayList<>(syncedLog);
            hardState = syncedHardState;
        }

        /** Applies {@code step} to the model and to {@code storage}. */
        void apply(Step step, RaftStorage storage) throws IOException {
            if (step instanceof Append append) {
                long first = log.isEmpty() ? append.startIfEmpty() : log.get(log.size() - 1).index() + 1;
                long term = nextTerm++;
                List<LogEntry> batch = new ArrayList<>();
                for (long index = first; index < first + append.count(); index++) {
                    byte[] data = new byte[append.dataSize()];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (byte) (index * 31 + i);
                    }
                    batch.add(append.dataSize() == 0 ? LogEntry.noop(index, term) : LogEntry.command(index, term, data));
                }
                storage.append(batch);
                log.addAll(batch);
            } else if (step instanceof Truncate truncate) {
                long from = log.isEmpty() ? 1 : log.get(log.size() - 1).index() + 1 - truncate.back();
                storage.truncateSuffix(from);
                log.removeIf(entry -> entry.index() >= from);
            } else if (step instanceof SaveHardState save) {
                HardState state = new HardState(save.term(), save.votedFor());
                storage.saveHardState(state);
                hardState = state;
            } else if (step instanceof Sync) {
                storage.sync();
                syncedLog = new ArrayList<>(log);
                syncedHardState = hardState;
            }
        }
    }
}

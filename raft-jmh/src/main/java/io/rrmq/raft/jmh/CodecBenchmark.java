package io.rrmq.raft.jmh;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** {@link MessageCodec} on an AppendEntries of 64 entries: encode and decode, each alone. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class CodecBenchmark {
    /** Bytes of command data per entry. */
    @Param({"128"})
    public int entryBytes;

    private List<RaftMessage> batch;
    private byte[] encoded;

    @Setup
    public void build() {
        List<LogEntry> entries = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            entries.add(LogEntry.command(1001 + i, 7, new byte[entryBytes]));
        }
        batch = List.of(new AppendEntries(1, 2, 7, 1000, 7, 990, entries, 3));
        encoded = MessageCodec.encodeBatch(batch);
    }

    @Benchmark
    public byte[] encodeAppendEntries64() {
        return MessageCodec.encodeBatch(batch);
    }

    @Benchmark
    public List<RaftMessage> decodeAppendEntries64() {
        return MessageCodec.decodeBatch(encoded);
    }
}

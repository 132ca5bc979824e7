package io.rrmq.mq;

import io.rrmq.raft.SnapshotWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Prints what a snapshot of a loaded {@link TopicStateMachine} costs: the event-loop stall of
 * {@code takeSnapshot()} (capturing the view) and the total until the file is written and forced.
 * Not a test (no timed assertion); run by hand:
 *
 * <pre>
 * java -cp mq-statemachine/target/classes:mq-statemachine/target/test-classes:raft-lib/target/classes \
 *     io.rrmq.mq.SnapshotBench 100000 1000000
 * </pre>
 */
public final class SnapshotBench {
    private SnapshotBench() {
    }

    public static void main(String[] args) throws IOException {
        long[] sizes = args.length == 0 ? new long[] {100_000, 1_000_000} : java.util.Arrays.stream(args)
                .mapToLong(Long::parseLong).toArray();
        for (long size : sizes) {
            run((int) size);
        }
    }

    private static void run(int messages) throws IOException {
        TopicStateMachine machine = new TopicStateMachine();
        long index = 0;
        int topics = 10;
        for (int t = 0; t < topics; t++) {
            machine.apply(++index, MqCodec.encodeCommand(new MqCommand.CreateTopic("topic-" + t)));
        }
        String body = "x".repeat(100);
        for (int i = 0; i < messages; i++) {
            machine.apply(++index, MqCodec.encodeCommand(new MqCommand.PutMessage("topic-" + (i % topics), body + i)));
        }
        Path file = Files.createTempFile("rrmq-snapshot-bench", ".snap");
        try {
            for (int round = 0; round < 3; round++) { // the first rounds warm the JIT up
                long start = System.nanoTime();
                SnapshotWriter writer = machine.takeSnapshot();
                long captured = System.nanoTime();
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
                    OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
                    writer.writeTo(out);
                    out.flush();
                    channel.force(true);
                }
                long done = System.nanoTime();
                System.out.printf("%,d messages, round %d: capture (loop stall) %.1f ms, total %.0f ms, %,d bytes%n",
                        messages, round, (captured - start) / 1e6, (done - start) / 1e6, Files.size(file));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

package io.rrmq.server.membership;

import io.rrmq.raft.storage.DurableDirectories;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Small facts a node keeps in its data directory beside the Raft log: the id of the cluster it
 * belongs to ({@value #CLUSTER_ID}, written at its first start and the one its peer signatures name
 * from then on, whatever the configuration file says later) and, for a node that joined, the member
 * id it was given ({@value #JOINED_ID}).
 */
public final class ClusterIdentity {
    public static final String CLUSTER_ID = "cluster-id";
    public static final String JOINED_ID = "joined-id";

    private ClusterIdentity() {
    }

    /** The text of {@code name} in {@code dataDir}, if the file exists. */
    public static Optional<String> read(Path dataDir, String name) throws IOException {
        Path file = dataDir.resolve(name);
        return Files.exists(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip()) : Optional.empty();
    }

    /** Writes {@code value} as {@code name} in {@code dataDir} unless it is there: atomically and durably. */
    public static void recordOnce(Path dataDir, String name, String value) throws IOException {
        Path file = dataDir.resolve(name);
        if (Files.exists(file)) {
            return;
        }
        DurableDirectories.create(dataDir);
        Path tmp = dataDir.resolve(name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap((value + "\n").getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        DurableDirectories.fsync(dataDir);
    }
}

package io.rrmq.server.security;

import io.rrmq.auth.KeyText;
import io.rrmq.raft.storage.DurableDirectories;
import io.rrmq.server.config.ConfigException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The secret every member of a cluster shares: 32 random bytes, kept as 64 hex characters in a file
 * {@code cluster.key} readable by its owner only. Peer requests are signed with it
 * ({@link PeerAuthenticator}); whoever lacks it cannot speak Raft to a node. It plays the part of
 * RabbitMQ's Erlang cookie, but as a MAC key rather than a password sent on the wire.
 *
 * <p><b>Where</b> ({@link #locate}): {@code --cluster-key FILE}, else {@code $RRMQ_CLUSTER_KEY_FILE},
 * else {@code <data root>/<cluster-id>/cluster.key}. Only the last is created when missing, by the
 * first node to start; an explicitly named file must exist.
 *
 * <p><b>Creation is atomic</b> ({@link #loadOrCreate}): a node writes a fresh key to a temporary file
 * of its own, forces it, and hard-links it to the key's name. {@code link(2)} fails if the name exists,
 * so when several nodes start at once exactly one key wins and every node reads that one; a reader
 * never sees a half-written key, since the name appears only once the content is complete and durable.
 */
public final class ClusterKey {
    /** The key file's name in the default location. */
    public static final String FILE_NAME = "cluster.key";
    /** The environment variable naming the key file. */
    public static final String ENV_FILE = "RRMQ_CLUSTER_KEY_FILE";
    static final int KEY_BYTES = KeyText.KEY_BYTES;

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] key;
    private final Path file;

    private ClusterKey(byte[] key, Path file) {
        this.key = key;
        this.file = file;
    }

    /** Where the key is, and whether it may be created there. */
    public record Location(Path file, boolean createIfMissing, String source) {
    }

    /**
     * The key file's location: the option, else the environment variable, else the default in the
     * cluster's directory under the data root (created there when missing).
     */
    public static Location locate(Optional<Path> option, Map<String, String> env, Path clusterDirectory) {
        if (option.isPresent()) {
            return new Location(option.get().toAbsolutePath().normalize(), false, "--cluster-key");
        }
        String fromEnv = env.get(ENV_FILE);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new Location(Path.of(fromEnv).toAbsolutePath().normalize(), false, ENV_FILE);
        }
        return new Location(clusterDirectory.resolve(FILE_NAME).toAbsolutePath().normalize(), true,
                "default for this cluster");
    }

    /** Reads the key at {@code location}, creating it first if it is missing and may be created. */
    public static ClusterKey loadOrCreate(Location location) throws ConfigException, IOException {
        if (location.createIfMissing() && !Files.exists(location.file())) {
            create(location.file());
        }
        return load(location.file());
    }

    /**
     * Reads a key file: 64 hex characters, optionally followed by white space.
     *
     * @throws ConfigException the file is missing or does not hold a key
     */
    public static ClusterKey load(Path file) throws ConfigException, IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw new ConfigException("cluster key file " + file + " does not exist (copy cluster.key from a"
                    + " member of the cluster; see README, \"Security\")");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new ConfigException("cluster key file " + file + " is not ASCII text");
        }
        try {
            return new ClusterKey(KeyText.parse(text), file);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("cluster key file " + file + " " + e.getMessage());
        }
    }

    private static void create(Path target) throws IOException {
        Path directory = target.getParent();
        DurableDirectories.create(directory);
        byte[] key = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(key);
        Path temp = Files.createTempFile(directory, FILE_NAME + ".", ".tmp",
                PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(KeyText.format(key).getBytes(StandardCharsets.US_ASCII)));
                channel.force(true);
            }
            try {
                Files.createLink(target, temp);
                DurableDirectories.fsync(directory);
            } catch (FileAlreadyExistsException e) {
                // Another node created it first: everyone uses that one.
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file the key was read from. */
    public Path file() {
        return file;
    }

    /** Whether users other than the owner may read the file (worth a warning at start-up). */
    public boolean readableByOthers() {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A copy of the key's bytes, for building MACs. */
    byte[] bytes() {
        return key.clone();
    }

    @Override
    public String toString() {
        return "ClusterKey[" + file + "]"; // never the key itself
    }
}

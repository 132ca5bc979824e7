package io.rrmq.server.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a node keeps its Raft state, and why there.
 *
 * <ol>
 *   <li>{@code --data-dir DIR}: exactly {@code DIR}.</li>
 *   <li>else environment {@code RRMQ_DATA_DIR=ROOT}: {@code ROOT/<cluster-id>/node-<INDEX>}. The
 *       variable names a root, not a node's directory, so one setting serves every node of a
 *       cluster started from the same shell.</li>
 *   <li>else {@code rrmq-data/<cluster-id>/node-<INDEX>} under the current directory.</li>
 * </ol>
 * The cluster id ({@link ClusterConfig#clusterId()}) derives from the full address list, so a
 * configuration with other addresses starts empty even in the same working directory.
 *
 * @param path   absolute, normalized
 * @param source how it was chosen, for the start-up log line
 */
public record DataDirectory(Path path, String source) {

    /** The environment variable that moves the default root. */
    public static final String ENV_ROOT = "RRMQ_DATA_DIR";
    /** The default root, relative to the working directory. */
    public static final String DEFAULT_ROOT = "rrmq-data";

    /**
     * The directory of node {@code index} of {@code cluster}: {@code --data-dir} if given, else
     * {@code <data root>/<cluster-id>/node-<index>}.
     */
    public static DataDirectory resolve(ClusterConfig cluster, int index, Optional<Path> option,
                                        Map<String, String> env, Path workingDirectory)
            throws ConfigException {
        if (option.isPresent()) {
            return explicit(option.get(), workingDirectory);
        }
        Path nodeDir = clusterDirectory(cluster, env, workingDirectory).resolve("node-" + index);
        boolean fromEnv = env.get(ENV_ROOT) != null && !env.get(ENV_ROOT).isBlank();
        return new DataDirectory(nodeDir, fromEnv ? ENV_ROOT + " root" : "default for cluster " + cluster.clusterId());
    }

    /**
     * The directory of a node that joins cluster {@code clusterId} at {@code host:port}: {@code
     * --data-dir} if given, else {@code <data root>/<cluster-id>/joined-<host>-<port>} (a joiner has
     * no index in any config file; its address names it).
     */
    public static DataDirectory forJoiner(String clusterId, String host, int port, Optional<Path> option,
                                          Map<String, String> env, Path workingDirectory) throws ConfigException {
        if (option.isPresent()) {
            return explicit(option.get(), workingDirectory);
        }
        return new DataDirectory(clusterDirectory(clusterId, env, workingDirectory).resolve("joined-" + host + "-" + port),
                "default for a node joining cluster " + clusterId);
    }

    private static DataDirectory explicit(Path option, Path workingDirectory) {
        return new DataDirectory(absolute(workingDirectory, option), "--data-dir");
    }

    /**
     * {@code <data root>/<cluster-id>}: the directory of the cluster's nodes under the data root
     * ({@code $RRMQ_DATA_DIR}, else {@code rrmq-data}), whatever {@code --data-dir} says; the cluster
     * key's default home.
     */
    public static Path clusterDirectory(ClusterConfig cluster, Map<String, String> env, Path workingDirectory)
            throws ConfigException {
        return clusterDirectory(cluster.clusterId(), env, workingDirectory);
    }

    /** {@code <data root>/<clusterId>}, as above, for a cluster known by its id. */
    public static Path clusterDirectory(String clusterId, Map<String, String> env, Path workingDirectory)
            throws ConfigException {
        String root = env.get(ENV_ROOT);
        try {
            Path base = root != null && !root.isBlank() ? Path.of(root) : Path.of(DEFAULT_ROOT);
            return absolute(workingDirectory, base.resolve(clusterId));
        } catch (InvalidPathException e) {
            throw new ConfigException(ENV_ROOT + " is not a usable path: " + e.getMessage());
        }
    }

    private static Path absolute(Path workingDirectory, Path p) {
        return workingDirectory.resolve(p).toAbsolutePath().normalize();
    }
}

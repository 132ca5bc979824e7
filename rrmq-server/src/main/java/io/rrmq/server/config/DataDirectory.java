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

    public static DataDirectory resolve(ClusterConfig cluster, int index, Optional<Path> option,
                                        Map<String, String> env, Path workingDirectory)
            throws ConfigException {
        if (option.isPresent()) {
            return new DataDirectory(absolute(workingDirectory, option.get()), "--data-dir");
        }
        Path nodeDir = Path.of(cluster.clusterId(), "node-" + index);
        String root = env.get(ENV_ROOT);
        if (root != null && !root.isBlank()) {
            try {
                return new DataDirectory(absolute(workingDirectory, Path.of(root).resolve(nodeDir)),
                        ENV_ROOT + " root");
            } catch (InvalidPathException e) {
                throw new ConfigException(ENV_ROOT + " is not a usable path: " + e.getMessage());
            }
        }
        return new DataDirectory(absolute(workingDirectory, Path.of(DEFAULT_ROOT).resolve(nodeDir)),
                "default for cluster " + cluster.clusterId());
    }

    private static Path absolute(Path workingDirectory, Path p) {
        return workingDirectory.resolve(p).toAbsolutePath().normalize();
    }
}

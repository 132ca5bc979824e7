package io.rrmq.server.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The node's command line: {@code CONFIG_PATH INDEX [--data-dir DIR] [--cluster-key FILE]} for a
 * member of the configuration file, or {@code --join MEMBER_URL --address MY_URL [--data-dir DIR]
 * [--cluster-key FILE]} for a node that joins a running cluster.
 *
 * @param configPath the cluster configuration file; null when joining
 * @param indexText  INDEX as typed; checked against the configuration by {@link #index(ClusterConfig)};
 *                   null when joining
 * @param dataDir    the {@code --data-dir} option, if given
 * @param clusterKey the {@code --cluster-key} option, if given
 * @param join       {@code --join}: a member of the cluster to join
 * @param address    {@code --address}: where this joining node listens, as its peers will reach it
 */
public record ServerArguments(Path configPath, String indexText, Optional<Path> dataDir, Optional<Path> clusterKey,
                              Optional<String> join, Optional<String> address) {

    /** One line, so that every refusal is one line too. */
    public static final String USAGE = "usage: rrmq-server CONFIG_PATH INDEX [--data-dir DIR] [--cluster-key FILE]"
            + " | rrmq-server --join MEMBER_URL --address MY_URL [--data-dir DIR] [--cluster-key FILE]";

    /** A member of the file's cluster, without the join options. */
    public ServerArguments(Path configPath, String indexText, Optional<Path> dataDir, Optional<Path> clusterKey) {
        this(configPath, indexText, dataDir, clusterKey, Optional.empty(), Optional.empty());
    }

    /** Whether this node joins a running cluster ({@code --join}). */
    public boolean joining() {
        return join.isPresent();
    }

    /** Thrown for {@code -h}/{@code --help}: print {@link #USAGE} and exit 0. */
    public static final class HelpRequested extends Exception {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super(null, null, false, false);
        }
    }

    public static ServerArguments parse(String[] args) throws ConfigException, HelpRequested {
        String config = null;
        String index = null;
        String dataDir = null;
        String clusterKey = null;
        String join = null;
        String address = null;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new HelpRequested();
            } else if (a.equals("--data-dir") || a.startsWith("--data-dir=")) {
                dataDir = optionValue(args, i, "--data-dir", "a directory");
                i += a.contains("=") ? 0 : 1;
            } else if (a.equals("--cluster-key") || a.startsWith("--cluster-key=")) {
                clusterKey = optionValue(args, i, "--cluster-key", "a file");
                i += a.contains("=") ? 0 : 1;
            } else if (a.equals("--join") || a.startsWith("--join=")) {
                join = optionValue(args, i, "--join", "a member's URL");
                i += a.contains("=") ? 0 : 1;
            } else if (a.equals("--address") || a.startsWith("--address=")) {
                address = optionValue(args, i, "--address", "this node's URL");
                i += a.contains("=") ? 0 : 1;
            } else if (a.startsWith("-") && a.length() > 1 && !isInteger(a)) {
                throw new ConfigException("unknown option " + a + "; " + USAGE);
            } else if (config == null) {
                config = a;
            } else if (index == null) {
                index = a;
            } else {
                throw new ConfigException("unexpected argument \"" + a + "\"; " + USAGE);
            }
        }
        if (join != null || address != null) {
            if (join == null || address == null) {
                throw new ConfigException("--join and --address go together; " + USAGE);
            }
            if (config != null) {
                throw new ConfigException("a joining node takes no CONFIG_PATH or INDEX (the cluster's log says who"
                        + " its members are); " + USAGE);
            }
            try {
                return new ServerArguments(null, null, Optional.ofNullable(dataDir).map(Path::of),
                        Optional.ofNullable(clusterKey).map(Path::of), Optional.of(join), Optional.of(address));
            } catch (InvalidPathException e) {
                throw new ConfigException("bad path: " + e.getMessage());
            }
        }
        if (config == null || index == null) {
            throw new ConfigException("missing " + (config == null ? "CONFIG_PATH and INDEX" : "INDEX")
                    + "; " + USAGE);
        }
        try {
            return new ServerArguments(Path.of(config), index,
                    Optional.ofNullable(dataDir).map(Path::of), Optional.ofNullable(clusterKey).map(Path::of));
        } catch (InvalidPathException e) {
            throw new ConfigException("bad path: " + e.getMessage());
        }
    }

    /** The value of the option at {@code args[i]}: {@code --name VALUE} or {@code --name=VALUE}, never empty. */
    private static String optionValue(String[] args, int i, String name, String what) throws ConfigException {
        String value = args[i].startsWith(name + "=") ? args[i].substring(name.length() + 1)
                : i + 1 < args.length ? args[i + 1] : "";
        if (value.isEmpty()) {
            throw new ConfigException(name + " needs " + what + "; " + USAGE);
        }
        return value;
    }

    /** INDEX as a member id of {@code cluster}. */
    public int index(ClusterConfig cluster) throws ConfigException {
        if (!isInteger(indexText)) {
            throw new ConfigException("INDEX must be a whole number, got \"" + indexText + "\"");
        }
        int index;
        try {
            index = Integer.parseInt(indexText);
        } catch (NumberFormatException e) {
            index = -1;
        }
        if (index < 0 || index >= cluster.size()) {
            throw new ConfigException("INDEX " + indexText + " is out of range: the config lists "
                    + cluster.size() + " node" + (cluster.size() == 1 ? "" : "s") + " (0.."
                    + (cluster.size() - 1) + ")");
        }
        return index;
    }

    private static boolean isInteger(String s) {
        return s.matches("-?[0-9]+");
    }
}

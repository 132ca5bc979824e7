package io.rrmq.server.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The node's command line: {@code CONFIG_PATH INDEX [--data-dir DIR]}.
 *
 * @param configPath the cluster configuration file
 * @param indexText  INDEX as typed; checked against the configuration by {@link #index(ClusterConfig)}
 * @param dataDir    the {@code --data-dir} option, if given
 */
public record ServerArguments(Path configPath, String indexText, Optional<Path> dataDir) {

    public static final String USAGE = "usage: rrmq-server CONFIG_PATH INDEX [--data-dir DIR]";

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
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                throw new HelpRequested();
            } else if (a.equals("--data-dir")) {
                if (i + 1 >= args.length || args[i + 1].isEmpty()) {
                    throw new ConfigException("--data-dir needs a directory; " + USAGE);
                }
                dataDir = args[++i];
            } else if (a.startsWith("--data-dir=")) {
                dataDir = a.substring("--data-dir=".length());
                if (dataDir.isEmpty()) {
                    throw new ConfigException("--data-dir needs a directory; " + USAGE);
                }
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
        if (config == null || index == null) {
            throw new ConfigException("missing " + (config == null ? "CONFIG_PATH and INDEX" : "INDEX")
                    + "; " + USAGE);
        }
        try {
            return new ServerArguments(Path.of(config), index,
                    Optional.ofNullable(dataDir).map(Path::of));
        } catch (InvalidPathException e) {
            throw new ConfigException("bad path: " + e.getMessage());
        }
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

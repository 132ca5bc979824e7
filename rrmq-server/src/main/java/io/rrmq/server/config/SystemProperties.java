package io.rrmq.server.config;

/** Reads a node's {@code rrmq.*} tuning properties: whole numbers with a lower bound or switches, or a default. */
final class SystemProperties {
    private SystemProperties() {
    }

    /** The property {@code name} as a number of at least {@code min}; {@code fallback} if unset. */
    static long longValue(String name, long fallback, long min) throws ConfigException {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed < min) {
                throw new ConfigException(name + " must be at least " + min + ", got " + value);
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got \"" + value + "\"");
        }
    }

    /** As {@link #longValue}, for a property that must also fit an {@code int}. */
    static int intValue(String name, int fallback, int min) throws ConfigException {
        long value = longValue(name, fallback, min);
        if (value > Integer.MAX_VALUE) {
            throw new ConfigException(name + " must be at most " + Integer.MAX_VALUE + ", got " + value);
        }
        return (int) value;
    }

    /** The property {@code name} as {@code true} or {@code false}; {@code fallback} if unset. */
    static boolean booleanValue(String name, boolean fallback) throws ConfigException {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(name + " must be true or false, got \"" + value + "\"");
        };
    }
}

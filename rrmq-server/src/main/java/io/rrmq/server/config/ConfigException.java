package io.rrmq.server.config;

/**
 * The command line or the cluster configuration cannot be used. The message is one line meant for an
 * operator; {@code Main} prints it without a stack trace and exits with status 2.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }
}

package io.rrmq.cli;

/** A problem with what the user asked for (arguments, config file): exit code {@link ExitCode#USAGE}. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }

    public UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}

package io.rrmq.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * What a run of {@code rrmq} talks to: its streams and environment. {@link Main#main} passes the
 * process's own; tests pass captured ones, so that commands run in-process without global state.
 */
public record CliContext(PrintWriter out, PrintWriter err, InputStream in, Map<String, String> env) {
    public CliContext {
        env = Map.copyOf(env);
    }
}

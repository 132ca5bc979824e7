package io.rrmq.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs {@code rrmq} in-process ({@link Main#run}) with captured streams, as tests need it. */
public final class CliRunner {
    /** The outcome of one run. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final List<String> leading;
    private final Map<String, String> env = new HashMap<>();

    /** {@code leading} are put before every command's own arguments (e.g. {@code --nodes ...}). */
    public CliRunner(String... leading) {
        this.leading = List.of(leading);
    }

    public CliRunner env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public Result run(String... args) {
        return runWithStdin("", args);
    }

    public Result runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(leading);
        all.addAll(List.of(args));
        int code = Main.run(all.toArray(String[]::new), new CliContext(new PrintWriter(out, true),
                new PrintWriter(err, true), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env));
        return new Result(code, out.toString(), err.toString());
    }
}

package io.rrmq.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * Where a command's result goes: plain text for people, or with {@code --json} exactly one JSON
 * document on stdout per command, success or failure. Errors always go to stderr as one line
 * ({@code rrmq: ...}) as well, so that plain-mode stdout carries only results.
 *
 * <p>Every JSON document has {@code "ok"} (boolean); a failure has {@code "error"} (a short code:
 * {@code no-such-topic}, {@code queue-empty}, {@code topic-exists}, {@code bad-request},
 * {@code unavailable}, {@code unknown-outcome}, ...), {@code "message"} and {@code "exitCode"}.
 */
public final class Output {
    private final boolean json;
    private final PrintWriter out;
    private final PrintWriter err;
    /** Asked only when a JSON document is made: plain output loads no Jackson databind. */
    private final Supplier<ObjectMapper> mapper;

    public Output(boolean json, PrintWriter out, PrintWriter err, ObjectMapper mapper) {
        this(json, out, err, () -> mapper);
    }

    public Output(boolean json, PrintWriter out, PrintWriter err, Supplier<ObjectMapper> mapper) {
        this.json = json;
        this.out = out;
        this.err = err;
        this.mapper = mapper;
    }

    public boolean isJson() {
        return json;
    }

    /** A fresh success document {@code {"ok": true}} to add fields to. */
    public ObjectNode okDocument() {
        return mapper.get().createObjectNode().put("ok", true);
    }

    /** Prints a success: {@code plain} as is (nothing if {@code null}), or {@code document} as JSON. */
    public ExitCode success(String plain, ObjectNode document) {
        if (json) {
            printJson(document);
        } else if (plain != null) {
            out.print(plain);
            out.flush();
        }
        return ExitCode.OK;
    }

    /**
     * Prints a failure: the message on stderr, and with {@code --json} the failure document on stdout.
     *
     * @param extra fields to add to the JSON document (may be {@code null})
     */
    public ExitCode failure(ExitCode code, String error, String message, ObjectNode extra) {
        err.println("rrmq: " + message);
        err.flush();
        if (json) {
            ObjectNode doc = mapper.get().createObjectNode().put("ok", false).put("error", error).put("message", message)
                    .put("exitCode", code.code());
            if (extra != null) {
                doc.setAll(extra);
            }
            printJson(doc);
        }
        return code;
    }

    /** A diagnostic line on stderr ({@code --verbose}). */
    public void trace(String line) {
        err.println("rrmq: " + line);
        err.flush();
    }

    private void printJson(ObjectNode document) {
        try {
            out.println(mapper.get().writeValueAsString(document));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
        out.flush();
    }
}

package io.rrmq.server.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The server's one shared {@link JsonFactory} (thread-safe) and small helpers around it.
 *
 * <p>The server reads and writes JSON with Jackson's streaming API only. Its documents are flat and
 * tiny, and leaving out jackson-databind's {@code ObjectMapper} saves about half a second of class
 * loading at start-up, which matters for a node that must answer HTTP within a second of spawning.
 *
 * <p>Reading is strict: duplicate keys are errors, and callers check that nothing follows the
 * top-level value. Jackson's defaults already refuse comments, single quotes, NaN, unquoted names
 * and nesting deeper than 1000.
 */
public final class Json {
    public static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    /** Writes one JSON document. */
    @FunctionalInterface
    public interface Body {
        void write(JsonGenerator json) throws IOException;
    }

    /**
     * Serializes what {@code body} writes, as UTF-8; writing to memory cannot fail.
     *
     * <p>The generator writes to a {@link Writer}, not straight to bytes: Jackson 2.17's byte
     * generator escapes characters outside the BMP as {@code \uD83D\uDE00} pairs, which is valid JSON
     * but not what clients comparing bodies byte for byte expect; the character generator leaves
     * them to the UTF-8 encoder.
     */
    public static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator json = FACTORY.createGenerator(new OutputStreamWriter(out, StandardCharsets.UTF_8))) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What kind of value a token starts, for error messages: "a number", "an object", ... */
    public static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        switch (token) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "a list";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return token.toString();
        }
    }

    /** A one-line description of a parse error, with its position. */
    public static String describe(JsonProcessingException e) {
        String msg = String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " ");
        if (msg.length() > 200) {
            msg = msg.substring(0, 200) + "...";
        }
        JsonLocation loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 0) {
            return msg;
        }
        return msg + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}

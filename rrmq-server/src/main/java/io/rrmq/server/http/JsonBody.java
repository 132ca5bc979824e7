package io.rrmq.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.rrmq.server.json.Json;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a request body that must be one flat JSON object with known field names, streaming (no
 * tree), and turns every way it can be wrong into a 400 that says what was expected. Each endpoint
 * says how a field's value is read; the object's frame (start, names, trailing data, malformed
 * text) is checked here once for all of them.
 */
final class JsonBody {
    /** Reads one field's value, the parser standing on its first token. */
    @FunctionalInterface
    interface FieldReader<T> {
        T read(String name, JsonToken token, JsonParser parser) throws IOException, BadRequestException;
    }

    private JsonBody() {
    }

    /**
     * @param emptyIsObject whether an empty body means {@code {}} (else it is a 400)
     * @param allowed       the field names this endpoint knows
     * @param expected      how a refusal of an unknown field goes on, e.g. {@code expected only "id"}
     * @return the fields read, by name (a repeated name keeps its last value, as JSON parsers do)
     */
    static <T> Map<String, T> read(byte[] body, boolean emptyIsObject, List<String> allowed, String expected,
                                   FieldReader<T> reader) throws BadRequestException {
        try (JsonParser parser = Json.FACTORY.createParser(body)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                if (emptyIsObject) {
                    return Map.of();
                }
                throw BadRequestException.badRequest("request body is empty; expected a JSON object");
            }
            if (token != JsonToken.START_OBJECT) {
                throw BadRequestException.badRequest("expected a JSON object, got " + Json.describe(token));
            }
            Map<String, T> fields = new HashMap<>();
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (!allowed.contains(name)) {
                    throw BadRequestException.badRequest("unknown field \"" + Replies.abbreviate(name) + "\"; "
                            + expected);
                }
                fields.put(name, reader.read(name, value, parser));
            }
            // The parser only hands out END_OBJECT here; anything else was a parse error.
            if (parser.nextToken() != null) {
                throw BadRequestException.badRequest("unexpected data after the JSON object");
            }
            return fields;
        } catch (JsonProcessingException e) {
            throw BadRequestException.badRequest("malformed JSON: " + Json.describe(e));
        } catch (IOException e) {
            throw BadRequestException.badRequest("malformed JSON");
        }
    }

    /** A string value, refused (400) if it is not a string or holds an unpaired surrogate. */
    static String string(String name, JsonToken token, JsonParser parser) throws IOException, BadRequestException {
        if (token != JsonToken.VALUE_STRING) {
            throw BadRequestException.badRequest("\"" + name + "\" must be a string, got " + Json.describe(token));
        }
        return wellFormed(parser.getText(), name);
    }

    /** {@code text} if it holds no unpaired surrogate (which no UTF-8 reply could carry), else a 400. */
    static String wellFormed(String text, String name) throws BadRequestException {
        if (!ApiRequests.isWellFormed(text)) {
            throw BadRequestException.badRequest("\"" + name + "\" contains an unpaired surrogate");
        }
        return text;
    }
}

package io.rrmq.server.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.rrmq.mq.MqCommand;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Strict parsing of the client API's JSON bodies into {@link MqCommand}s.
 *
 * <p>A body must be exactly one JSON object with exactly the documented fields: {@code topic} a
 * non-empty string, {@code message} a string (empty allowed). Anything else (malformed JSON, trailing
 * data, duplicate keys, a missing, null or wrongly typed field, or a field this release does not
 * know) is refused with 400. Unknown fields are refused rather than ignored so that a client never
 * believes an option it sent (say, a request id) was honoured. Strings must be well-formed Unicode:
 * an escaped lone surrogate ({@code "\ud800"}) would not survive the UTF-8 round trip unchanged.
 */
public final class ApiRequests {
    private ApiRequests() {
    }

    /** Body of {@code PUT /topic}: {@code {"topic": str}}. */
    public static MqCommand.CreateTopic createTopic(byte[] body) throws BadRequestException {
        JsonNode root = parseObject(body, Set.of("topic"));
        return new MqCommand.CreateTopic(topic(root));
    }

    /** Body of {@code PUT /message}: {@code {"topic": str, "message": str}}. */
    public static MqCommand.PutMessage putMessage(byte[] body) throws BadRequestException {
        JsonNode root = parseObject(body, Set.of("topic", "message"));
        return new MqCommand.PutMessage(topic(root), string(root, "message"));
    }

    /**
     * Checks a request's Content-Type: JSON bodies may come as {@code application/json} (with any
     * parameters, e.g. {@code charset=utf-8}), as a {@code +json} type, or with no Content-Type.
     */
    public static void requireJson(String contentType) throws BadRequestException {
        if (contentType == null) {
            return;
        }
        String type = contentType;
        int semicolon = type.indexOf(';');
        if (semicolon >= 0) {
            type = type.substring(0, semicolon);
        }
        type = type.strip().toLowerCase(Locale.ROOT);
        if (type.isEmpty() || type.equals("application/json")
                || (type.startsWith("application/") && type.endsWith("+json"))) {
            return;
        }
        throw new BadRequestException(Replies.unsupportedMediaType(contentType, "application/json"));
    }

    private static JsonNode parseObject(byte[] body, Set<String> fields) throws BadRequestException {
        if (isBlank(body)) {
            throw BadRequestException.badRequest("request body is empty; expected a JSON object");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw BadRequestException.badRequest("malformed JSON: " + describe(e));
        } catch (IOException e) {
            throw BadRequestException.badRequest("malformed JSON");
        }
        if (root == null || !root.isObject()) {
            throw BadRequestException.badRequest("expected a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!fields.contains(name)) {
                throw BadRequestException.badRequest("unknown field \"" + Replies.abbreviate(name)
                        + "\"; expected " + describeFields(fields));
            }
        }
        return root;
    }

    private static String topic(JsonNode root) throws BadRequestException {
        String topic = string(root, "topic");
        if (topic.isEmpty()) {
            throw BadRequestException.badRequest("\"topic\" must not be empty");
        }
        return topic;
    }

    private static String string(JsonNode root, String field) throws BadRequestException {
        JsonNode value = root.get(field);
        if (value == null) {
            throw BadRequestException.badRequest("missing field \"" + field + "\"");
        }
        if (!value.isTextual()) {
            throw BadRequestException.badRequest("\"" + field + "\" must be a string, got "
                    + value.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        String text = value.textValue();
        if (!isWellFormed(text)) {
            throw BadRequestException.badRequest("\"" + field + "\" contains an unpaired surrogate");
        }
        return text;
    }

    /** True if {@code s} has no unpaired UTF-16 surrogate, i.e. encodes to UTF-8 losslessly. */
    static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    private static String describeFields(Set<String> fields) {
        return fields.size() == 1 ? "only \"topic\"" : "only \"topic\" and \"message\"";
    }

    private static String describe(JsonProcessingException e) {
        String msg = Replies.abbreviate(String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " "));
        JsonLocation loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 0) {
            return msg;
        }
        return msg + " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
    }
}

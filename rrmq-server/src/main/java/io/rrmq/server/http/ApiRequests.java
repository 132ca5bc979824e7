package io.rrmq.server.http;

import io.rrmq.mq.MqCommand;
import io.rrmq.server.json.Json;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Strict parsing of the client API's JSON bodies into {@link MqCommand}s.
 *
 * <p>A body must be exactly one JSON object with exactly the documented fields: {@code topic} a
 * non-empty string, {@code message} a string (empty allowed). Anything else is refused with 400:
 * an empty body, malformed JSON, data after the object, duplicate keys, a missing, null or wrongly
 * typed field, or a field this release does not know. Unknown fields are refused rather than ignored
 * so that a client never believes an option it sent (say, a request id) was honoured. Strings must
 * be well-formed Unicode: an escaped lone surrogate ({@code "\ud800"}) would not survive the UTF-8
 * round trip unchanged.
 */
public final class ApiRequests {
    private static final List<String> TOPIC_FIELDS = List.of("topic");
    private static final List<String> MESSAGE_FIELDS = List.of("topic", "message");

    private ApiRequests() {
    }

    /**
     * Wraps a write in the request id from the {@value Reply#REQUEST_ID_HEADER} header, if one was
     * sent: 1 to 64 printable ASCII characters (0x21-0x7E), such as a UUID.
     *
     * @param header the header's value, or {@code null} if absent
     * @return {@code write} itself without a header, else {@code write} under that id
     */
    public static MqCommand identified(MqCommand write, String header) throws BadRequestException {
        if (header == null) {
            return write;
        }
        if (header.isEmpty() || header.length() > MqCommand.Identified.MAX_REQUEST_ID_LENGTH) {
            throw BadRequestException.badRequest(Reply.REQUEST_ID_HEADER + " must have 1 to "
                    + MqCommand.Identified.MAX_REQUEST_ID_LENGTH + " characters");
        }
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw BadRequestException.badRequest(Reply.REQUEST_ID_HEADER
                        + " may only contain printable ASCII characters without spaces");
            }
        }
        return new MqCommand.Identified(header, write);
    }

    /** Body of {@code PUT /topic}: {@code {"topic": str}}. */
    public static MqCommand.CreateTopic createTopic(byte[] body) throws BadRequestException {
        Map<String, String> fields = parseFlatObject(body, TOPIC_FIELDS);
        return new MqCommand.CreateTopic(topic(fields));
    }

    /** Body of {@code PUT /message}: {@code {"topic": str, "message": str}}. */
    public static MqCommand.PutMessage putMessage(byte[] body) throws BadRequestException {
        Map<String, String> fields = parseFlatObject(body, MESSAGE_FIELDS);
        String message = fields.get("message");
        if (message == null) {
            throw BadRequestException.badRequest("missing field \"message\"");
        }
        return new MqCommand.PutMessage(topic(fields), message);
    }

    /**
     * Checks a request's Content-Type: JSON bodies may come as {@code application/json} (with any
     * parameters, e.g. {@code charset=utf-8}), as an {@code application/...+json} type, or with no
     * Content-Type at all. {@code application/x-www-form-urlencoded} and {@code text/plain} are
     * accepted too, because they are what {@code curl -d} and Python's {@code urllib} send for a raw
     * body by default: refusing them would fail the most common hand-written clients while the body
     * is still checked as strict JSON. Anything else (XML, multipart, ...) is 415.
     */
    private static final List<String> LENIENT_TYPES = List.of("application/x-www-form-urlencoded", "text/plain");

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
        if (type.isEmpty() || type.equals("application/json") || LENIENT_TYPES.contains(type)
                || (type.startsWith("application/") && type.endsWith("+json"))) {
            return;
        }
        throw new BadRequestException(Replies.unsupportedMediaType(contentType, "application/json"));
    }

    /** Parses {@code {"name": "string", ...}} whose names are all in {@code allowed}. */
    private static Map<String, String> parseFlatObject(byte[] body, List<String> allowed)
            throws BadRequestException {
        return JsonBody.read(body, false, allowed,
                allowed.size() == 1 ? "expected only \"topic\"" : "expected only \"topic\" and \"message\"",
                JsonBody::string);
    }

    private static String topic(Map<String, String> fields) throws BadRequestException {
        String topic = fields.get("topic");
        if (topic == null) {
            throw BadRequestException.badRequest("missing field \"topic\"");
        }
        if (topic.isEmpty()) {
            throw BadRequestException.badRequest("\"topic\" must not be empty");
        }
        return topic;
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
}

package io.rrmq.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rrmq.mq.MqCommand;
import io.rrmq.server.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Strict parsing of the consumer endpoints' bodies and parameters (SPEC "Consumers"), with the rules
 * of {@link ApiRequests}: exactly one JSON object, only the documented fields, each of its type;
 * anything else is 400 and reaches no Raft node.
 */
public final class ConsumerRequests {
    /** Most messages in one {@code PUT /messages}. */
    public static final int MAX_BATCH = 1000;
    /** Most messages one receive hands out. */
    public static final int MAX_RECEIVE = 100;
    /** Longest visibility, in seconds (12 h, as SQS). */
    public static final long MAX_VISIBILITY_SECONDS = 43_200;
    public static final long DEFAULT_VISIBILITY_MILLIS = 30_000;
    /** Longest long-poll wait, in seconds. */
    public static final long MAX_WAIT_SECONDS = 20;
    /** Most receipts in one ack or nack. */
    public static final int MAX_RECEIPTS = 1000;
    /** Largest dead-letter threshold. */
    public static final int MAX_DELIVERIES = 1000;
    private static final Pattern RECEIPT = Pattern.compile("[0-9a-f]{32}");
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);

    private ConsumerRequests() {
    }

    /** A parsed receive: the command, and how long to wait (0: answer at once). */
    public record Receive(MqCommand.Receive command, long waitMillis) {
    }

    /** {@code PUT /messages}: {@code {"topic": str, "messages": [str, ...]}}, 1 to 1000 messages. */
    public static MqCommand.PutBatch putBatch(byte[] body) throws BadRequestException {
        Map<String, Object> fields = parse(body, List.of("topic", "messages"), false);
        String topic = topic(fields.get("topic"), "topic");
        List<String> messages = strings(fields.get("messages"), "messages");
        if (messages.isEmpty() || messages.size() > MAX_BATCH) {
            throw BadRequestException.badRequest("\"messages\" must hold 1 to " + MAX_BATCH + " messages");
        }
        return new MqCommand.PutBatch(topic, messages);
    }

    /** {@code POST /message/<topic>/receive}: {@code {"visibility": s, "max": n, "wait": s}}, all optional. */
    public static Receive receive(String topic, byte[] body) throws BadRequestException {
        Map<String, Object> fields = parse(body, List.of("visibility", "max", "wait"), true);
        long visibility = fields.containsKey("visibility")
                ? millis(fields.get("visibility"), "visibility", 1, MAX_VISIBILITY_SECONDS, false)
                : DEFAULT_VISIBILITY_MILLIS;
        long max = fields.containsKey("max") ? integer(fields.get("max"), "max", 1, MAX_RECEIVE) : 1;
        long wait = fields.containsKey("wait") ? millis(fields.get("wait"), "wait", 0, MAX_WAIT_SECONDS, false) : 0;
        return new Receive(new MqCommand.Receive(topic, (int) max, visibility), wait);
    }

    /** {@code POST /message/<topic>/ack} and {@code /nack}: {@code {"receipts": [str, ...]}}. */
    public static List<String> receipts(byte[] body) throws BadRequestException {
        Map<String, Object> fields = parse(body, List.of("receipts"), false);
        List<String> receipts = strings(fields.get("receipts"), "receipts");
        if (receipts.isEmpty() || receipts.size() > MAX_RECEIPTS) {
            throw BadRequestException.badRequest("\"receipts\" must hold 1 to " + MAX_RECEIPTS + " receipts");
        }
        for (String receipt : receipts) {
            if (!RECEIPT.matcher(receipt).matches()) {
                throw BadRequestException.badRequest("malformed receipt \"" + Replies.abbreviate(receipt)
                        + "\": a receipt is 32 lowercase hex digits");
            }
        }
        return receipts;
    }

    /** {@code PUT /topic/<topic>/policy}: {@code {"maxDeliveries": n, "deadLetterTopic": str}}. */
    public static MqCommand.SetPolicy policy(String topic, byte[] body) throws BadRequestException {
        Map<String, Object> fields = parse(body, List.of("maxDeliveries", "deadLetterTopic"), false);
        long max = integer(fields.get("maxDeliveries"), "maxDeliveries", 1, MAX_DELIVERIES);
        String deadLetters = topic(fields.get("deadLetterTopic"), "deadLetterTopic");
        if (deadLetters.equals(topic)) {
            throw BadRequestException.badRequest("a topic cannot be its own dead-letter topic");
        }
        return new MqCommand.SetPolicy(topic, (int) max, deadLetters);
    }

    /**
     * The {@code wait} query parameter of {@code GET /message/<topic>?wait=S}, in millis: 0 without
     * one; else decimal seconds with 0 &lt; S &lt;= 20.
     */
    public static long waitParameter(String query) throws BadRequestException {
        if (query == null || query.isEmpty()) {
            return 0;
        }
        String value = null;
        for (String pair : query.split("&", -1)) {
            if (pair.startsWith("wait=")) {
                if (value != null) {
                    throw BadRequestException.badRequest("\"wait\" given twice");
                }
                value = pair.substring("wait=".length());
            }
        }
        if (value == null) {
            return 0;
        }
        BigDecimal seconds;
        try {
            seconds = new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw BadRequestException.badRequest("\"wait\" must be a number of seconds, 0 < wait <= " + MAX_WAIT_SECONDS);
        }
        return millis(seconds, "wait", 0, MAX_WAIT_SECONDS, true);
    }

    private static long millis(Object value, String name, long min, long max, boolean exclusiveMin)
            throws BadRequestException {
        if (!(value instanceof BigDecimal seconds)) {
            throw BadRequestException.badRequest("\"" + name + "\" must be a number of seconds");
        }
        boolean low = exclusiveMin ? seconds.compareTo(BigDecimal.valueOf(min)) <= 0
                : seconds.compareTo(BigDecimal.valueOf(min)) < 0;
        if (low || seconds.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw BadRequestException.badRequest("\"" + name + "\" must be " + (exclusiveMin ? "over " : "at least ")
                    + min + " and at most " + max + " seconds");
        }
        return seconds.multiply(THOUSAND).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    }

    private static long integer(Object value, String name, long min, long max) throws BadRequestException {
        if (!(value instanceof BigDecimal number) || number.stripTrailingZeros().scale() > 0
                || number.compareTo(BigDecimal.valueOf(min)) < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw BadRequestException.badRequest("\"" + name + "\" must be a whole number from " + min + " to " + max);
        }
        return number.longValueExact();
    }

    private static String topic(Object value, String name) throws BadRequestException {
        if (!(value instanceof String s)) {
            throw BadRequestException.badRequest(value == null ? "missing field \"" + name + "\""
                    : "\"" + name + "\" must be a string");
        }
        if (s.isEmpty()) {
            throw BadRequestException.badRequest("\"" + name + "\" must not be empty");
        }
        return s;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object value, String name) throws BadRequestException {
        if (!(value instanceof List<?> list)) {
            throw BadRequestException.badRequest(value == null ? "missing field \"" + name + "\""
                    : "\"" + name + "\" must be a list of strings");
        }
        return (List<String>) list;
    }

    /**
     * Parses an object whose fields are all in {@code allowed}: strings, numbers (as BigDecimal) or
     * lists of strings. {@code emptyIsObject}: an empty body means {@code {}}.
     */
    private static Map<String, Object> parse(byte[] body, List<String> allowed, boolean emptyIsObject)
            throws BadRequestException {
        return JsonBody.read(body, emptyIsObject, allowed, "expected only " + allowed,
                (name, token, parser) -> value(parser, token, name));
    }

    private static Object value(JsonParser parser, JsonToken token, String name) throws IOException, BadRequestException {
        switch (token) {
            case VALUE_STRING:
                return JsonBody.wellFormed(parser.getText(), name);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return parser.getDecimalValue();
            case START_ARRAY:
                List<String> list = new ArrayList<>();
                JsonToken element;
                while ((element = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (element != JsonToken.VALUE_STRING) {
                        throw BadRequestException.badRequest("\"" + name + "\" must hold strings only, got "
                                + Json.describe(element));
                    }
                    list.add(JsonBody.wellFormed(parser.getText(), name));
                }
                return list;
            default:
                throw BadRequestException.badRequest("\"" + name + "\" cannot be " + Json.describe(token));
        }
    }

}

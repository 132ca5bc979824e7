package io.rrmq.server.http;

import io.rrmq.server.json.Json;
import io.undertow.io.Receiver;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The fixed bodies of the client API and the replies to protocol errors.
 *
 * <p>The success and failure bodies are exact ({@code {"success":true}}, {@code {"success":false}}):
 * tools compare them for equality, so the reason for a failure travels in the
 * {@value Reply#ERROR_HEADER} header. Replies to malformed requests (400, 404 for an unknown path,
 * 405, 413, 415) add an {@code "error"} text to the body for the human reading it.
 */
public final class Replies {
    static final byte[] SUCCESS = "{\"success\":true}".getBytes(StandardCharsets.UTF_8);
    static final byte[] FAILURE = "{\"success\":false}".getBytes(StandardCharsets.UTF_8);

    private Replies() {
    }

    /** 200 {@code {"success":true}}. */
    public static Reply success() {
        return Reply.of(200, SUCCESS);
    }

    /** 200 {@code {"success":true,"topics":[...]}}. */
    public static Reply topics(List<String> topics) {
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeArrayFieldStart("topics");
            for (String topic : topics) {
                json.writeString(topic);
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    /** 200 {@code {"success":true,"message":...}}. */
    public static Reply message(String message) {
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeStringField("message", message);
            json.writeEndObject();
        }));
    }

    /** 200 {@code {"success":true,"messages":[{"message":...,"receipt":...,"deliveries":n}, ...]}}. */
    public static Reply deliveries(List<io.rrmq.mq.MqResult.Delivery> deliveries) {
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeArrayFieldStart("messages");
            for (io.rrmq.mq.MqResult.Delivery d : deliveries) {
                json.writeStartObject();
                json.writeStringField("message", d.message());
                json.writeStringField("receipt", d.receipt());
                json.writeNumberField("deliveries", d.deliveries());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    /** 200 {@code {"success":true,"<field>":n}}. */
    public static Reply counted(String field, int count) {
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeNumberField(field, count);
            json.writeEndObject();
        }));
    }

    /** {@code status} with the exact body {@code {"success":false}} and a reason header. */
    public static Reply failure(int status, String reason) {
        return Reply.of(status, FAILURE).with(Reply.ERROR_HEADER, reason);
    }

    /** A protocol error: {@code {"success":false,"error":text}} and a reason header. */
    public static Reply protocolError(int status, String reason, String text) {
        return Reply.of(status, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", false);
            json.writeStringField("error", text);
            json.writeEndObject();
        })).with(Reply.ERROR_HEADER, reason);
    }

    public static Reply badRequest(String text) {
        return protocolError(400, "bad-request", text);
    }

    public static Reply notFound(String method, String path) {
        return protocolError(404, "no-such-endpoint", "no such endpoint: " + method + " "
                + abbreviate(path));
    }

    public static Reply methodNotAllowed(String method, String allow) {
        return protocolError(405, "method-not-allowed", "method " + method
                + " is not allowed here; allowed: " + allow).with("Allow", allow);
    }

    /** 413; the connection is closed afterwards, since the rest of the body is not read. */
    public static Reply tooLarge(long limit) {
        return tooLargeRead(limit).with("Connection", "close");
    }

    /** The reply when reading a body failed: too large, or the client went away mid-body. */
    public static Reply bodyReadFailed(IOException error, long limit) {
        if (error instanceof RequestTooBigException || error instanceof Receiver.RequestToLargeException) {
            return tooLarge(limit);
        }
        return badRequest("could not read the request body").with("Connection", "close");
    }

    /** 413 for a body that was read (and discarded) to its end: the connection stays usable. */
    public static Reply tooLargeRead(long limit) {
        return protocolError(413, "body-too-large", "request body is larger than " + limit + " bytes");
    }

    public static Reply unsupportedMediaType(String contentType, String expected) {
        return protocolError(415, "unsupported-media-type", "Content-Type " + abbreviate(contentType)
                + " is not supported; send " + expected);
    }

    /** 204 without a body (Raft transport only). */
    public static Reply noContent() {
        return Reply.of(204, new byte[0]);
    }

    static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}

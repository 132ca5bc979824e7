package io.rrmq.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * One REST call of the RRMQ API, independent of the node it goes to.
 *
 * @param method    HTTP method
 * @param path      path with the topic already percent-encoded
 * @param jsonBody  request body, or {@code null}
 * @param requestId the {@code X-RRMQ-Request-Id} sent on every attempt of a write, so that the
 *                  server can answer a retry with the original result; {@code null} for reads
 */
public record ApiRequest(String method, String path, String jsonBody, String requestId) {
    public static final String REQUEST_ID_HEADER = "X-RRMQ-Request-Id";
    /** The server's limit on a request body (README, status 413). */
    public static final int MAX_BODY_BYTES = 1 << 20;

    public ApiRequest {
        Objects.requireNonNull(method);
        Objects.requireNonNull(path);
    }

    /** The body's size in bytes as sent (UTF-8). */
    public int bodyBytes() {
        return jsonBody == null ? 0 : jsonBody.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /** A write changes state: an attempt that got no definite answer leaves the outcome unknown. */
    public boolean isWrite() {
        return requestId != null;
    }

    public static String newRequestId() {
        return UUID.randomUUID().toString();
    }

    public static ApiRequest createTopic(String topic, String requestId) {
        return new ApiRequest("PUT", "/topic", "{\"topic\":" + quote(topic) + "}", requestId);
    }

    public static ApiRequest putMessage(String topic, String message, String requestId) {
        return new ApiRequest("PUT", "/message", "{\"topic\":" + quote(topic) + ",\"message\":" + quote(message) + "}",
                requestId);
    }

    public static ApiRequest popMessage(String topic, String requestId) {
        return new ApiRequest("GET", "/message/" + encodePathSegment(topic), null, requestId);
    }

    /** {@code GET /message/<topic>?wait=S}: a pop held by the server up to {@code waitSeconds}. */
    public static ApiRequest popMessage(String topic, String requestId, String waitSeconds) {
        return new ApiRequest("GET", "/message/" + encodePathSegment(topic) + "?wait=" + waitSeconds, null, requestId);
    }

    /** {@code PUT /messages}. */
    public static ApiRequest putBatch(String topic, java.util.List<String> messages, String requestId) {
        StringBuilder body = new StringBuilder("{\"topic\":").append(quote(topic)).append(",\"messages\":[");
        for (int i = 0; i < messages.size(); i++) {
            body.append(i == 0 ? "" : ",").append(quote(messages.get(i)));
        }
        return new ApiRequest("PUT", "/messages", body.append("]}").toString(), requestId);
    }

    /** {@code POST /message/<topic>/receive}. */
    public static ApiRequest receive(String topic, int max, String visibilitySeconds, String waitSeconds, String requestId) {
        return new ApiRequest("POST", "/message/" + encodePathSegment(topic) + "/receive",
                "{\"max\":" + max + ",\"visibility\":" + visibilitySeconds + ",\"wait\":" + waitSeconds + "}", requestId);
    }

    /** {@code POST /message/<topic>/ack} or {@code /nack}. */
    public static ApiRequest endDeliveries(String topic, String op, java.util.List<String> receipts, String requestId) {
        StringBuilder body = new StringBuilder("{\"receipts\":[");
        for (int i = 0; i < receipts.size(); i++) {
            body.append(i == 0 ? "" : ",").append(quote(receipts.get(i)));
        }
        return new ApiRequest("POST", "/message/" + encodePathSegment(topic) + "/" + op, body.append("]}").toString(),
                requestId);
    }

    public static ApiRequest listTopics() {
        return new ApiRequest("GET", "/topic", null, null);
    }

    public static ApiRequest listMembers() {
        return new ApiRequest("GET", "/cluster/members", null, null);
    }

    public static ApiRequest addMember(String url) {
        return new ApiRequest("POST", "/cluster/members", "{\"url\":" + quote(url) + "}", null);
    }

    public static ApiRequest removeMember(int id) {
        return new ApiRequest("DELETE", "/cluster/members/" + id, null, null);
    }

    /** Leadership transfer to {@code id}, or to the most up-to-date voter when {@code id} is negative. */
    public static ApiRequest transferLeadership(int id) {
        return new ApiRequest("POST", "/cluster/leader", id < 0 ? null : "{\"id\":" + id + "}", null);
    }

    /** A JSON string literal. */
    static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    /** Percent-encodes a topic as one path segment (space as {@code %20}; the server URL-decodes it). */
    public static String encodePathSegment(String topic) {
        return URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20");
    }
}

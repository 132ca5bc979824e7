package io.rrmq.server.http;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP answer before it is written: status, extra headers and a JSON body (empty only for 204).
 * Values are built by {@link Replies} and {@link OutcomeMapper} and written by {@link Exchanges}.
 *
 * @param status  HTTP status code
 * @param headers extra response headers, in insertion order (Content-Type is added when written)
 * @param body    UTF-8 JSON
 */
public record Reply(int status, Map<String, String> headers, byte[] body) {

    public static final String ERROR_HEADER = "X-RRMQ-Error";
    public static final String LEADER_HEADER = "X-RRMQ-Leader";
    /** Request header: the client's id for a write, which makes its retries safe. */
    public static final String REQUEST_ID_HEADER = "X-RRMQ-Request-Id";
    /** Reply header, {@code true} when the reply is the remembered result of an earlier attempt. */
    public static final String REPLAYED_HEADER = "X-RRMQ-Replayed";

    public Reply {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    static Reply of(int status, byte[] body) {
        return new Reply(status, Map.of(), body);
    }

    /** This reply with one more header. */
    public Reply with(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, h, body);
    }

    /** The short failure reason from {@value #ERROR_HEADER}, or {@code null}. */
    public String error() {
        return headers.get(ERROR_HEADER);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Reply[" + status + " " + headers + " " + bodyText() + "]";
    }
}

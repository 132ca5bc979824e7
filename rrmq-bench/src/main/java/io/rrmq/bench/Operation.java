package io.rrmq.bench;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** What one request of a run does, and how its reply status is judged. */
enum Operation {
    /** RRMQ {@code PUT /message}. */
    PUT,
    /** RRMQ {@code GET /message/<topic>} (a pop); an empty queue counts as an error. */
    GET,
    /** RRMQ, alternating put and pop on each connection. */
    MIXED,
    /** RRMQ {@code GET /topic}: a linearizable read. */
    TOPICS,
    /** etcd v3 {@code POST /v3/kv/put} through its JSON gateway: the peer we compare with. */
    ETCD_PUT;

    /** Whether every request of a connection is the same bytes (all but etcd's, which vary the key). */
    boolean isFixed() {
        return this != ETCD_PUT;
    }

    /** The request for the {@code seq}-th operation of a connection. */
    byte[] request(URI host, String topic, String payload, long seq) {
        Operation op = this == MIXED ? (seq % 2 == 0 ? PUT : GET) : this;
        return switch (op) {
            case PUT -> HttpConnection.request("PUT", "/message", host, "application/json",
                    ("{\"topic\":\"" + topic + "\",\"message\":\"" + payload + "\"}").getBytes(StandardCharsets.UTF_8));
            case GET -> HttpConnection.request("GET", "/message/" + topic, host, null, null);
            case TOPICS -> HttpConnection.request("GET", "/topic", host, null, null);
            case ETCD_PUT -> HttpConnection.request("POST", "/v3/kv/put", host, "application/json",
                    ("{\"key\":\"" + base64(topic + "/" + seq) + "\",\"value\":\"" + base64(payload) + "\"}")
                            .getBytes(StandardCharsets.UTF_8));
            default -> throw new IllegalStateException("unreachable");
        };
    }

    /** Whether this target follows RRMQ's leader hints and needs topics. */
    boolean isRrmq() {
        return this != ETCD_PUT;
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}

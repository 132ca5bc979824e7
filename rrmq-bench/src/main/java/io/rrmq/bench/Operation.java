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
    /** RRMQ {@code PUT /messages}: a batch of {@code --batch} messages in one request (one log entry). */
    PUT_BATCH,
    /**
     * RRMQ at-least-once consumption: {@code POST /message/<topic>/receive} of one message, then
     * {@code POST .../ack} of its receipt; one operation is the pair. Nothing received is a failure
     * counted under status 204.
     */
    RECEIVE_ACK,
    /**
     * RRMQ long-poll consumer: {@code GET /message/<topic>?wait=5}; one operation is a message
     * received. Run it beside a producer (another rrmq-bench with {@code --op put}): an empty wait
     * counts as a failure under status 404.
     */
    LONG_POLL,
    /** RRMQ {@code GET /topic}: a linearizable read. */
    TOPICS,
    /** etcd v3 {@code POST /v3/kv/put} through its JSON gateway: the peer we compare with. */
    ETCD_PUT,
    /**
     * NATS JetStream: {@code --batch} messages published back to back on one connection, then
     * their acknowledgements awaited; the peer batch puts are compared with ({@link NatsConnection}).
     */
    NATS_BATCH;

    /**
     * Whether every request of a connection is the same HTTP bytes (not etcd's, which vary the key;
     * not NATS's, which is no HTTP).
     */
    boolean isFixed() {
        return this != ETCD_PUT && this != NATS_BATCH;
    }

    /** Messages one successful operation moves: the batch for batch puts, else one. */
    int messagesPerOperation(int batch) {
        return this == PUT_BATCH || this == NATS_BATCH ? batch : 1;
    }

    /** The request for the {@code seq}-th operation of a connection (a receive, for RECEIVE_ACK). */
    byte[] request(URI host, String topic, String payload, int batch, long seq) {
        Operation op = this == MIXED ? (seq % 2 == 0 ? PUT : GET) : this;
        return switch (op) {
            case PUT_BATCH -> HttpConnection.request("PUT", "/messages", host, "application/json",
                    batchBody(topic, payload, batch));
            case RECEIVE_ACK -> HttpConnection.request("POST", "/message/" + topic + "/receive", host,
                    "application/json", "{\"max\":1,\"visibility\":60}".getBytes(StandardCharsets.UTF_8));
            case LONG_POLL -> HttpConnection.request("GET", "/message/" + topic + "?wait=5", host, null, null);
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

    /** The acknowledgement of a received message with {@code receipt}. */
    static byte[] ack(URI host, String topic, String receipt) {
        return HttpConnection.request("POST", "/message/" + topic + "/ack", host, "application/json",
                ("{\"receipts\":[\"" + receipt + "\"]}").getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] batchBody(String topic, String payload, int batch) {
        StringBuilder body = new StringBuilder(batch * (payload.length() + 3) + 64)
                .append("{\"topic\":\"").append(topic).append("\",\"messages\":[");
        for (int i = 0; i < batch; i++) {
            body.append(i == 0 ? "\"" : ",\"").append(payload).append('"');
        }
        return body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Whether this target follows RRMQ's leader hints and needs topics. */
    boolean isRrmq() {
        return this != ETCD_PUT && this != NATS_BATCH;
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}

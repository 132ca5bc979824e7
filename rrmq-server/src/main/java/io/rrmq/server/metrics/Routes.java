package io.rrmq.server.metrics;

/**
 * The bounded set of route labels for HTTP metrics: a topic in a path never becomes a label value,
 * so {@code rrmq_http_requests_total} has at most {@code routes x status codes} series however
 * many topics exist.
 */
public final class Routes {
    static final String[] NAMES = {
        "/", "/status", "/topic", "/topic/{topic}", "/message", "/messages", "/message/{topic}",
        "/message/{topic}/receive", "/message/{topic}/ack", "/message/{topic}/nack", "/raft", "/metrics",
        "/livez", "/readyz", "/ui", "/cluster", "other",
    };
    static final int ROOT = 0;
    static final int STATUS = 1;
    static final int TOPIC = 2;
    static final int TOPIC_SUB = 3;
    /** {@code PUT /message}: one put. */
    static final int MESSAGE = 4;
    static final int MESSAGES = 5;
    /** {@code GET /message/<topic>}: one pop. */
    static final int POP = 6;
    static final int RECEIVE = 7;
    static final int ACK = 8;
    static final int NACK = 9;
    static final int RAFT = 10;
    static final int METRICS = 11;
    static final int LIVEZ = 12;
    static final int READYZ = 13;
    static final int UI = 14;
    static final int CLUSTER = 15;
    static final int OTHER = 16;

    private Routes() {
    }

    /** The route of a request path (raw, not decoded); never allocates. */
    static int of(String path) {
        switch (path) {
            case "/": return ROOT;
            case "/status": return STATUS;
            case "/topic": return TOPIC;
            case "/message": return MESSAGE;
            case "/messages": return MESSAGES;
            case "/raft": return RAFT;
            case "/metrics": return METRICS;
            case "/livez": return LIVEZ;
            case "/readyz": return READYZ;
            case "/ui": return UI;
            default:
                break;
        }
        if (path.startsWith("/message/")) {
            if (path.endsWith("/receive")) {
                return RECEIVE;
            } else if (path.endsWith("/ack")) {
                return ACK;
            } else if (path.endsWith("/nack")) {
                return NACK;
            }
            return POP;
        }
        if (path.startsWith("/topic/")) {
            return TOPIC_SUB;
        }
        if (path.startsWith("/ui/")) {
            return UI;
        }
        if (path.startsWith("/cluster/")) {
            return CLUSTER;
        }
        return OTHER;
    }

    /** The label value of route {@code index}. */
    static String name(int index) {
        return NAMES[index];
    }
}

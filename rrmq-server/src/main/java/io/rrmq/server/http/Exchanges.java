package io.rrmq.server.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes {@link Reply}s to Undertow exchanges. */
public final class Exchanges {
    private static final Logger log = LoggerFactory.getLogger(Exchanges.class);
    private static final String JSON = "application/json";

    private Exchanges() {
    }

    /**
     * Writes {@code reply} and ends the exchange. Safe to call from any thread once the exchange is
     * dispatched (or from the I/O thread inside the handler): the write is non-blocking, and Undertow
     * finishes it on the I/O thread if the socket is not ready. Cheapest on the exchange's I/O thread,
     * where ending it needs no handover of the connection (see {@code ApiHandler.propose}). Never
     * throws: a client that went away is not our error.
     */
    public static void send(HttpServerExchange exchange, Reply reply) {
        try {
            if (exchange.isResponseStarted()) {
                return;
            }
            exchange.setStatusCode(reply.status());
            HeaderMap headers = exchange.getResponseHeaders();
            for (Map.Entry<String, String> h : reply.headers().entrySet()) {
                if (h.getKey().equalsIgnoreCase("Connection")) {
                    if (h.getValue().equalsIgnoreCase("close")) {
                        exchange.setPersistent(false);
                    }
                } else {
                    headers.put(HttpString.tryFromString(h.getKey()), h.getValue());
                }
            }
            if (reply.body().length == 0) {
                exchange.endExchange();
                return;
            }
            headers.put(Headers.CONTENT_TYPE, JSON);
            exchange.getResponseSender().send(ByteBuffer.wrap(reply.body()));
        } catch (RuntimeException e) {
            log.debug("could not send reply {}", reply, e);
            exchange.endExchange();
        }
    }
}

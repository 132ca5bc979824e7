package io.rrmq.server.http;

import io.undertow.server.HttpServerExchange;
import java.io.ByteArrayOutputStream;

/**
 * Reads a request body of at most {@code limit} bytes, asynchronously on the I/O thread.
 *
 * <p>A body over the limit is still read to its end, up to {@code drainLimit}, and discarded, so
 * that the 413 reaches a client that is still sending and the connection stays usable. Replying at
 * once and closing instead leaves the unread body in the socket; the kernel then answers it with a
 * reset, which often destroys the 413 before the client has read it, and the client sees a lost
 * connection (an unknown outcome) instead of a definite refusal. Past {@code drainLimit} the
 * connection is closed after the 413: a client sending that much is not worth waiting for.
 *
 * <p>Confined to the exchange's I/O thread, as Undertow calls the receiver there.
 */
final class BoundedBody {
    /** What to do with a complete body within the limit. */
    @FunctionalInterface
    interface Consumer {
        void accept(HttpServerExchange exchange, byte[] body);
    }

    private final int limit;
    private final long drainLimit;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream(256);
    private long received;
    private boolean answered;

    private BoundedBody(int limit, long drainLimit) {
        this.limit = limit;
        this.drainLimit = drainLimit;
    }

    /**
     * Reads the body of {@code exchange}, then hands it to {@code consumer}; answers 413 itself when
     * it is over {@code limit}, and 400 when the client goes away mid-body.
     */
    static void read(HttpServerExchange exchange, int limit, long drainAtMost, Consumer consumer) {
        long drainLimit = Math.max(drainAtMost, limit); // a body within the limit is never cut short
        if (exchange.getRequestContentLength() > drainLimit) {
            Exchanges.send(exchange, Replies.tooLarge(limit));
            return;
        }
        BoundedBody body = new BoundedBody(limit, drainLimit);
        exchange.getRequestReceiver().receivePartialBytes(
                (ex, chunk, last) -> body.take(ex, chunk, last, consumer),
                (ex, error) -> Exchanges.send(ex, Replies.bodyReadFailed(error, limit)));
    }

    private void take(HttpServerExchange exchange, byte[] chunk, boolean last, Consumer consumer) {
        if (answered) {
            return;
        }
        received += chunk.length;
        if (received <= limit) {
            kept.writeBytes(chunk);
        } else if (received > drainLimit) {
            answered = true;
            Exchanges.send(exchange, Replies.tooLarge(limit));
            return;
        }
        if (last) {
            answered = true;
            if (received > limit) {
                Exchanges.send(exchange, Replies.tooLargeRead(limit));
            } else {
                consumer.accept(exchange, kept.toByteArray());
            }
        }
    }
}

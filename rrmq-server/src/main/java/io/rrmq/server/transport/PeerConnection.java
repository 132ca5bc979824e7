package io.rrmq.server.transport;

import io.rrmq.server.security.PeerAuthenticator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP/1.1 client for {@code POST /raft} to one peer: one keep-alive connection, one
 * request at a time, every step bounded by a deadline.
 *
 * <p>Why not {@link java.net.http.HttpClient}: building one initializes the JDK's TLS machinery even
 * for plain HTTP (a few hundred milliseconds of start-up on a small machine, when a node must be
 * electing a leader within a second) and brings a selector thread and an executor. Here the sender
 * thread that owns this connection does all the work itself, with a private {@link Selector} so
 * that connect, write and read each honour the deadline (a blocking socket cannot time out a write
 * to a stopped peer).
 *
 * <p>Every request says it takes messages in the reply ({@value RaftMessageHandler#REPLIES_HEADER}):
 * a peer may answer a heartbeat with {@code 200} and its own messages for this node in the body
 * (see {@link ReplyHolds}), which {@link #post} returns; other bodies are read and dropped.
 *
 * <p>Not thread-safe: used by its {@link PeerSender}'s thread only. Understands exactly the replies
 * {@link RaftMessageHandler} (via Undertow) sends: a status line, headers, and a body framed by
 * {@code Content-Length} or absent. Any other framing closes the connection after the head.
 */
final class PeerConnection implements BatchSink, AutoCloseable {
    private static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    /** Messages sent back in a reply are a few responses; anything larger is not from a peer. */
    static final int MAX_REPLY_BODY_BYTES = 1 << 20;
    private static final String SIGNATURE_HEADER = PeerAuthenticator.HEADER.toLowerCase(Locale.ROOT);

    private final String host;
    private final int port;
    private final byte[] requestHeadPrefix;
    /** The value of the signature header for a body. */
    private final Function<byte[], String> signer;
    private final long connectTimeoutNanos;
    private final long requestTimeoutNanos;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(MAX_HEAD_BYTES);

    private Selector selector;
    private SocketChannel channel;
    private SelectionKey key;

    /**
     * @param host host name or address (an IPv6 literal may keep its brackets)
     * @param path   the request path, {@code /raft}
     * @param signer the {@value PeerAuthenticator#HEADER} value for a body
     */
    PeerConnection(String host, int port, String path, Duration connectTimeout, Duration requestTimeout,
                   Function<byte[], String> signer) {
        this.host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        this.port = port;
        this.signer = signer;
        this.requestHeadPrefix = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nContent-Type: " + RaftMessageHandler.CONTENT_TYPE
                + "\r\n" + RaftMessageHandler.REPLIES_HEADER + ": " + RaftMessageHandler.REPLIES_INLINE
                + "\r\n" + PeerAuthenticator.HEADER + ": ")
                .getBytes(StandardCharsets.ISO_8859_1);
        this.connectTimeoutNanos = connectTimeout.toNanos();
        this.requestTimeoutNanos = requestTimeout.toNanos();
    }

    /**
     * POSTs {@code body} and returns the peer's reply. A kept-alive connection the peer closed meanwhile
     * (it restarted, or its idle timeout fired) fails before any reply byte; that case is retried
     * once on a fresh connection, which is harmless since Raft messages may be duplicated.
     */
    @Override
    public PeerReply post(byte[] body) throws IOException, InterruptedException {
        boolean reused = channel != null;
        try {
            return exchange(body);
        } catch (StaleConnectionException e) {
            closeChannel();
            if (!reused) {
                throw e;
            }
            try {
                return exchange(body);
            } catch (IOException retryFailure) {
                closeChannel();
                throw retryFailure;
            }
        } catch (ClosedByInterruptException e) {
            closeChannel();
            throw new InterruptedException("interrupted while sending to " + host + ":" + port);
        } catch (IOException e) {
            closeChannel();
            throw e;
        }
    }

    /** The connection failed before the peer sent a single byte of its reply. */
    private static final class StaleConnectionException extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnectionException(String message) {
            super(message);
        }
    }

    private PeerReply exchange(byte[] body) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + requestTimeoutNanos;
        if (channel == null) {
            connect(Math.min(deadline, System.nanoTime() + connectTimeoutNanos));
        }
        // Signed per exchange: a retry on a fresh connection carries a fresh time.
        byte[] length = (signer.apply(body) + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer[] request = {ByteBuffer.wrap(requestHeadPrefix), ByteBuffer.wrap(length),
                ByteBuffer.wrap(body)};
        while (request[2].hasRemaining() || request[1].hasRemaining() || request[0].hasRemaining()) {
            long written;
            try {
                written = channel.write(request);
            } catch (ClosedByInterruptException e) {
                throw e;
            } catch (IOException e) {
                throw new StaleConnectionException("write failed: " + e.getMessage());
            }
            if (written == 0) {
                await(SelectionKey.OP_WRITE, deadline, "sending");
            }
        }
        return readResponse(deadline);
    }

    private void connect(long deadline) throws IOException, InterruptedException {
        if (selector == null) {
            selector = Selector.open();
        }
        SocketChannel ch = SocketChannel.open();
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            channel = ch;
            key = ch.register(selector, 0);
            if (!ch.connect(new InetSocketAddress(host, port))) {
                while (!ch.finishConnect()) {
                    await(SelectionKey.OP_CONNECT, deadline, "connecting");
                }
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            closeChannel();
            throw e;
        }
    }

    /** Reads the status line and headers, then a Content-Length body: kept if it carries messages. */
    private PeerReply readResponse(long deadline) throws IOException, InterruptedException {
        readBuffer.clear();
        int headEnd;
        while (true) {
            int n = readSome(deadline, readBuffer.position() == 0);
            if (n > 0 && (headEnd = indexOf(readBuffer, HEAD_END)) >= 0) {
                break;
            }
            if (!readBuffer.hasRemaining()) {
                throw new IOException("reply head larger than " + MAX_HEAD_BYTES + " bytes");
            }
        }
        String head = new String(readBuffer.array(), 0, headEnd, StandardCharsets.ISO_8859_1);
        int bodyStart = headEnd + HEAD_END.length;
        int alreadyRead = readBuffer.position() - bodyStart;

        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x reply: " + lines[0]);
        }
        int status;
        try {
            status = Integer.parseInt(statusLine[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + lines[0]);
        }
        long contentLength = -1;
        boolean keepAlive = !statusLine[0].equals("HTTP/1.0");
        boolean otherFraming = false;
        String signature = null;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            if (name.equals("content-length")) {
                try {
                    contentLength = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length: " + value);
                }
            } else if (name.equals("connection")) {
                keepAlive = !value.toLowerCase(Locale.ROOT).contains("close");
            } else if (name.equals("transfer-encoding")) {
                otherFraming = true;
            } else if (name.equals(SIGNATURE_HEADER)) {
                signature = value;
            }
        }
        boolean noBody = status == 204 || status == 304 || status / 100 == 1;
        if (noBody) {
            contentLength = 0;
        }
        if (otherFraming || contentLength < 0) {
            closeChannel(); // body framed in a way we do not parse: forget the connection
            return PeerReply.of(status);
        }
        if (status == 200 && contentLength > 0) {
            PeerReply reply = new PeerReply(status, signature, readBody(contentLength, bodyStart, alreadyRead, deadline));
            if (!keepAlive) {
                closeChannel();
            }
            return reply;
        }
        long remaining = contentLength - alreadyRead;
        while (remaining > 0) {
            readBuffer.clear();
            if (readBuffer.remaining() > remaining) {
                readBuffer.limit((int) remaining);
            }
            remaining -= readSome(deadline, false);
        }
        if (!keepAlive) {
            closeChannel();
        }
        return PeerReply.of(status);
    }

    /** Reads a reply body of {@code length} bytes, of which {@code alreadyRead} came with the head. */
    private byte[] readBody(long length, int bodyStart, int alreadyRead, long deadline)
            throws IOException, InterruptedException {
        if (length > MAX_REPLY_BODY_BYTES || alreadyRead > length) {
            throw new IOException("reply body of " + length + " bytes, more than a peer sends back");
        }
        byte[] body = new byte[(int) length];
        System.arraycopy(readBuffer.array(), bodyStart, body, 0, alreadyRead);
        int filled = alreadyRead;
        while (filled < body.length) {
            readBuffer.clear();
            readBuffer.limit(Math.min(readBuffer.capacity(), body.length - filled));
            int n = readSome(deadline, false);
            System.arraycopy(readBuffer.array(), 0, body, filled, n);
            filled += n;
        }
        return body;
    }

    /** Reads at least one byte into {@link #readBuffer}, waiting until {@code deadline}. */
    private int readSome(long deadline, boolean nothingYet) throws IOException, InterruptedException {
        while (true) {
            int n;
            try {
                n = channel.read(readBuffer);
            } catch (ClosedByInterruptException e) {
                throw e;
            } catch (IOException e) {
                if (nothingYet) {
                    throw new StaleConnectionException("read failed: " + e.getMessage());
                }
                throw e;
            }
            if (n > 0) {
                return n;
            }
            if (n < 0) {
                if (nothingYet) {
                    throw new StaleConnectionException("connection closed before the reply");
                }
                throw new IOException("connection closed in the middle of the reply");
            }
            await(SelectionKey.OP_READ, deadline, "waiting for the reply");
        }
    }

    private void await(int op, long deadline, String doing) throws IOException, InterruptedException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new SocketTimeoutException("timed out " + doing);
        }
        key.interestOps(op);
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        selector.selectedKeys().clear();
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    private static int indexOf(ByteBuffer buffer, byte[] pattern) {
        byte[] a = buffer.array();
        int end = buffer.position() - pattern.length;
        outer:
        for (int i = 0; i <= end; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (a[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private void closeChannel() {
        if (key != null) {
            key.cancel();
            key = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
            channel = null;
        }
    }

    /** True while a kept-alive connection is open (for tests). */
    boolean isConnected() {
        return channel != null;
    }

    @Override
    public void close() {
        closeChannel();
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            selector = null;
        }
    }
}

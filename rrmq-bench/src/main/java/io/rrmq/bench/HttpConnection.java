package io.rrmq.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection with one request in flight, on a blocking socket with
 * TCP_NODELAY.
 *
 * <p>Why not the JDK's HttpClient: a load generator shares the machine's cores with the servers it
 * measures, so it must cost as little as possible per request. This client does one write and a
 * few reads per request on the calling thread, with no thread hand-off and almost no allocation,
 * like wrk does; it understands exactly what the two servers it drives send (Content-Length or
 * chunked bodies).
 */
final class HttpConnection implements AutoCloseable {
    /**
     * What came back: the status, the one header a client of RRMQ needs (the leader hint) and, when
     * asked for, the body ({@code null} otherwise).
     */
    record Response(int status, String leaderHint, String body) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final CrlfLines lines;

    HttpConnection(URI base, int timeoutMillis) throws IOException {
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(timeoutMillis);
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), timeoutMillis);
        this.out = socket.getOutputStream();
        this.in = new BufferedInputStream(socket.getInputStream(), 16 << 10);
        this.lines = new CrlfLines(in);
    }

    /** The bytes of a request to this connection's host; {@code body} may be {@code null}. */
    static byte[] request(String method, String path, URI host, String contentType, byte[] body) {
        StringBuilder head = new StringBuilder(128).append(method).append(' ').append(path)
                .append(" HTTP/1.1\r\nHost: ").append(host.getHost()).append(':').append(host.getPort())
                .append("\r\n");
        if (body != null) {
            head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ")
                    .append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        if (body == null) {
            return headBytes;
        }
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        return all;
    }

    /** Sends one request and reads the whole response (its body is discarded). */
    Response exchange(byte[] request) throws IOException {
        return exchange(request, false);
    }

    /** Sends one request and reads the whole response, keeping its body if {@code keepBody}. */
    Response exchange(byte[] request, boolean keepBody) throws IOException {
        out.write(request);
        out.flush();
        String statusLine = readLine();
        if (!statusLine.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean close = false;
        String leader = null;
        String header;
        while (!(header = readLine()).isEmpty()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                case "x-rrmq-leader" -> leader = value;
                default -> { }
            }
        }
        ByteArrayOutputStream body = keepBody ? new ByteArrayOutputStream() : null;
        if (chunked) {
            skipChunked(body);
        } else if (contentLength >= 0) {
            skip(contentLength, body);
        } else {
            throw new IOException("response without a length");
        }
        if (close) {
            throw new IOException("server closed the connection after status " + status);
        }
        return new Response(status, leader, body == null ? null : body.toString(StandardCharsets.UTF_8));
    }

    private void skipChunked(ByteArrayOutputStream body) throws IOException {
        while (true) {
            String size = readLine();
            int semicolon = size.indexOf(';');
            long length = Long.parseLong((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
            if (length == 0) {
                while (!readLine().isEmpty()) {
                    // trailers
                }
                return;
            }
            skip(length, body);
            readLine();
        }
    }

    /** Reads {@code length} body bytes, into {@code body} if it is not {@code null}. */
    private void skip(long length, ByteArrayOutputStream body) throws IOException {
        if (body != null) {
            byte[] bytes = in.readNBytes((int) length);
            if (bytes.length < length) {
                throw new EOFException("connection closed mid-body");
            }
            body.write(bytes);
            return;
        }
        long left = length;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("connection closed mid-body");
                }
                skipped = 1;
            }
            left -= skipped;
        }
    }

    private String readLine() throws IOException {
        return lines.next();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do: the connection is being dropped
        }
    }
}

package io.rrmq.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 exchange with one node on a connection of its own: no pool, no retries, nothing
 * resent behind the caller's back. Every retry is {@link ClusterClient}'s, with its request id.
 *
 * <p>Why not the JDK's {@code java.net.http.HttpClient}: building one initialises the default TLS
 * context (the JDK's CA store and JSSE, about 1,000 classes) even for {@code http://} nodes and
 * starts a selector thread; that was more than half of a short command's run time (BENCHMARKS.md,
 * "CLI start-up"). Nor {@code HttpURLConnection}: it resends a request whose reply head failed to
 * arrive (for a GET, which pops a message here), and it cannot be told not to. What RRMQ's API
 * needs of HTTP/1.1 is small: a request with {@code Content-Length}, a reply framed by
 * {@code Content-Length}, {@code chunked} or the end of the connection. TLS ({@code https://}) goes
 * through an {@link SSLSocket} that checks the node's certificate names the host dialled, as an
 * HTTPS client must (RFC 2818).
 *
 * <p>Failures come in two kinds, because they mean different things for a write: {@link
 * NotSentException} (no connection, or the TLS handshake failed: nothing reached the node) and any
 * other {@link IOException} (the request may have been received; {@link SocketTimeoutException} when
 * the reply did not come in time).
 */
public final class HttpExchanger {
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    /** A reply: status, the headers' first values (names compared ignoring case), body as UTF-8 text. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public Reply {
            TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            copy.putAll(headers);
            headers = Collections.unmodifiableMap(copy);
        }

        /** The header's first value, or null. */
        public String header(String name) {
            return headers.get(name);
        }
    }

    /** Nothing was sent: the connection could not be opened or the TLS handshake failed. */
    public static final class NotSentException extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean tlsHandshake;

        NotSentException(IOException cause, boolean tlsHandshake) {
            super(cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage(), cause);
            this.tlsHandshake = tlsHandshake;
        }

        /** Whether the TLS handshake failed (rather than the connection). */
        public boolean tlsHandshake() {
            return tlsHandshake;
        }
    }

    private final Duration connectTimeout;
    /** For {@code https://} nodes ({@code --cacert}); null: the JDK's default, built only if used. */
    private final SSLContext tls;

    public HttpExchanger(Duration connectTimeout, SSLContext tls) {
        this.connectTimeout = connectTimeout;
        this.tls = tls;
    }

    /**
     * Sends {@code method path} with {@code headers} and {@code body} (null: none) to {@code node}
     * and reads the whole reply, all within {@code timeout} from now (connecting included).
     *
     * @param path the request target, already percent-encoded, starting with {@code /}
     * @throws NotSentException nothing reached the node
     * @throws IOException      the request may have reached the node: its outcome is unknown
     */
    public Reply exchange(URI node, String method, String path, Map<String, String> headers, byte[] body,
                          Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean https = "https".equalsIgnoreCase(node.getScheme());
        String host = node.getHost().startsWith("[") ? node.getHost().substring(1, node.getHost().length() - 1)
                : node.getHost();
        Socket socket = new Socket();
        try (socket) {
            Socket stream = socket;
            try {
                socket.connect(new InetSocketAddress(host, node.getPort()),
                        millis(Math.min(connectTimeout.toNanos(), remaining(deadline))));
                socket.setTcpNoDelay(true);
                if (https) {
                    SSLSocket ssl = (SSLSocket) tlsContext().getSocketFactory()
                            .createSocket(socket, host, node.getPort(), true);
                    SSLParameters parameters = ssl.getSSLParameters();
                    parameters.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.setSSLParameters(parameters);
                    ssl.setSoTimeout(millis(remaining(deadline)));
                    ssl.startHandshake();
                    stream = ssl;
                }
            } catch (javax.net.ssl.SSLException e) {
                throw new NotSentException(e, true);
            } catch (IOException e) {
                throw new NotSentException(e, false);
            }
            byte[] content = body != null ? body : method.equals("PUT") || method.equals("POST") ? new byte[0] : null;
            StringBuilder head = new StringBuilder(256).append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(node.getRawAuthority()).append("\r\n")
                    .append("Connection: close\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            if (content != null) {
                head.append("Content-Length: ").append(content.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = stream.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (content != null) {
                out.write(content);
            }
            out.flush();
            return read(stream, new BufferedInputStream(stream.getInputStream()), deadline, method.equals("HEAD"));
        }
    }

    private SSLContext tlsContext() throws IOException {
        if (tls != null) {
            return tls;
        }
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context", e);
        }
    }

    private static Reply read(Socket socket, InputStream in, long deadline, boolean headOnly) throws IOException {
        socket.setSoTimeout(millis(remaining(deadline)));
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x reply: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + statusLine, e);
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int headBytes = statusLine.length();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            headBytes += line.length();
            if (headBytes > MAX_HEAD_BYTES) {
                throw new IOException("reply head larger than " + MAX_HEAD_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = headers.get("Content-Length");
        String encoding = headers.getOrDefault("Transfer-Encoding", "").toLowerCase(Locale.ROOT);
        if (headOnly || status == 204 || status == 304 || status / 100 == 1) {
            // no body
        } else if (encoding.contains("chunked")) {
            for (long size = chunkSize(line(in)); size > 0; size = chunkSize(line(in))) {
                copy(socket, in, body, size, deadline);
                line(in); // the CRLF after a chunk
            }
            while (!line(in).isEmpty()) {
                // trailers: none expected, skipped
            }
        } else if (length != null) {
            long n;
            try {
                n = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + length, e);
            }
            copy(socket, in, body, n, deadline);
        } else {
            copy(socket, in, body, Long.MAX_VALUE, deadline); // framed by the end of the connection
        }
        return new Reply(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    /** Copies {@code n} bytes (or up to the end of the stream when {@code n} is {@link Long#MAX_VALUE}). */
    private static void copy(Socket socket, InputStream in, ByteArrayOutputStream to, long n, long deadline)
            throws IOException {
        byte[] buffer = new byte[8192];
        long left = n;
        while (left > 0) {
            socket.setSoTimeout(millis(remaining(deadline)));
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                if (n == Long.MAX_VALUE) {
                    return;
                }
                throw new EOFException("connection closed " + left + " bytes before the end of the reply");
            }
            to.write(buffer, 0, read);
            left -= read;
        }
    }

    private static long chunkSize(String line) throws IOException {
        int end = line.indexOf(';');
        try {
            long size = Long.parseLong((end < 0 ? line : line.substring(0, end)).strip(), 16);
            if (size < 0) {
                throw new IOException("bad chunk size: " + line);
            }
            return size;
        } catch (NumberFormatException e) {
            throw new IOException("bad chunk size: " + line, e);
        }
    }

    /** One line of the reply's head, without its CRLF (ISO-8859-1, as HTTP/1.1 heads are). */
    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed in the reply's head");
            }
            if (c == '\n') {
                int last = b.length() - 1;
                return last >= 0 && b.charAt(last) == '\r' ? b.substring(0, last) : b.toString();
            }
            if (b.length() >= MAX_HEAD_BYTES) {
                throw new IOException("reply line longer than " + MAX_HEAD_BYTES + " bytes");
            }
            b.append((char) c);
        }
    }

    private static long remaining(long deadline) throws SocketTimeoutException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("no reply in time");
        }
        return left;
    }

    /** A positive whole number of milliseconds (0 would mean "no limit" to a socket). */
    private static int millis(long nanos) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
    }
}

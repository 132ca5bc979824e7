package io.rrmq.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * One connection to a NATS server speaking its text protocol, just enough to publish to JetStream
 * and wait for its acknowledgements: the peer RRMQ's batch puts are compared with. A batch is N
 * {@code PUB}s written back to back, each with its own reply subject, then N acknowledgements read
 * ({@code +OK}-style JSON {@code {"stream":..,"seq":..}}, or {@code {"error":..}}); JetStream
 * acknowledges a message once a quorum of the stream's replicas stored it.
 *
 * <p>Why not the official client: the load generator must cost as little per message as
 * {@link HttpConnection} does for RRMQ, on the same thread, so neither side is favoured.
 */
final class NatsConnection implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String inbox;
    private final CrlfLines lines;
    private long replies;

    NatsConnection(URI server, int timeoutMillis, String inbox) throws IOException {
        this.socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(timeoutMillis);
        socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), timeoutMillis);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 << 10);
        this.in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
        this.lines = new CrlfLines(in);
        this.inbox = inbox;
        String info = readLine();
        if (!info.startsWith("INFO ")) {
            throw new IOException("not a NATS server: " + info);
        }
        write("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":false,\"echo\":false}\r\n"
                + "SUB " + inbox + ".* 1\r\nPING\r\n");
        out.flush();
        awaitPong();
    }

    /**
     * Sends {@code body} to {@code subject} and returns the reply's payload (JetStream's API answers
     * this way, e.g. to a stream creation).
     */
    String request(String subject, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        write("PUB " + subject + " " + inbox + "." + (replies++) + " " + bytes.length + "\r\n");
        out.write(bytes);
        write("\r\n");
        out.flush();
        return readReply();
    }

    /** Publishes {@code count} copies of {@code payload}; whether JetStream acknowledged them all. */
    boolean publishBatch(String subject, byte[] payload, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            write("PUB " + subject + " " + inbox + "." + (replies++) + " " + payload.length + "\r\n");
            out.write(payload);
            write("\r\n");
        }
        out.flush();
        boolean all = true;
        for (int i = 0; i < count; i++) {
            all &= !readReply().contains("\"error\"");
        }
        return all;
    }

    private String readReply() throws IOException {
        while (true) {
            String control = readLine();
            if (control.startsWith("MSG ")) {
                int length = Integer.parseInt(control.substring(control.lastIndexOf(' ') + 1));
                byte[] body = in.readNBytes(length);
                if (body.length < length) {
                    throw new EOFException("connection closed mid-message");
                }
                readLine();
                return new String(body, StandardCharsets.UTF_8);
            } else if (control.equals("PING")) {
                write("PONG\r\n");
                out.flush();
            } else if (control.startsWith("-ERR")) {
                throw new IOException("NATS: " + control);
            }
            // +OK, PONG, INFO updates: nothing to do
        }
    }

    private void awaitPong() throws IOException {
        String control;
        while (!(control = readLine()).equals("PONG")) {
            if (control.startsWith("-ERR")) {
                throw new IOException("NATS: " + control);
            }
        }
    }

    private void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
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

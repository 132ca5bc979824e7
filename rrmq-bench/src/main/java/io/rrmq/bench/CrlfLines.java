package io.rrmq.bench;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads CRLF- (or LF-) terminated ASCII lines from a buffered stream, reusing one builder: the line
 * framing that HTTP/1.1 heads and NATS's text protocol share.
 */
final class CrlfLines {
    private final InputStream in;
    private final StringBuilder line = new StringBuilder(256);

    CrlfLines(InputStream in) {
        this.in = in;
    }

    /** The next line without its terminator; {@link EOFException} if the stream ends first. */
    String next() throws IOException {
        line.setLength(0);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
        throw new EOFException("connection closed");
    }
}

package io.rrmq.server.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decoding of the topic in {@code GET /message/<topic>}.
 *
 * <p>The topic is everything after {@code /message/} in the request path (the query string is not
 * part of it), percent-decoded as a whole and read as UTF-8. So {@code %2F} and a literal
 * {@code /} both mean a slash in the topic ({@code /message/a%2Fb} and {@code /message/a/b} name
 * topic {@code a/b}), {@code +} stays a plus sign (that rule is for form bodies, not paths), and
 * {@code %2B} is a plus too. A malformed escape, bytes that are not UTF-8, or an empty topic are
 * refused with 400.
 *
 * <p>The server runs Undertow with URL decoding off, so the path reaches us raw. Raw non-ASCII
 * bytes (a client that did not percent-encode) arrive one byte per char (ISO-8859-1) and are treated
 * exactly like their percent-encoded form.
 */
public final class TopicPath {
    /** The path prefix of the pop endpoint. */
    public static final String PREFIX = "/message/";

    private TopicPath() {
    }

    /** Decodes the raw path segment after {@link #PREFIX}. */
    public static String decode(String raw) throws BadRequestException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw BadRequestException.badRequest("bad percent-escape at the end of the topic");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw BadRequestException.badRequest("bad percent-escape \""
                            + raw.substring(i, i + 3) + "\" in the topic");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c <= 0xFF) {
                bytes.write(c);
            } else {
                // Undertow with decoding off never produces this; accept already-decoded text anyway,
                // but refuse an unpaired surrogate, which getBytes would silently turn into '?'.
                int end = Character.isHighSurrogate(c) && i + 1 < raw.length()
                        && Character.isLowSurrogate(raw.charAt(i + 1)) ? i + 2 : i + 1;
                if (Character.isSurrogate(c) && end == i + 1) {
                    throw BadRequestException.badRequest("the topic is not valid Unicode (unpaired surrogate)");
                }
                bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end - 1;
            }
        }
        int n = bytes.size();
        if (n == 0) {
            throw BadRequestException.badRequest("the topic in /message/<topic> must not be empty");
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw BadRequestException.badRequest("the topic is not valid UTF-8 once percent-decoded");
        }
    }
}

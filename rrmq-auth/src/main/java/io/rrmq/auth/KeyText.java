package io.rrmq.auth;

import java.util.HexFormat;

/** The text form of a cluster key: 32 random bytes as 64 hexadecimal characters (SPEC, "Security"). */
public final class KeyText {
    /** Bytes in a cluster key. */
    public static final int KEY_BYTES = 32;

    private KeyText() {
    }

    /**
     * The key in {@code text}, white space around it ignored.
     *
     * @throws IllegalArgumentException {@code text} is not 64 hexadecimal characters
     */
    public static byte[] parse(String text) {
        String t = text.strip();
        if (t.length() != 2 * KEY_BYTES || !t.chars().allMatch(KeyText::isHexDigit)) {
            throw new IllegalArgumentException("must hold " + 2 * KEY_BYTES + " hexadecimal characters");
        }
        return HexFormat.of().parseHex(t);
    }

    /** {@code key} as written to a key file, with a trailing newline. */
    public static String format(byte[] key) {
        return HexFormat.of().formatHex(key) + "\n";
    }

    private static boolean isHexDigit(int c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }
}

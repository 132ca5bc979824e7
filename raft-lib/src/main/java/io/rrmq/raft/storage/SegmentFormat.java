package io.rrmq.raft.storage;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The on-disk layout of a log segment, version 1. All integers are big-endian.
 *
 * <pre>
 * file    = header record*
 * header  = magic u32 ("RRLG") | version u32 (1)                               8 bytes
 * record  = length u32 | crc u32 | payload                                      8 + length bytes
 * payload = index u64 | term u64 | type u8 (LogEntry.Type code) | data          17 + data bytes
 * </pre>
 *
 * <p>{@code crc} is the CRC32C of the payload. A segment is named {@code log-<first index, 20
 * digits>.seg}, so a directory listing sorted by name is sorted by index, and the first record's
 * index must equal the name's.
 */
final class SegmentFormat {
    static final int MAGIC = 0x52524C47; // "RRLG"
    static final int VERSION = 1;
    static final int HEADER_SIZE = 8;
    static final int RECORD_HEADER_SIZE = 8; // length + crc
    static final int PAYLOAD_FIXED_SIZE = 8 + 8 + 1; // index + term + type

    /**
     * Record starts are kept as {@code int} offsets in memory, so a segment stops taking records
     * before this size; together with {@link #MAX_PAYLOAD_SIZE} every file stays below 2 GiB.
     */
    static final long MAX_SEGMENT_SIZE = 1L << 30;
    static final int MAX_PAYLOAD_SIZE = (1 << 30) - 64;

    private static final Pattern NAME = Pattern.compile("log-(\\d{20})\\.seg");

    private SegmentFormat() {
    }

    static String fileName(long firstIndex) {
        return String.format("log-%020d.seg", firstIndex);
    }

    /** The first index encoded in a segment's file name, or -1 if the file is not a segment. */
    static long firstIndexOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (!m.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1; // 20 digits can exceed Long.MAX_VALUE; no writer of ours made that name
        }
    }

    static long recordSize(int dataLength) {
        return RECORD_HEADER_SIZE + PAYLOAD_FIXED_SIZE + (long) dataLength;
    }
}

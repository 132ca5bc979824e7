package io.rrmq.mq;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The binary form of {@link MqCommand}s (the bytes stored in the Raft log) and of
 * {@link MqResult}s (the bytes {@link TopicStateMachine#apply} returns).
 *
 * <p><b>Formats</b> (big-endian; a <i>string</i> is {@code [length u32][UTF-8 bytes]}):
 * <pre>
 * command: [version u8 = 1][opcode u8][fields]
 *   1 CreateTopic  [topic string]
 *   2 PutMessage   [topic string][message string]
 *   3 PopMessage   [topic string]
 *   4 ListTopics   (no fields)
 *   5 Identified   [request id string][opcode u8 of the write][that write's fields]
 *   6 PutBatch     [topic string][message count u32][message string]*   (count >= 1)
 *   7 Receive      [topic string][max u32][visibility millis u64]
 *   8 Ack          [topic string][receipt count u32][receipt string]*
 *   9 Nack         [topic string][receipt count u32][receipt string]*
 *  10 SetPolicy    [topic string][max deliveries u32][dead-letter topic string]
 *  11 Tick         (no fields)
 *  12 Stamped      [leader's time, millis u64][nonce, 16 bytes][opcode u8: 5, 7, 8, 9 or 11][its fields]
 *
 * result:  [version u8 = 1][outcome u8][flags u8]
 *          [message string, if flags&amp;1][topic count u32, that many topic strings, if flags&amp;2]
 *          [delivery count u32, that many [message string][receipt string][deliveries u32], if flags&amp;8]
 *          [count u32, if flags&amp;16]
 *   outcome: 1 OK, 2 TOPIC_EXISTS, 3 NO_SUCH_TOPIC, 4 QUEUE_EMPTY, 5 INVALID_COMMAND,
 *            6 REQUEST_ID_REUSED (7, QUEUE_FULL, is no longer produced: the leader admits puts)
 *   flags:   1 = a message is present (it may be the empty string; absent means null),
 *            2 = a non-empty topic list is present (an empty list is written as no flag),
 *            4 = replayed (the remembered result of an earlier application),
 *            8 = a non-empty delivery list is present, 16 = a count is present
 * </pre>
 * Opcodes 6-12 and flags 8 and 16 (consumers) were added to version 1 the same way, as were
 * opcode 5, outcomes 6 and 7 and flag 4; they were added to version 1 without a version bump: a reader that
 * does not know them refuses them as it refuses any unknown opcode, outcome or flag, and nothing else
 * about the format changed.
 * Opcode and outcome 0 are never assigned, so a zeroed buffer is not a valid encoding.
 *
 * <p><b>Canonical and deterministic.</b> Each value has exactly one encoding, and decoding is a
 * pure function of the bytes: the same bytes decode to the same value, or fail, on every node and
 * every release that knows version 1. Any bytes that decode successfully re-encode to themselves.
 *
 * <p><b>Hostile input.</b> Decoding rejects an unknown version, opcode, outcome or flag, a
 * truncated input, trailing bytes, a negative or oversized length or count, and malformed UTF-8,
 * with {@link IllegalArgumentException} and nothing else; it never allocates more than the input's
 * size.
 *
 * <p><b>Strings.</b> Every Unicode string round-trips exactly, including the empty string and
 * supplementary characters. A Java string that is not valid Unicode (an unpaired surrogate, which
 * a JSON {@code "\ud800"} escape can produce) cannot be written as UTF-8 and is refused by the
 * encoders with {@link IllegalArgumentException} rather than silently altered.
 */
public final class MqCodec {
    /** The only format version this release reads and writes. */
    public static final byte VERSION = 1;

    private static final byte OP_CREATE_TOPIC = 1;
    private static final byte OP_PUT_MESSAGE = 2;
    private static final byte OP_POP_MESSAGE = 3;
    private static final byte OP_LIST_TOPICS = 4;
    private static final byte OP_IDENTIFIED = 5;
    private static final byte OP_PUT_BATCH = 6;
    private static final byte OP_RECEIVE = 7;
    private static final byte OP_ACK = 8;
    private static final byte OP_NACK = 9;
    private static final byte OP_SET_POLICY = 10;
    private static final byte OP_TICK = 11;
    private static final byte OP_STAMPED = 12;
    private static final int STAMP_HEADER = 8 + MqCommand.Stamped.NONCE_BYTES;

    private static final int FLAG_MESSAGE = 1;
    private static final int FLAG_TOPICS = 2;
    private static final int FLAG_REPLAYED = 4;
    private static final int FLAG_DELIVERIES = 8;
    private static final int FLAG_COUNT = 16;
    private static final int KNOWN_FLAGS = FLAG_MESSAGE | FLAG_TOPICS | FLAG_REPLAYED | FLAG_DELIVERIES | FLAG_COUNT;

    private static final int STRING_HEADER = 4;

    private MqCodec() {
    }

    /**
     * Encodes a command for the Raft log.
     *
     * @throws NullPointerException     if the command or one of its strings is {@code null}
     * @throws IllegalArgumentException if a string is not valid Unicode (unpaired surrogate)
     */
    public static byte[] encodeCommand(MqCommand command) {
        Objects.requireNonNull(command, "command");
        if (command instanceof MqCommand.Stamped stamped) {
            byte[] inner = encodeCommand(stamped.command());
            ByteBuffer buf = ByteBuffer.allocate(checkedSize(2L + STAMP_HEADER + inner.length - 1));
            buf.put(VERSION).put(OP_STAMPED).putLong(stamped.nowMillis()).put(stamped.nonce());
            buf.put(inner, 1, inner.length - 1);
            return buf.array();
        }
        if (command instanceof MqCommand.PutBatch || command instanceof MqCommand.Receive
                || command instanceof MqCommand.Ack || command instanceof MqCommand.Nack
                || command instanceof MqCommand.SetPolicy || command instanceof MqCommand.Tick) {
            return ConsumerCodec.encode(command);
        }
        if (command instanceof MqCommand.Identified identified) {
            byte[] id = utf8(identified.requestId(), "request id");
            byte[] inner = encodeCommand(identified.command());
            // The inner command without its version byte: one version covers the whole entry.
            ByteBuffer buf = ByteBuffer.allocate(
                    checkedSize(2L + STRING_HEADER + id.length + inner.length - 1));
            buf.put(VERSION).put(OP_IDENTIFIED);
            putString(buf, id);
            buf.put(inner, 1, inner.length - 1);
            return buf.array();
        }
        if (command instanceof MqCommand.CreateTopic c) {
            return encodeOneString(OP_CREATE_TOPIC, utf8(c.topic(), "topic"));
        } else if (command instanceof MqCommand.PutMessage p) {
            byte[] topic = utf8(p.topic(), "topic");
            byte[] message = utf8(p.message(), "message");
            ByteBuffer buf = ByteBuffer.allocate(
                    checkedSize(2L + STRING_HEADER + topic.length + STRING_HEADER + message.length));
            buf.put(VERSION).put(OP_PUT_MESSAGE);
            putString(buf, topic);
            putString(buf, message);
            return buf.array();
        } else if (command instanceof MqCommand.PopMessage p) {
            return encodeOneString(OP_POP_MESSAGE, utf8(p.topic(), "topic"));
        } else if (command instanceof MqCommand.ListTopics) {
            return new byte[] {VERSION, OP_LIST_TOPICS};
        }
        throw new IllegalArgumentException("unknown command type " + command.getClass().getName());
    }

    /**
     * Where, in the encoding of {@code identified}, the wrapped write's opcode and fields start: the
     * write's own encoding is {@link #VERSION} followed by the bytes from there on.
     */
    static int wrappedWriteOffset(MqCommand.Identified identified) {
        return 2 + STRING_HEADER + utf8(identified.requestId(), "request id").length;
    }

    /** Like {@link #wrappedWriteOffset(MqCommand.Identified)}, for an identified write inside a stamp. */
    static int wrappedWriteOffset(MqCommand.Stamped stamped, MqCommand.Identified identified) {
        return STAMP_HEADER + wrappedWriteOffset(identified);
    }

    /** A copy of an encoded result, flagged as the remembered answer to an earlier attempt. */
    static byte[] markReplayed(byte[] encodedResult) {
        byte[] copy = encodedResult.clone();
        copy[2] |= FLAG_REPLAYED;
        return copy;
    }

    /** Decodes a command written by {@link #encodeCommand}; see the class comment for what is refused. */
    public static MqCommand decodeCommand(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        readVersion(buf, "command");
        byte opcode = readByte(buf, "opcode");
        MqCommand command;
        if (opcode == OP_STAMPED) {
            if (buf.remaining() < STAMP_HEADER) {
                throw new IllegalArgumentException("truncated: missing stamp");
            }
            long now = buf.getLong();
            byte[] nonce = new byte[MqCommand.Stamped.NONCE_BYTES];
            buf.get(nonce);
            // The constructor refuses what may not be stamped.
            command = new MqCommand.Stamped(now, nonce, decodeUnstamped(readByte(buf, "opcode"), buf));
        } else {
            command = decodeUnstamped(opcode, buf);
        }
        requireEnd(buf, "command");
        return command;
    }

    private static MqCommand decodeUnstamped(byte opcode, ByteBuffer buf) {
        if (opcode == OP_IDENTIFIED) {
            String requestId = readString(buf, "request id");
            // The constructor refuses a read, a nested id and a bad id length.
            return new MqCommand.Identified(requestId, decodeBody(readByte(buf, "opcode"), buf));
        }
        return decodeBody(opcode, buf);
    }

    private static MqCommand decodeBody(byte opcode, ByteBuffer buf) {
        return switch (opcode) {
            case OP_CREATE_TOPIC -> new MqCommand.CreateTopic(readString(buf, "topic"));
            case OP_PUT_MESSAGE -> {
                String topic = readString(buf, "topic");
                yield new MqCommand.PutMessage(topic, readString(buf, "message"));
            }
            case OP_POP_MESSAGE -> new MqCommand.PopMessage(readString(buf, "topic"));
            case OP_LIST_TOPICS -> new MqCommand.ListTopics();
            case OP_PUT_BATCH -> {
                String topic = readString(buf, "topic");
                int count = readCount(buf, "message count");
                List<String> messages = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    messages.add(readString(buf, "message"));
                }
                yield new MqCommand.PutBatch(topic, messages);
            }
            case OP_RECEIVE -> {
                String topic = readString(buf, "topic");
                int max = readInt(buf, "max");
                yield new MqCommand.Receive(topic, max, readLong(buf, "visibility"));
            }
            case OP_ACK -> new MqCommand.Ack(readString(buf, "topic"), readStrings(buf, "receipt"));
            case OP_NACK -> new MqCommand.Nack(readString(buf, "topic"), readStrings(buf, "receipt"));
            case OP_SET_POLICY -> {
                String topic = readString(buf, "topic");
                int max = readInt(buf, "max deliveries");
                yield new MqCommand.SetPolicy(topic, max, readString(buf, "dead-letter topic"));
            }
            case OP_TICK -> new MqCommand.Tick();
            default -> throw new IllegalArgumentException("unknown command opcode " + opcode);
        };
    }

    /**
     * Encodes a result.
     *
     * @throws IllegalArgumentException if a string is not valid Unicode (unpaired surrogate)
     */
    public static byte[] encodeResult(MqResult result) {
        Objects.requireNonNull(result, "result");
        byte[] message = result.message() == null ? null : utf8(result.message(), "message");
        List<String> topicList = result.topics();
        byte[][] topics = new byte[topicList.size()][];
        long size = 3;
        int flags = 0;
        if (message != null) {
            flags |= FLAG_MESSAGE;
            size += STRING_HEADER + message.length;
        }
        if (result.replayed()) {
            flags |= FLAG_REPLAYED;
        }
        List<MqResult.Delivery> deliveryList = result.deliveries();
        byte[][] deliveries = new byte[deliveryList.size() * 2][];
        if (!deliveryList.isEmpty()) {
            flags |= FLAG_DELIVERIES;
            size += 4;
            for (int i = 0; i < deliveryList.size(); i++) {
                deliveries[2 * i] = utf8(deliveryList.get(i).message(), "message");
                deliveries[2 * i + 1] = utf8(deliveryList.get(i).receipt(), "receipt");
                size += 2L * STRING_HEADER + deliveries[2 * i].length + deliveries[2 * i + 1].length + 4;
            }
        }
        if (result.count() != MqResult.NO_COUNT) {
            flags |= FLAG_COUNT;
            size += 4;
        }
        if (!topicList.isEmpty()) {
            flags |= FLAG_TOPICS;
            size += 4;
            for (int i = 0; i < topics.length; i++) {
                topics[i] = utf8(topicList.get(i), "topic");
                size += STRING_HEADER + topics[i].length;
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(checkedSize(size));
        buf.put(VERSION).put(outcomeCode(result.outcome())).put((byte) flags);
        if (message != null) {
            putString(buf, message);
        }
        if (topics.length > 0) {
            buf.putInt(topics.length);
            for (byte[] topic : topics) {
                putString(buf, topic);
            }
        }
        if (!deliveryList.isEmpty()) {
            buf.putInt(deliveryList.size());
            for (int i = 0; i < deliveryList.size(); i++) {
                putString(buf, deliveries[2 * i]);
                putString(buf, deliveries[2 * i + 1]);
                buf.putInt(deliveryList.get(i).deliveries());
            }
        }
        if (result.count() != MqResult.NO_COUNT) {
            buf.putInt(result.count());
        }
        return buf.array();
    }

    /** Decodes a result written by {@link #encodeResult}; see the class comment for what is refused. */
    public static MqResult decodeResult(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        readVersion(buf, "result");
        MqResult.Outcome outcome = outcomeOf(readByte(buf, "outcome"));
        int flags = readByte(buf, "flags") & 0xFF;
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown result flags 0x" + Integer.toHexString(flags));
        }
        String message = (flags & FLAG_MESSAGE) != 0 ? readString(buf, "message") : null;
        List<String> topics = List.of();
        if ((flags & FLAG_TOPICS) != 0) {
            int count = readCount(buf, "topic count");
            if (count == 0) {
                // The encoder omits an empty list; accepting one would give a value two encodings.
                throw new IllegalArgumentException("topic list flagged present but empty");
            }
            List<String> read = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                read.add(readString(buf, "topic"));
            }
            topics = read;
        }
        List<MqResult.Delivery> deliveries = List.of();
        if ((flags & FLAG_DELIVERIES) != 0) {
            int count = readCount(buf, "delivery count");
            if (count == 0) {
                throw new IllegalArgumentException("delivery list flagged present but empty");
            }
            List<MqResult.Delivery> read = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String m = readString(buf, "message");
                String receipt = readString(buf, "receipt");
                int times = readInt(buf, "deliveries");
                if (times < 1) {
                    throw new IllegalArgumentException("delivery count " + times);
                }
                read.add(new MqResult.Delivery(m, receipt, times));
            }
            deliveries = read;
        }
        int count = MqResult.NO_COUNT;
        if ((flags & FLAG_COUNT) != 0) {
            count = readInt(buf, "count");
            if (count < 0) {
                throw new IllegalArgumentException("negative count");
            }
        }
        requireEnd(buf, "result");
        return new MqResult(outcome, message, topics, (flags & FLAG_REPLAYED) != 0, deliveries, count);
    }

    // ---- strings, shared with the snapshot format of TopicStateMachine ----

    /**
     * The UTF-8 bytes of {@code s}. {@link String#getBytes} would silently turn an unpaired
     * surrogate into '?', letting two different topics collide; refuse it instead.
     */
    static byte[] utf8(String s, String what) {
        Objects.requireNonNull(s, what);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(
                        what + " is not valid Unicode: unpaired surrogate at char " + i);
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Decodes strict UTF-8, refusing malformed input instead of replacing it. */
    static String fromUtf8(byte[] bytes, int offset, int length, String what) {
        String s = new String(bytes, offset, length, StandardCharsets.UTF_8);
        // The lenient decoder replaces every malformed sequence with U+FFFD, so without one in the
        // output the input was well-formed; only otherwise pay for the strict decoder.
        if (s.indexOf('\uFFFD') >= 0) {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes, offset, length));
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException(what + " is not valid UTF-8", e);
            }
        }
        return s;
    }

    // ---- helpers ----

    private static byte[] encodeOneString(byte opcode, byte[] string) {
        ByteBuffer buf = ByteBuffer.allocate(checkedSize(2L + STRING_HEADER + string.length));
        buf.put(VERSION).put(opcode);
        putString(buf, string);
        return buf.array();
    }

    private static void putString(ByteBuffer buf, byte[] utf8) {
        buf.putInt(utf8.length).put(utf8);
    }

    private static int checkedSize(long size) {
        // Leaves headroom below Integer.MAX_VALUE: JVMs refuse arrays of exactly that length.
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("encoding would be too large: " + size + " bytes");
        }
        return (int) size;
    }

    private static void readVersion(ByteBuffer buf, String what) {
        if (!buf.hasRemaining()) {
            throw new IllegalArgumentException("empty " + what + ": missing format version");
        }
        byte version = buf.get();
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported " + what + " format version " + version);
        }
    }

    private static byte readByte(ByteBuffer buf, String what) {
        if (!buf.hasRemaining()) {
            throw new IllegalArgumentException("truncated: missing " + what);
        }
        return buf.get();
    }

    static int readInt(ByteBuffer buf, String what) {
        if (buf.remaining() < 4) {
            throw new IllegalArgumentException("truncated: missing " + what);
        }
        return buf.getInt();
    }

    static long readLong(ByteBuffer buf, String what) {
        if (buf.remaining() < 8) {
            throw new IllegalArgumentException("truncated: missing " + what);
        }
        return buf.getLong();
    }

    static List<String> readStrings(ByteBuffer buf, String what) {
        int count = readCount(buf, what + " count");
        List<String> strings = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            strings.add(readString(buf, what));
        }
        return strings;
    }

    private static int readCount(ByteBuffer buf, String what) {
        if (buf.remaining() < 4) {
            throw new IllegalArgumentException("truncated: missing " + what);
        }
        int count = buf.getInt();
        // Each element needs at least its length prefix; bounding by that keeps allocation within
        // the input's size.
        if (count < 0 || (long) count * STRING_HEADER > buf.remaining()) {
            throw new IllegalArgumentException(
                    "bad " + what + " " + Integer.toUnsignedString(count) + " for "
                            + buf.remaining() + " remaining bytes");
        }
        return count;
    }

    private static String readString(ByteBuffer buf, String what) {
        if (buf.remaining() < STRING_HEADER) {
            throw new IllegalArgumentException("truncated: missing length of " + what);
        }
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining()) {
            throw new IllegalArgumentException(
                    "bad length " + Integer.toUnsignedString(length) + " of " + what + " for "
                            + buf.remaining() + " remaining bytes");
        }
        String s = fromUtf8(buf.array(), buf.arrayOffset() + buf.position(), length, what);
        buf.position(buf.position() + length);
        return s;
    }

    private static void requireEnd(ByteBuffer buf, String what) {
        if (buf.hasRemaining()) {
            throw new IllegalArgumentException(buf.remaining() + " trailing bytes after " + what);
        }
    }

    private static byte outcomeCode(MqResult.Outcome outcome) {
        return switch (outcome) {
            case OK -> 1;
            case TOPIC_EXISTS -> 2;
            case NO_SUCH_TOPIC -> 3;
            case QUEUE_EMPTY -> 4;
            case INVALID_COMMAND -> 5;
            case REQUEST_ID_REUSED -> 6;
        };
    }

    private static MqResult.Outcome outcomeOf(byte code) {
        return switch (code) {
            case 1 -> MqResult.Outcome.OK;
            case 2 -> MqResult.Outcome.TOPIC_EXISTS;
            case 3 -> MqResult.Outcome.NO_SUCH_TOPIC;
            case 4 -> MqResult.Outcome.QUEUE_EMPTY;
            case 5 -> MqResult.Outcome.INVALID_COMMAND;
            case 6 -> MqResult.Outcome.REQUEST_ID_REUSED;
            default -> throw new IllegalArgumentException("unknown result outcome " + code);
        };
    }
}

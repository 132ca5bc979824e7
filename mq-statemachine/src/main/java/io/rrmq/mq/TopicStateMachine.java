package io.rrmq.mq;

import io.rrmq.raft.SnapshotWriter;
import io.rrmq.raft.StateMachine;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * FIFO topics as a deterministic Raft {@link StateMachine}.
 *
 * <p><b>Commands.</b> {@link #apply} decodes the entry with {@link MqCodec#decodeCommand}, executes
 * it and returns {@link MqCodec#encodeResult}:
 * <ul>
 *   <li>{@code CreateTopic}: {@code OK}, or {@code TOPIC_EXISTS} (nothing changes);</li>
 *   <li>{@code PutMessage}: {@code OK} (appended at the tail) or {@code NO_SUCH_TOPIC}. A committed
 *       put is never refused for lack of room: how much the queues may hold is decided by the leader
 *       before it proposes ({@link QueueBound}), because a bound read here from each node's own
 *       settings would let nodes with different settings apply the same entry differently;</li>
 *   <li>{@code PopMessage}: {@code OK} with the oldest message (removed), {@code NO_SUCH_TOPIC},
 *       or {@code QUEUE_EMPTY};</li>
 *   <li>{@code ListTopics}: {@code OK} with every topic in creation order;</li>
 *   <li>{@code Identified} (a write with a request id): the first time, the write's result, which
 *       is remembered under the id; again with the same id and write, the remembered result marked
 *       replayed, and nothing changes; with the same id and another write,
 *       {@code REQUEST_ID_REUSED}, and nothing changes. Ids are forgotten as {@link RequestRetention}
 *       says, by log position only;</li>
 *   <li>bytes that do not decode: {@code INVALID_COMMAND}, and nothing changes but
 *       {@link #lastAppliedIndex()}. The entry is committed, so it must not stop the node.</li>
 * </ul>
 * Topics are never deleted. Topic names are not validated beyond being Unicode: which names the
 * API admits (for example, not the empty string) is the server's decision, made before proposing.
 *
 * <p><b>Determinism.</b> Results and state depend only on the sequence of applied commands (or on
 * the restored snapshot and the commands after it): no clock, randomness or hash order is read.
 * Two instances fed the same entries return byte-identical results and write byte-identical
 * snapshots.
 *
 * <p><b>Cost.</b> Every command but {@code ListTopics} is O(1) plus the size of its strings;
 * {@code ListTopics} is O(number of topics).
 *
 * <p><b>Snapshot format</b> (big-endian; a <i>string</i> is {@code [length u32][UTF-8 bytes]}):
 * <pre>
 * [magic u32 = 0x524D5153 "RMQS"][version u8 = 2]
 * [lastAppliedIndex u64][topic count u32]
 * per topic, in creation order: [name string][message count u32][message string]*  (oldest first)
 * [request count u32]                                              (version 2 only)
 * per remembered request, oldest first: [id string][index u64][SHA-256 of the write, 32 bytes]
 *                                       [result length u32][result bytes]
 * [CRC32C u32 of every byte before it]
 * </pre>
 * Version 1 (no request table) is still read.
 * The snapshot must be the whole stream: {@link #restoreSnapshot} reads to its end (bytes after the
 * checksum are refused), and may buffer ahead.
 *
 * <p><b>Threading.</b> Not thread-safe. As {@link StateMachine} requires, the Raft runtime calls
 * every method from its one event-loop thread, except the writer {@link #takeSnapshot} returns, which
 * shares nothing mutable with the machine and runs on the snapshot thread; the read-only accessors are for that same thread
 * (or for tests).
 */
public final class TopicStateMachine implements StateMachine {
    static final int SNAPSHOT_MAGIC = 0x524D5153;
    static final byte SNAPSHOT_VERSION = 2;
    private static final byte SNAPSHOT_VERSION_WITHOUT_REQUESTS = 1;
    private static final int FINGERPRINT_BYTES = 32;

    private static final int IO_BUFFER = 1 << 16;
    // A hostile or corrupt message count must not make restore pre-allocate gigabytes before the
    // checksum is checked; larger queues simply grow.
    private static final int MAX_PRESIZE = 1 << 16;

    private Map<String, ArrayDeque<String>> topics = new LinkedHashMap<>();
    private long messageCount;
    /**
     * Sum of {@link #footprint} over every queued message. Volatile: written by the applying thread,
     * read by the leader's {@link QueueBound} on request threads.
     */
    private volatile long queuedBytes;
    private long lastAppliedIndex;
    private final RequestTable requests;

    /** A state machine with the default {@link RequestRetention}. */
    public TopicStateMachine() {
        this(RequestRetention.defaults());
    }

    /**
     * @param retention how long request ids are remembered. It decides results (a retry is replayed
     *                  or executed), so it is a constant of the code, the same on every node, and
     *                  never read from a node's own settings.
     */
    public TopicStateMachine(RequestRetention retention) {
        this.requests = new RequestTable(retention);
    }

    /**
     * What a queued message is charged against a {@link QueueBound}: about its heap footprint (two
     * bytes per UTF-16 char plus the String and queue overhead). A pure function of the message.
     */
    public static long footprint(String message) {
        return 2L * message.length() + 64;
    }

    /**
     * Applies one committed entry (see the class comment for each command's results).
     *
     * @throws IllegalStateException if {@code index} is not greater than {@link #lastAppliedIndex()}:
     *         the engine is re-applying an entry, which would duplicate or lose messages
     */
    @Override
    public byte[] apply(long index, byte[] command) {
        if (index <= lastAppliedIndex) {
            throw new IllegalStateException(
                    "entry " + index + " applied after entry " + lastAppliedIndex);
        }
        lastAppliedIndex = index;
        requests.expire(index);
        MqCommand decoded;
        try {
            decoded = MqCodec.decodeCommand(command);
        } catch (IllegalArgumentException e) {
            return MqCodec.encodeResult(MqResult.of(MqResult.Outcome.INVALID_COMMAND));
        }
        if (decoded instanceof MqCommand.Identified identified) {
            return applyIdentified(index, identified, command);
        }
        return MqCodec.encodeResult(execute(decoded));
    }

    /** At most once per request id: execute and remember, or answer from memory. */
    private byte[] applyIdentified(long index, MqCommand.Identified identified, byte[] entry) {
        byte[] fingerprint = requests.fingerprint(MqCodec.VERSION, entry, MqCodec.wrappedWriteOffset(identified));
        RequestTable.Remembered earlier = requests.get(identified.requestId());
        if (earlier != null) {
            if (!MessageDigest.isEqual(earlier.fingerprint(), fingerprint)) {
                return MqCodec.encodeResult(MqResult.of(MqResult.Outcome.REQUEST_ID_REUSED));
            }
            return MqCodec.markReplayed(earlier.result());
        }
        byte[] result = MqCodec.encodeResult(execute(identified.command()));
        requests.remember(identified.requestId(), index, fingerprint, result);
        return result;
    }

    private MqResult execute(MqCommand command) {
        if (command instanceof MqCommand.CreateTopic c) {
            if (topics.containsKey(c.topic())) {
                return MqResult.of(MqResult.Outcome.TOPIC_EXISTS);
            }
            topics.put(c.topic(), new ArrayDeque<>());
            return MqResult.ok();
        } else if (command instanceof MqCommand.PutMessage p) {
            ArrayDeque<String> queue = topics.get(p.topic());
            if (queue == null) {
                return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
            }
            queue.addLast(p.message());
            messageCount++;
            queuedBytes += footprint(p.message());
            return MqResult.ok();
        } else if (command instanceof MqCommand.PopMessage p) {
            ArrayDeque<String> queue = topics.get(p.topic());
            if (queue == null) {
                return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
            }
            String message = queue.pollFirst();
            if (message == null) {
                return MqResult.of(MqResult.Outcome.QUEUE_EMPTY);
            }
            messageCount--;
            queuedBytes -= footprint(message);
            return MqResult.popped(message);
        } else if (command instanceof MqCommand.ListTopics) {
            return MqResult.topics(new ArrayList<>(topics.keySet()));
        }
        // Unreachable: MqCommand is sealed, and Identified is handled before execute.
        throw new IllegalStateException("unhandled command " + command);
    }

    /** The number of topics. */
    public int topicCount() {
        return topics.size();
    }

    /** What the queued messages are charged against a {@link QueueBound} ({@link #footprint}); O(1), any thread. */
    public long queuedBytes() {
        return queuedBytes;
    }

    /** The number of messages queued across all topics; O(1). */
    public long messageCount() {
        return messageCount;
    }

    /** The index of the last applied entry, or of the restored snapshot; 0 initially. */
    public long lastAppliedIndex() {
        return lastAppliedIndex;
    }

    /** The number of request ids remembered for deduplication. */
    public int rememberedRequestCount() {
        return requests.size();
    }

    /** The topics in creation order: a copy, O(number of topics). */
    public List<String> topics() {
        return List.copyOf(topics.keySet());
    }

    /**
     * Calls {@code action} with every topic and the number of messages queued in it, in creation
     * order; O(number of topics), nothing copied. Read-only, for the applying thread (metrics sample
     * the queues through it between two entries).
     */
    public void forEachTopicDepth(java.util.function.ObjIntConsumer<String> action) {
        topics.forEach((name, queue) -> action.accept(name, queue.size()));
    }

    /**
     * Writes the state in the format of the class comment. Flushes {@code out} but does not close
     * it. Cost: one pass over the messages, no per-message allocation beyond their UTF-8 bytes.
     */
    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        takeSnapshot().writeTo(out);
    }

    /**
     * Captures the state cheaply for a snapshot written on another thread: each queue's message
     * references are copied into an array (Strings are immutable, so they are shared, not copied),
     * and so are the remembered requests (immutable records). Cost on the caller's thread: one
     * array copy per topic, about 4 to 8 bytes per queued message; no encoding.
     */
    @Override
    public SnapshotWriter takeSnapshot() {
        long index = lastAppliedIndex;
        List<String> names = new ArrayList<>(topics.size());
        List<Object[]> queues = new ArrayList<>(topics.size());
        for (Map.Entry<String, ArrayDeque<String>> topic : topics.entrySet()) {
            names.add(topic.getKey());
            queues.add(topic.getValue().toArray());
        }
        List<Map.Entry<String, RequestTable.Remembered>> remembered = requests.entries().entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue())).toList();
        return out -> write(out, index, names, queues, remembered);
    }

    private static void write(OutputStream out, long index, List<String> names, List<Object[]> queues,
                              List<Map.Entry<String, RequestTable.Remembered>> requestEntries) throws IOException {
        CRC32C crc = new CRC32C();
        // Buffer before checksumming, so the CRC runs over large chunks rather than single bytes.
        DataOutputStream data = new DataOutputStream(
                new BufferedOutputStream(new CheckedOutputStream(out, crc), IO_BUFFER));
        data.writeInt(SNAPSHOT_MAGIC);
        data.writeByte(SNAPSHOT_VERSION);
        data.writeLong(index);
        data.writeInt(names.size());
        for (int t = 0; t < names.size(); t++) {
            writeString(data, names.get(t));
            Object[] messages = queues.get(t);
            data.writeInt(messages.length);
            for (Object message : messages) {
                writeString(data, (String) message);
            }
        }
        data.writeInt(requestEntries.size());
        for (Map.Entry<String, RequestTable.Remembered> request : requestEntries) {
            RequestTable.Remembered remembered = request.getValue();
            writeString(data, request.getKey());
            data.writeLong(remembered.index());
            data.write(remembered.fingerprint());
            data.writeInt(remembered.result().length);
            data.write(remembered.result());
        }
        data.flush();
        int checksum = (int) crc.getValue();
        data.writeInt(checksum);
        data.flush();
    }

    private static void writeString(DataOutputStream data, String s) throws IOException {
        // Every string in the state came through MqCodec, so it is valid Unicode already.
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        data.writeInt(utf8.length);
        data.write(utf8);
    }

    /**
     * Replaces the whole state with the snapshot that makes up the rest of {@code in}. Verifies
     * magic, version, structure (down to each remembered result being a valid result encoding)
     * and CRC32C before touching the current state: on any
     * {@link IOException} (corrupt, truncated, trailing bytes, unknown version) the state is exactly
     * as before. Allocation is bounded by the bytes actually read, whatever the lengths claim.
     * Does not close {@code in}.
     */
    @Override
    public void restoreSnapshot(InputStream in) throws IOException {
        CRC32C crc = new CRC32C();
        DataInputStream data = new DataInputStream(
                new CheckedInputStream(new BufferedInputStream(in, IO_BUFFER), crc));
        int magic = data.readInt();
        if (magic != SNAPSHOT_MAGIC) {
            throw new IOException("not an RRMQ topic snapshot: magic 0x" + Integer.toHexString(magic));
        }
        byte version = data.readByte();
        if (version != SNAPSHOT_VERSION && version != SNAPSHOT_VERSION_WITHOUT_REQUESTS) {
            throw new IOException("unsupported topic snapshot version " + version);
        }
        long restoredIndex = data.readLong();
        if (restoredIndex < 0) {
            throw new IOException("corrupt topic snapshot: lastAppliedIndex " + restoredIndex);
        }
        int topicCount = readCount(data, "topic count");
        Map<String, ArrayDeque<String>> restored = new LinkedHashMap<>();
        long restoredMessages = 0;
        long restoredBytes = 0;
        for (int t = 0; t < topicCount; t++) {
            String name = readString(data, "topic name");
            int size = readCount(data, "message count");
            ArrayDeque<String> queue = new ArrayDeque<>(Math.min(size, MAX_PRESIZE));
            if (restored.putIfAbsent(name, queue) != null) {
                throw new IOException("corrupt topic snapshot: topic listed twice");
            }
            for (int m = 0; m < size; m++) {
                String message = readString(data, "message");
                queue.addLast(message);
                restoredBytes += footprint(message);
            }
            restoredMessages += size;
        }
        LinkedHashMap<String, RequestTable.Remembered> restoredRequests = new LinkedHashMap<>();
        if (version == SNAPSHOT_VERSION) {
            int requestCount = readCount(data, "request count");
            for (int r = 0; r < requestCount; r++) {
                String requestId = readString(data, "request id");
                long index = data.readLong();
                byte[] fingerprint = readBytes(data, FINGERPRINT_BYTES, "request fingerprint");
                byte[] result = readBytes(data, readCount(data, "result length"), "request result");
                // A retry answers with this result (markReplayed flags it): it must be one.
                if (index < 1 || index > restoredIndex || !isResult(result)
                        || restoredRequests.put(requestId, new RequestTable.Remembered(index, fingerprint, result)) != null) {
                    throw new IOException("corrupt topic snapshot: bad remembered request");
                }
            }
        }
        int computed = (int) crc.getValue();
        int stored = data.readInt();
        if (computed != stored) {
            throw new IOException(String.format(
                    "topic snapshot checksum mismatch: stored %08x, computed %08x", stored, computed));
        }
        if (data.read() != -1) {
            throw new IOException("trailing bytes after topic snapshot");
        }
        topics = restored;
        messageCount = restoredMessages;
        queuedBytes = restoredBytes;
        lastAppliedIndex = restoredIndex;
        requests.replaceWith(restoredRequests);
    }

    private static boolean isResult(byte[] bytes) {
        try {
            MqCodec.decodeResult(bytes);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] readBytes(DataInputStream data, int length, String what) throws IOException {
        byte[] bytes = data.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("truncated topic snapshot: " + what + " cut short");
        }
        return bytes;
    }

    private static int readCount(DataInputStream data, String what) throws IOException {
        int count = data.readInt();
        if (count < 0) {
            throw new IOException("corrupt topic snapshot: " + what + " " + Integer.toUnsignedString(count));
        }
        return count;
    }

    private static String readString(DataInputStream data, String what) throws IOException {
        int length = readCount(data, what + " length");
        // readNBytes grows its buffer as bytes arrive, so a corrupt length cannot allocate more than
        // the stream holds.
        byte[] utf8 = readBytes(data, length, what);
        try {
            return MqCodec.fromUtf8(utf8, 0, length, what);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt topic snapshot: " + e.getMessage(), e);
        }
    }
}

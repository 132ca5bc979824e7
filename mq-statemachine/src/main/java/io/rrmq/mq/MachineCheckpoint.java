package io.rrmq.mq;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The metadata of a {@link TopicStateMachine} checkpoint: the whole state but the message bodies,
 * which stay in the checkpoint's frozen store, named by their chain positions. Its size is
 * O(topics + returned and in-flight messages + remembered requests), not O(queued messages).
 * It is checked by the checkpoint file's CRC ({@code CheckpointDirectory}), and, unlike a snapshot,
 * only ever read by the node that wrote it, with the store it was written with.
 *
 * <p>Format (big-endian; a string is {@code [length u32][UTF-8]}): {@code [version u8 = 1][index u64]
 * [clock u64][next order u64][message count u64][queued bytes u64][topic count u32]}, per topic in
 * creation order {@code [name][chain i32][head seq u64][head position u64][fresh count u64]
 * [returned count u32] ([seq u64][chain i32][position u64][length u32][deliveries u32])*
 * [max deliveries u32][dead-letter topic]}; {@code [in-flight count u32]} ({@code [receipt][topic]
 * [seq u64][chain i32][position u64][length u32][deliveries u32][deadline u64][order u64]})*;
 * {@code [request count u32]} ({@code [id][index u64][fingerprint 32 bytes][result length u32]
 * [result]})*.
 */
final class MachineCheckpoint {
    private static final byte VERSION = 1;
    private static final int FINGERPRINT_BYTES = 32;

    /** The state a checkpoint (or a snapshot) holds, without the store that holds its bodies. */
    record State(long index, long clock, long order, long messages, long bytes, Map<String, TopicQueue> topics,
                 HashMap<String, InFlight> inFlightByReceipt, TreeSet<InFlight> inFlightByDeadline,
                 LinkedHashMap<String, RequestTable.Remembered> requests) {
    }

    private MachineCheckpoint() {
    }

    /** Writes the metadata to {@code out} (flushed, not closed). */
    static void write(OutputStream out, long index, long clock, long order, long messages, long bytes,
                      List<TopicStateMachine.TopicView> views, List<InFlight> inFlight,
                      List<Map.Entry<String, RequestTable.Remembered>> requests) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeByte(VERSION);
        data.writeLong(index);
        data.writeLong(clock);
        data.writeLong(order);
        data.writeLong(messages);
        data.writeLong(bytes);
        data.writeInt(views.size());
        for (TopicStateMachine.TopicView view : views) {
            writeString(data, view.name());
            data.writeInt(view.chain());
            data.writeLong(view.headSeq());
            data.writeLong(view.headPosition());
            data.writeLong(view.freshCount());
            data.writeInt(view.returned().size());
            for (Map.Entry<Long, TopicQueue.Returned> back : view.returned()) {
                TopicQueue.Returned r = back.getValue();
                data.writeLong(back.getKey());
                data.writeInt(r.chain());
                data.writeLong(r.position());
                data.writeInt(r.length());
                data.writeInt(r.deliveries());
            }
            data.writeInt(view.maxDeliveries());
            writeString(data, view.deadLetterTopic());
        }
        data.writeInt(inFlight.size());
        for (InFlight d : inFlight) {
            writeString(data, d.receipt());
            writeString(data, d.topic());
            data.writeLong(d.seq());
            data.writeInt(d.chain());
            data.writeLong(d.position());
            data.writeInt(d.length());
            data.writeInt(d.deliveries());
            data.writeLong(d.deadline());
            data.writeLong(d.order());
        }
        data.writeInt(requests.size());
        for (Map.Entry<String, RequestTable.Remembered> request : requests) {
            RequestTable.Remembered r = request.getValue();
            writeString(data, request.getKey());
            data.writeLong(r.index());
            data.write(r.fingerprint());
            data.writeInt(r.result().length);
            data.write(r.result());
        }
        data.flush();
    }

    /** Reads the metadata from {@code in} (buffered by the caller), to its end. */
    static State decode(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        if (data.readByte() != VERSION) {
            throw new IOException("unsupported checkpoint metadata version");
        }
        long index = data.readLong();
        long clock = data.readLong();
        long order = data.readLong();
        long messages = data.readLong();
        long bytes = data.readLong();
        int topicCount = data.readInt();
        Map<String, TopicQueue> topics = new LinkedHashMap<>();
        for (int t = 0; t < topicCount; t++) {
            String name = readString(data);
            TopicQueue queue = new TopicQueue(data.readInt(), data.readLong());
            queue.headPosition = data.readLong();
            queue.freshCount = data.readLong();
            int returned = data.readInt();
            for (int r = 0; r < returned; r++) {
                long seq = data.readLong();
                queue.giveBack(seq, data.readInt(), data.readLong(), data.readInt(), data.readInt());
            }
            queue.maxDeliveries = data.readInt();
            queue.deadLetterTopic = readString(data);
            topics.put(name, queue);
        }
        HashMap<String, InFlight> byReceipt = new HashMap<>();
        TreeSet<InFlight> byDeadline = new TreeSet<>();
        int inFlight = data.readInt();
        for (int i = 0; i < inFlight; i++) {
            InFlight d = new InFlight(readString(data), readString(data), data.readLong(), data.readInt(),
                    data.readLong(), data.readInt(), data.readInt(), data.readLong(), data.readLong());
            byReceipt.put(d.receipt(), d);
            byDeadline.add(d);
        }
        LinkedHashMap<String, RequestTable.Remembered> requests = new LinkedHashMap<>();
        int requestCount = data.readInt();
        for (int r = 0; r < requestCount; r++) {
            String id = readString(data);
            long at = data.readLong();
            byte[] fingerprint = data.readNBytes(FINGERPRINT_BYTES);
            byte[] result = data.readNBytes(data.readInt());
            requests.put(id, new RequestTable.Remembered(at, fingerprint, result));
        }
        if (data.read() != -1) {
            throw new IOException("trailing bytes after checkpoint metadata");
        }
        return new State(index, clock, order, messages, bytes, topics, byReceipt, byDeadline, requests);
    }

    private static void writeString(DataOutputStream data, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        data.writeInt(utf8.length);
        data.write(utf8);
    }

    private static String readString(DataInputStream data) throws IOException {
        int length = data.readInt();
        byte[] utf8 = data.readNBytes(length);
        if (utf8.length != length) {
            throw new IOException("checkpoint metadata cut short");
        }
        return new String(utf8, StandardCharsets.UTF_8);
    }
}

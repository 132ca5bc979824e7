package io.rrmq.mq;

import io.rrmq.mq.store.MessageStore;
import io.rrmq.mq.store.MessageStores;
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
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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
 *   <li>{@code PopMessage}: {@code OK} with the oldest visible message (removed), {@code NO_SUCH_TOPIC},
 *       or {@code QUEUE_EMPTY};</li>
 *   <li>{@code PutBatch}: {@code OK} with the count (all appended in order, in this one entry) or
 *       {@code NO_SUCH_TOPIC} (nothing appended);</li>
 *   <li>{@code Receive} (stamped only; unstamped: {@code INVALID_COMMAND}): {@code OK} with up to
 *       {@code max} visible messages, oldest first, each with a new receipt and its delivery count.
 *       They stay in the topic, invisible, until acked, nacked or their deadline (the entry's time
 *       plus the visibility) has passed. Or {@code NO_SUCH_TOPIC};</li>
 *   <li>{@code Ack}/{@code Nack}: {@code OK} with how many of the receipts named a live delivery of
 *       this topic (each counted once), which ack removes and nack ends at once; unknown, stale and
 *       other topics' receipts are not counted. Or {@code NO_SUCH_TOPIC};</li>
 *   <li>a delivery that ends without an ack (deadline passed, or nack) makes its message visible
 *       again ahead of newer ones, in original order; or, when it was the topic's
 *       {@code maxDeliveries}-th delivery and its dead-letter topic exists, moves the message to the
 *       end of that topic (a fresh message there);</li>
 *   <li>{@code SetPolicy}: {@code OK}, or {@code NO_SUCH_TOPIC} if either topic is missing;</li>
 *   <li>{@code Stamped}: first the machine's time becomes the larger of its time and the stamp (it
 *       never goes back), and every delivery whose deadline is at or before it expires, in
 *       (deadline, delivery) order; then the wrapped command runs. {@code Tick} does only that;</li>
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
 * Time is the leader's clock as stamped into entries; receipts are a hash of the entry's nonce, its
 * index and the delivery's position in it: unguessable without the log, and never reused.
 * Two instances fed the same entries return byte-identical results and write byte-identical
 * snapshots.
 *
 * <p><b>Cost.</b> Every command but {@code ListTopics} is O(1) plus the size of its strings;
 * {@code ListTopics} is O(number of topics).
 *
 * <p><b>Where the messages are.</b> Message bodies are records in a {@link MessageStore} (files, on
 * a node): a put appends one, a pop reads and releases one. The heap holds per topic a few numbers
 * (the head's sequence number and position, the fresh count), plus one small entry per message
 * that was handed out and is visible again or in flight; queue depth costs disk, not heap. The
 * store is not durable by itself: positions are local and never enter results or snapshots, and a
 * machine that restores a snapshot rebuilds its store from it (the snapshot carries every body). So
 * two replicas agree on every result and snapshot byte whatever their stores' histories. With
 * {@code FileStores}, each snapshot's writer also makes a checkpoint of the same state (metadata
 * plus the store's segment files frozen by hard links), which a restart opens instead of restoring
 * the snapshot ({@link #resumeCheckpoint}); the snapshot itself is then only a reference to that
 * checkpoint (no body is written again), made whole from the checkpoint's files when a follower
 * needs it ({@link #expandSnapshot}).
 *
 * <p><b>Snapshot format</b> (big-endian; a <i>string</i> is {@code [length u32][UTF-8 bytes]}):
 * <pre>
 * [magic u32 = 0x524D5153 "RMQS"][version u8 = 3]
 * [lastAppliedIndex u64]
 * [clock u64][next delivery order u64]                             (version 3 only)
 * [topic count u32]
 * per topic, in creation order: [name string]
 *   [head sequence u64]                                            (version 3 only)
 *   [message count u32][message string]*  (never delivered, oldest first)
 *   [returned count u32] ([seq u64][deliveries u32][message string])* (version 3; ascending seq)
 *   [max deliveries u32][dead-letter topic string]                 (version 3)
 * [in-flight count u32] ([receipt string][topic string][seq u64][deliveries u32][deadline u64]
 *   [order u64][message string])*  in expiry order                 (version 3 only)
 * [request count u32]                                              (versions 2 and 3)
 * per remembered request, oldest first: [id string][index u64][SHA-256 of the write, 32 bytes]
 *                                       [result length u32][result bytes]
 * [CRC32C u32 of every byte before it]
 * </pre>
 * Versions 1 (no request table) and 2 (no consumer state) are still read. Version 4 is a snapshot
 * by reference, {@code [magic][4][checkpoint index u64][CRC32C u32]}: restoring it fails (only this
 * node's checkpoint holds that state).
 * The snapshot must be the whole stream: {@link #restoreSnapshot} reads to its end (bytes after the
 * checksum are refused), and may buffer ahead.
 *
 * <p><b>Threading.</b> Not thread-safe. As {@link StateMachine} requires, the Raft runtime calls
 * every method from its one event-loop thread, except the writer {@link #takeSnapshot} returns, which
 * runs on the snapshot thread and shares nothing mutable with the machine but the store, which it
 * reads through a {@link MessageStore.Pin} (made for that); the read-only accessors are for that same thread
 * (or for tests).
 */
public final class TopicStateMachine implements StateMachine {
    static final int SNAPSHOT_MAGIC = 0x524D5153;
    static final byte SNAPSHOT_VERSION = 3;
    /** A snapshot by reference: {@code [magic][version u8 = 4][checkpoint index u64][CRC32C u32]}. */
    static final byte SNAPSHOT_REFERENCE = 4;
    private static final byte SNAPSHOT_VERSION_WITHOUT_CONSUMERS = 2;
    private static final byte SNAPSHOT_VERSION_WITHOUT_REQUESTS = 1;
    private static final int FINGERPRINT_BYTES = 32;
    private static final int RECEIPT_BYTES = 16;

    private static final int IO_BUFFER = 1 << 16;
    /**
     * The chain a restored snapshot's returned and in-flight messages are written to: they cannot go
     * to their topic's chain, whose fresh messages must stay consecutive.
     */
    static final int RESTORED_CHAIN = -1;

    /**
     * Told, on the applying thread, when a topic may have gained visible messages (a put, a batch,
     * a delivery that ended without an ack, a dead letter, a restored snapshot). It must return at
     * once: it runs inside {@link #apply}.
     */
    @FunctionalInterface
    public interface VisibilityListener {
        /**
         * @param topic   the topic
         * @param visible how many messages are visible in it right after this entry applied
         */
        void messagesVisible(String topic, int visible);
    }

    private final MessageStores stores;
    /** Where the bodies are; replaced by a new one when a snapshot is restored. */
    private MessageStore store;
    private Map<String, TopicQueue> topics = new LinkedHashMap<>();
    /**
     * {@link #query}'s encoded topic list, kept until a topic is created or a snapshot restored:
     * {@code GET /topic} is read far more often than topics change, and re-encoding the list on
     * every read costs O(topics) on the Raft loop. {@code null} when stale.
     */
    private byte[] encodedTopicList;
    private long messageCount;
    /**
     * Sum of {@link #footprint} over every message held (visible or in flight): the bytes of their
     * records in the store. Volatile: written by
     * the applying thread, read by the leader's {@link QueueBound} on request threads.
     */
    private volatile long queuedBytes;
    private long lastAppliedIndex;
    private final RequestTable requests;
    private final MessageDigest receiptHash;

    /** The largest stamp applied: the machine's time, in millis. Volatile: read by the leader's ticker. */
    private volatile long clock;
    /** The earliest deadline of a live delivery, or {@link Long#MAX_VALUE}; volatile, as {@link #clock}. */
    private volatile long nextDeadline = Long.MAX_VALUE;
    private long nextOrder;
    private HashMap<String, InFlight> inFlightByReceipt = new HashMap<>();
    private TreeSet<InFlight> inFlightByDeadline = new TreeSet<>();
    private volatile VisibilityListener listener;

    /** A state machine with the default {@link RequestRetention}, keeping messages on the heap. */
    public TopicStateMachine() {
        this(RequestRetention.defaults());
    }

    /** A state machine keeping messages on the heap ({@link MessageStores#memory()}). */
    public TopicStateMachine(RequestRetention retention) {
        this(retention, MessageStores.memory());
    }

    /**
     * @param retention how long request ids are remembered. It decides results (a retry is replayed
     *                  or executed), so it is a constant of the code, the same on every node, and
     *                  never read from a node's own settings.
     * @param stores    makes the stores the message bodies are kept in (one now, a new one at each
     *                  restore); for example {@code new FileStores(dir, segmentBytes)}
     */
    public TopicStateMachine(RequestRetention retention, MessageStores stores) {
        this.stores = stores;
        this.store = stores.create();
        this.requests = new RequestTable(retention);
        try {
            this.receiptHash = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every Java platform has SHA-256
        }
    }

    /**
     * What a queued message is charged against a {@link QueueBound}: the bytes its record takes in
     * the {@link MessageStore} (its UTF-8 length plus the record header). A pure function of the message.
     */
    public static long footprint(String message) {
        return MessageStore.recordBytes(utf8Length(message));
    }

    /** The UTF-8 length of {@code s}, which (as every string in the state) is valid Unicode. */
    static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4; // with the low surrogate that follows
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A body from the store: written from a valid string, and checked by the store's CRC. */
    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Sets who is told when messages become visible ({@code null}: nobody). Any thread. */
    public void setVisibilityListener(VisibilityListener listener) {
        this.listener = listener;
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
        MqCommand.Stamped stamp = null;
        MqCommand body = decoded;
        if (decoded instanceof MqCommand.Stamped stamped) {
            stamp = stamped;
            advanceClock(stamped.nowMillis());
            body = stamped.command();
        }
        if (body instanceof MqCommand.Identified identified) {
            int offset = stamp == null ? MqCodec.wrappedWriteOffset(identified)
                    : MqCodec.wrappedWriteOffset(stamp, identified);
            return applyIdentified(index, identified, command, offset, stamp);
        }
        return MqCodec.encodeResult(execute(index, body, stamp));
    }

    /**
     * The read-only command {@code ListTopics}, answered from the current state without a log entry
     * (the server's {@code GET /topic}, through a linearizable read). Its result is the one
     * {@link #apply} would give.
     *
     * @throws IllegalArgumentException for any other command, or bytes that are not one
     */
    @Override
    public byte[] query(byte[] query) {
        MqCommand decoded = MqCodec.decodeCommand(query);
        if (!(decoded instanceof MqCommand.ListTopics)) {
            throw new IllegalArgumentException("not a read-only command: " + decoded.getClass().getSimpleName());
        }
        if (encodedTopicList == null) {
            encodedTopicList = MqCodec.encodeResult(MqResult.topics(new ArrayList<>(topics.keySet())));
        }
        return encodedTopicList.clone(); // the caller owns its copy
    }

    /** At most once per request id: execute and remember, or answer from memory. */
    private byte[] applyIdentified(long index, MqCommand.Identified identified, byte[] entry, int writeOffset,
                                   MqCommand.Stamped stamp) {
        byte[] fingerprint = requests.fingerprint(MqCodec.VERSION, entry, writeOffset);
        RequestTable.Remembered earlier = requests.get(identified.requestId());
        if (earlier != null) {
            if (!MessageDigest.isEqual(earlier.fingerprint(), fingerprint)) {
                return MqCodec.encodeResult(MqResult.of(MqResult.Outcome.REQUEST_ID_REUSED));
            }
            return MqCodec.markReplayed(earlier.result());
        }
        MqResult executed = execute(index, identified.command(), stamp);
        byte[] result = MqCodec.encodeResult(executed);
        if (!foundNothing(identified.command(), executed)) {
            requests.remember(identified.requestId(), index, fingerprint, result);
        }
        return result;
    }

    /** A pop or receive that found the queue empty changed nothing: a retry may run afresh. */
    private static boolean foundNothing(MqCommand command, MqResult result) {
        return (command instanceof MqCommand.PopMessage && result.outcome() == MqResult.Outcome.QUEUE_EMPTY)
                || (command instanceof MqCommand.Receive && result.outcome() == MqResult.Outcome.OK
                        && result.deliveries().isEmpty());
    }

    private MqResult execute(long index, MqCommand command, MqCommand.Stamped stamp) {
        if (command instanceof MqCommand.CreateTopic c) {
            if (topics.containsKey(c.topic())) {
                return MqResult.of(MqResult.Outcome.TOPIC_EXISTS);
            }
            topics.put(c.topic(), new TopicQueue(topics.size(), 0));
            encodedTopicList = null;
            return MqResult.ok();
        } else if (command instanceof MqCommand.PutMessage p) {
            TopicQueue queue = topics.get(p.topic());
            if (queue == null) {
                return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
            }
            byte[] body = utf8(p.message());
            queue.addFresh(store, body);
            messageCount++;
            queuedBytes += MessageStore.recordBytes(body.length);
            notifyVisible(p.topic());
            return MqResult.ok();
        } else if (command instanceof MqCommand.PopMessage p) {
            TopicQueue queue = topics.get(p.topic());
            if (queue == null) {
                return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
            }
            TopicQueue.Taken taken = queue.takeOldest(store);
            if (taken == null) {
                return MqResult.of(MqResult.Outcome.QUEUE_EMPTY);
            }
            store.release(taken.chain(), taken.position());
            messageCount--;
            queuedBytes -= MessageStore.recordBytes(taken.body().length);
            return MqResult.popped(text(taken.body()));
        } else if (command instanceof MqCommand.ListTopics) {
            return MqResult.topics(new ArrayList<>(topics.keySet()));
        } else if (command instanceof MqCommand.PutBatch b) {
            return putBatch(b);
        } else if (command instanceof MqCommand.Receive r) {
            return stamp == null ? MqResult.of(MqResult.Outcome.INVALID_COMMAND) : receive(index, r, stamp);
        } else if (command instanceof MqCommand.Ack a) {
            return endDeliveries(a.topic(), a.receipts(), true);
        } else if (command instanceof MqCommand.Nack n) {
            return endDeliveries(n.topic(), n.receipts(), false);
        } else if (command instanceof MqCommand.SetPolicy p) {
            return setPolicy(p);
        } else if (command instanceof MqCommand.Tick) {
            return MqResult.ok();
        }
        // Unreachable: MqCommand is sealed, Identified and Stamped are unwrapped before execute and
        // their constructors refuse nesting.
        throw new IllegalStateException("unhandled command " + command);
    }

    private MqResult putBatch(MqCommand.PutBatch batch) {
        TopicQueue queue = topics.get(batch.topic());
        if (queue == null) {
            return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
        }
        long bytes = 0;
        for (String message : batch.messages()) {
            byte[] body = utf8(message);
            queue.addFresh(store, body);
            bytes += MessageStore.recordBytes(body.length);
        }
        messageCount += batch.messages().size();
        queuedBytes += bytes;
        notifyVisible(batch.topic());
        return MqResult.counted(batch.messages().size());
    }

    private MqResult receive(long index, MqCommand.Receive receive, MqCommand.Stamped stamp) {
        TopicQueue queue = topics.get(receive.topic());
        if (queue == null) {
            return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
        }
        long deadline = saturatedAdd(clock, receive.visibilityMillis());
        List<MqResult.Delivery> handedOut = new ArrayList<>(Math.min(receive.max(), queue.visibleCount()));
        byte[] nonce = stamp.nonce();
        for (int i = 0; i < receive.max(); i++) {
            TopicQueue.Taken taken = queue.takeOldest(store);
            if (taken == null) {
                break;
            }
            String receipt = receipt(nonce, index, i);
            int deliveries = taken.deliveries() + 1;
            InFlight delivery = new InFlight(receipt, receive.topic(), taken.seq(), taken.chain(), taken.position(),
                    taken.body().length, deliveries, deadline, nextOrder++);
            inFlightByReceipt.put(receipt, delivery);
            inFlightByDeadline.add(delivery);
            handedOut.add(new MqResult.Delivery(text(taken.body()), receipt, deliveries));
        }
        updateNextDeadline();
        return MqResult.received(handedOut);
    }

    /**
     * The receipt of the {@code position}-th delivery of the entry at {@code index}: the first 16
     * bytes of SHA-256(nonce, index, position), in hex. The nonce makes it unguessable; the index
     * and position make it unique (a repeated nonce would not repeat a receipt).
     */
    private String receipt(byte[] nonce, long index, int position) {
        receiptHash.update(nonce);
        for (int shift = 56; shift >= 0; shift -= 8) {
            receiptHash.update((byte) (index >>> shift));
        }
        for (int shift = 24; shift >= 0; shift -= 8) {
            receiptHash.update((byte) (position >>> shift));
        }
        byte[] digest = receiptHash.digest();
        StringBuilder hex = new StringBuilder(2 * RECEIPT_BYTES);
        for (int i = 0; i < RECEIPT_BYTES; i++) {
            hex.append(Character.forDigit((digest[i] >> 4) & 0xF, 16)).append(Character.forDigit(digest[i] & 0xF, 16));
        }
        return hex.toString();
    }

    /** Ack ({@code remove}) or nack the live deliveries of {@code topic} named by {@code receipts}. */
    private MqResult endDeliveries(String topic, List<String> receipts, boolean remove) {
        if (!topics.containsKey(topic)) {
            return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
        }
        int ended = 0;
        for (String receipt : receipts) {
            InFlight delivery = inFlightByReceipt.get(receipt);
            if (delivery == null || !delivery.topic().equals(topic)) {
                continue; // stale, unknown, already ended (a repeat in the list), or another topic's
            }
            inFlightByReceipt.remove(receipt);
            inFlightByDeadline.remove(delivery);
            ended++;
            if (remove) {
                store.release(delivery.chain(), delivery.position());
                messageCount--;
                queuedBytes -= MessageStore.recordBytes(delivery.length());
            } else {
                endWithoutAck(delivery);
            }
        }
        updateNextDeadline();
        return MqResult.counted(ended);
    }

    private MqResult setPolicy(MqCommand.SetPolicy policy) {
        TopicQueue queue = topics.get(policy.topic());
        if (queue == null || (policy.maxDeliveries() > 0 && !topics.containsKey(policy.deadLetterTopic()))) {
            return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
        }
        queue.maxDeliveries = policy.maxDeliveries();
        queue.deadLetterTopic = policy.maxDeliveries() > 0 ? policy.deadLetterTopic() : "";
        return MqResult.ok();
    }

    /** Moves the clock forward to {@code stamp} (never back) and expires every delivery due by then. */
    private void advanceClock(long stamp) {
        if (stamp > clock) {
            clock = stamp;
        }
        boolean expired = false;
        while (!inFlightByDeadline.isEmpty() && inFlightByDeadline.first().deadline() <= clock) {
            InFlight due = inFlightByDeadline.pollFirst();
            inFlightByReceipt.remove(due.receipt());
            endWithoutAck(due);
            expired = true;
        }
        if (expired) {
            updateNextDeadline();
        }
    }

    /** A delivery ended without an ack: the message is visible again, or dead-lettered. */
    private void endWithoutAck(InFlight delivery) {
        TopicQueue queue = topics.get(delivery.topic());
        TopicQueue deadLetters = queue.maxDeliveries > 0 && delivery.deliveries() >= queue.maxDeliveries
                ? topics.get(queue.deadLetterTopic) : null;
        if (deadLetters != null) {
            // A fresh message of the dead-letter topic, so a record of its chain: copied, then released.
            deadLetters.addFresh(store, store.read(delivery.chain(), delivery.position()));
            store.release(delivery.chain(), delivery.position());
            notifyVisible(queue.deadLetterTopic);
        } else {
            queue.giveBack(delivery.seq(), delivery.chain(), delivery.position(), delivery.length(), delivery.deliveries());
            notifyVisible(delivery.topic());
        }
    }

    private void updateNextDeadline() {
        nextDeadline = inFlightByDeadline.isEmpty() ? Long.MAX_VALUE : inFlightByDeadline.first().deadline();
    }

    private void notifyVisible(String topic) {
        VisibilityListener l = listener;
        if (l != null) {
            TopicQueue queue = topics.get(topic);
            l.messagesVisible(topic, queue == null ? 0 : queue.visibleCount());
        }
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    /** The number of topics. */
    public int topicCount() {
        return topics.size();
    }

    /** What the queued messages are charged against a {@link QueueBound} ({@link #footprint}); O(1), any thread. */
    public long queuedBytes() {
        return queuedBytes;
    }

    /** The number of messages held across all topics, visible or in flight; O(1). */
    public long messageCount() {
        return messageCount;
    }

    /** The number of live deliveries (received, not yet acked, nacked or expired). */
    public int inFlightCount() {
        return inFlightByReceipt.size();
    }

    /** The machine's time: the largest stamp applied, in millis (0 before any). Any thread. */
    public long clockMillis() {
        return clock;
    }

    /** The earliest deadline of a live delivery, or {@link Long#MAX_VALUE} if none. Any thread. */
    public long nextDeadlineMillis() {
        return nextDeadline;
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
     * Calls {@code action} with every topic and the number of messages visible in it (not those
     * received and not yet acknowledged), in creation order; O(number of topics), nothing copied. Read-only, for the applying thread (metrics sample
     * the queues through it between two entries).
     */
    public void forEachTopicDepth(java.util.function.ObjIntConsumer<String> action) {
        topics.forEach((name, queue) -> action.accept(name, queue.visibleCount()));
    }

    /** What {@link #forEachTopicSpan} reports of one topic. */
    @FunctionalInterface
    public interface TopicSpanConsumer {
        /**
         * @param depth     messages visible in the topic (as {@link #forEachTopicDepth})
         * @param oldestSeq the order number of the oldest visible message ({@code nextSeq} when none)
         * @param nextSeq   the order number the next message put into the topic will get
         */
        void accept(String topic, int depth, long oldestSeq, long nextSeq);
    }

    /**
     * Calls {@code action} with every topic, in creation order, and where its visible messages lie
     * in its order: a topic numbers its messages 0, 1, 2, ... as they arrive (put, or moved in as
     * dead letters), so the numbers tell when its oldest visible message came relative to the others
     * (the server estimates the oldest-message age from them).
     * O(number of topics), nothing copied. Read-only, for the applying thread.
     */
    public void forEachTopicSpan(TopicSpanConsumer action) {
        topics.forEach((name, queue) -> {
            long next = queue.tailSeq();
            long oldest = queue.returned.isEmpty() ? queue.headSeq : queue.returned.firstKey();
            action.accept(name, queue.visibleCount(), queue.visibleCount() == 0 ? next : oldest, next);
        });
    }

    /**
     * Writes the state in the format of the class comment. Flushes {@code out} but does not close
     * it. Cost: one pass over the messages, read from the store in order.
     */
    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        takeSnapshot().writeTo(out);
    }

    /** One topic as captured for a snapshot: positions, and immutable or private copies. */
    record TopicView(String name, int chain, long headSeq, long headPosition, long freshCount,
                             List<Map.Entry<Long, TopicQueue.Returned>> returned, int maxDeliveries,
                             String deadLetterTopic) {
    }

    /**
     * Captures the state cheaply for a snapshot written on another thread: per topic its head and
     * fresh count, its returned messages' positions, the live deliveries and the remembered requests
     * (immutable records), and a {@link MessageStore.Pin} that keeps every captured record readable
     * until the writer is done. Cost on the caller's thread: O(topics + returned + in-flight), no
     * per-queued-message work. The writer must be run (the pin it closes defers the store's space
     * reclamation until then), which the runtime does with every writer it takes. Makes no checkpoint.
     */
    @Override
    public SnapshotWriter takeSnapshot() {
        return capture(-1);
    }

    /**
     * {@link #takeSnapshot()}, and the writer also makes the same state this node's checkpoint of
     * {@code index} (see {@link #resumeCheckpoint}). If the stores keep checkpoints (files), the
     * snapshot is then only a reference to it ({@link #expandSnapshot}): the checkpoint is made
     * durable first, and no body is written again; else the snapshot's bytes are the whole state.
     */
    @Override
    public SnapshotWriter takeSnapshot(long index) {
        if (index < lastAppliedIndex) {
            throw new IllegalArgumentException("a snapshot of " + index + " after applying " + lastAppliedIndex);
        }
        return capture(index);
    }

    /** @param checkpointIndex the index to name a checkpoint by, or -1 for none */
    private SnapshotWriter capture(long checkpointIndex) {
        long index = lastAppliedIndex;
        long time = clock;
        long order = nextOrder;
        List<TopicView> views = views(topics);
        List<InFlight> inFlight = List.copyOf(inFlightByDeadline);
        List<Map.Entry<String, RequestTable.Remembered>> remembered = entries(requests.entries());
        long messages = messageCount;
        long bytes = queuedBytes;
        MessageStore.Pin pin = store.pin();
        if (checkpointIndex >= 0 && stores.keepsCheckpoints()) {
            return out -> {
                try (pin) {
                    stores.checkpoint(checkpointIndex, metadata -> MachineCheckpoint.write(metadata, index, time, order,
                            messages, bytes, views, inFlight, remembered), pin);
                }
                writeReference(out, checkpointIndex);
            };
        }
        return out -> {
            try (pin) {
                write(out, pin, index, time, order, views, inFlight, remembered);
                if (checkpointIndex >= 0) {
                    // The same state, as this node's own checkpoint: a restart opens it instead of
                    // reading every body back from the snapshot (StateMachine.resumeCheckpoint).
                    stores.checkpoint(checkpointIndex, metadata -> MachineCheckpoint.write(metadata, index, time, order,
                            messages, bytes, views, inFlight, remembered), pin);
                }
            }
        };
    }

    /** Per topic, its positions and immutable copies: what a snapshot or a checkpoint records. */
    private static List<TopicView> views(Map<String, TopicQueue> topics) {
        List<TopicView> views = new ArrayList<>(topics.size());
        for (Map.Entry<String, TopicQueue> topic : topics.entrySet()) {
            TopicQueue q = topic.getValue();
            views.add(new TopicView(topic.getKey(), q.chain, q.headSeq, q.headPosition, q.freshCount,
                    q.returned.isEmpty() ? List.of() : List.copyOf(q.returned.entrySet()), q.maxDeliveries,
                    q.deadLetterTopic));
        }
        return views;
    }

    /** The remembered requests, oldest first, as immutable entries. */
    private static List<Map.Entry<String, RequestTable.Remembered>> entries(Map<String, RequestTable.Remembered> requests) {
        return requests.entrySet().stream().map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    private static void writeReference(OutputStream out, long checkpointIndex) throws IOException {
        CRC32C crc = new CRC32C();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
        data.writeInt(SNAPSHOT_MAGIC);
        data.writeByte(SNAPSHOT_REFERENCE);
        data.writeLong(checkpointIndex);
        data.flush();
        data.writeInt((int) crc.getValue());
        data.flush();
    }

    /**
     * For a snapshot by reference (see {@link #takeSnapshot(long)}), the writer of the whole state
     * from the checkpoint it names, for a follower: the metadata decoded and every body read from
     * the checkpoint's frozen segment files (never from the live store, which this thread must not
     * touch), written in the snapshot format, byte for byte what {@link #writeSnapshot} wrote at
     * that index. The checkpoint is opened only when the writer runs. Null for a whole snapshot.
     */
    @Override
    public SnapshotWriter expandSnapshot(long index, InputStream state) throws IOException {
        DataInputStream data = new DataInputStream(state);
        if (data.readInt() != SNAPSHOT_MAGIC || data.readByte() != SNAPSHOT_REFERENCE) {
            return null;
        }
        long checkpoint = data.readLong();
        return out -> {
            MessageStores.Resumed frozen = stores.readOnly(checkpoint).orElseThrow(() -> new IOException(
                    "snapshot " + index + " refers to checkpoint " + checkpoint + ", which is missing or damaged"));
            try {
                MachineCheckpoint.State st;
                try (InputStream metadata = frozen.metadata()) {
                    st = MachineCheckpoint.decode(metadata);
                }
                try (MessageStore.Pin bodies = frozen.store().pin()) {
                    write(out, bodies, st.index(), st.clock(), st.order(), views(st.topics()),
                            List.copyOf(st.inFlightByDeadline()), entries(st.requests()));
                }
            } finally {
                frozen.store().discard();
            }
        };
    }

    /**
     * Opens the checkpoint its {@link MessageStores} kept of the state after {@code index}, if any:
     * reads the metadata (topics, returned and in-flight messages, remembered requests) and adopts
     * the checkpoint's store, whose records it names; O(metadata + segments), whatever the depth.
     */
    @Override
    public boolean resumeCheckpoint(long index) throws IOException {
        java.util.Optional<MessageStores.Resumed> resumed = stores.resume(index);
        if (resumed.isEmpty()) {
            return false;
        }
        MachineCheckpoint.State state;
        try (InputStream metadata = resumed.get().metadata()) {
            state = MachineCheckpoint.decode(metadata);
            if (state.index() > index) { // entries after the machine's last one are the engine's own
                throw new IOException("checkpoint of " + index + " holds the state of " + state.index());
            }
        } catch (IOException e) {
            resumed.get().store().discard();
            throw e;
        }
        install(resumed.get().store(), state);
        return true;
    }

    private static void write(OutputStream out, MessageStore.Pin bodies, long index, long time, long order,
                              List<TopicView> views, List<InFlight> inFlight,
                              List<Map.Entry<String, RequestTable.Remembered>> requestEntries) throws IOException {
        CRC32C crc = new CRC32C();
        // Buffer before checksumming, so the CRC runs over large chunks rather than single bytes.
        DataOutputStream data = new DataOutputStream(
                new BufferedOutputStream(new CheckedOutputStream(out, crc), IO_BUFFER));
        data.writeInt(SNAPSHOT_MAGIC);
        data.writeByte(SNAPSHOT_VERSION);
        data.writeLong(index);
        data.writeLong(time);
        data.writeLong(order);
        data.writeInt(views.size());
        for (TopicView view : views) {
            writeString(data, view.name());
            data.writeLong(view.headSeq());
            if (view.freshCount() > Integer.MAX_VALUE) {
                throw new IOException("topic " + view.name() + " holds more messages than a snapshot can: "
                        + view.freshCount());
            }
            data.writeInt((int) view.freshCount());
            MessageStore.Cursor fresh = bodies.cursor(view.chain(), view.headPosition());
            for (long m = 0; m < view.freshCount(); m++) {
                writeBytes(data, fresh.next());
            }
            data.writeInt(view.returned().size());
            for (Map.Entry<Long, TopicQueue.Returned> back : view.returned()) {
                TopicQueue.Returned r = back.getValue();
                data.writeLong(back.getKey());
                data.writeInt(r.deliveries());
                writeBytes(data, bodies.read(r.chain(), r.position()));
            }
            data.writeInt(view.maxDeliveries());
            writeString(data, view.deadLetterTopic());
        }
        data.writeInt(inFlight.size());
        for (InFlight delivery : inFlight) {
            writeString(data, delivery.receipt());
            writeString(data, delivery.topic());
            data.writeLong(delivery.seq());
            data.writeInt(delivery.deliveries());
            data.writeLong(delivery.deadline());
            data.writeLong(delivery.order());
            writeBytes(data, bodies.read(delivery.chain(), delivery.position()));
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

    /** A string as the snapshot holds it, from its UTF-8 bytes (a message body is stored so). */
    private static void writeBytes(DataOutputStream data, byte[] utf8) throws IOException {
        data.writeInt(utf8.length);
        data.write(utf8);
    }

    private static void writeString(DataOutputStream data, String s) throws IOException {
        // Every string in the state came through MqCodec, so it is valid Unicode already.
        writeBytes(data, utf8(s));
    }

    /**
     * Replaces the whole state with the snapshot that makes up the rest of {@code in}. Verifies
     * magic, version, structure (down to each remembered result being a valid result encoding and
     * each live delivery naming an existing topic) and CRC32C before touching the current state: on
     * any {@link IOException} (corrupt, truncated, trailing bytes, unknown version) the state is
     * exactly as before. Allocation is bounded by the bytes actually read, whatever the lengths claim,
     * and does not grow with the messages: their bodies go to a new store as they are read, which
     * replaces the current one only once the whole snapshot has verified (else it is discarded).
     * Does not close {@code in}.
     */
    @Override
    public void restoreSnapshot(InputStream in) throws IOException {
        MessageStore restoredStore = stores.create();
        boolean restored = false;
        try {
            restoreInto(restoredStore, in);
            restored = true;
        } finally {
            if (!restored) {
                restoredStore.discard();
            }
        }
    }

    private void restoreInto(MessageStore bodies, InputStream in) throws IOException {
        CRC32C crc = new CRC32C();
        DataInputStream data = new DataInputStream(
                new CheckedInputStream(new BufferedInputStream(in, IO_BUFFER), crc));
        int magic = data.readInt();
        if (magic != SNAPSHOT_MAGIC) {
            throw new IOException("not an RRMQ topic snapshot: magic 0x" + Integer.toHexString(magic));
        }
        byte version = data.readByte();
        if (version == SNAPSHOT_REFERENCE) {
            throw new IOException("the snapshot is a reference to this node's checkpoint " + data.readLong()
                    + ", which is missing or damaged, so the state cannot be restored from it: stop the node,"
                    + " move its data directory away and start it again to have it rejoin from the leader");
        }
        if (version != SNAPSHOT_VERSION && version != SNAPSHOT_VERSION_WITHOUT_CONSUMERS
                && version != SNAPSHOT_VERSION_WITHOUT_REQUESTS) {
            throw new IOException("unsupported topic snapshot version " + version);
        }
        boolean consumers = version == SNAPSHOT_VERSION;
        long restoredIndex = data.readLong();
        if (restoredIndex < 0) {
            throw new IOException("corrupt topic snapshot: lastAppliedIndex " + restoredIndex);
        }
        long restoredClock = consumers ? data.readLong() : 0;
        long restoredOrder = consumers ? data.readLong() : 0;
        int topicCount = readCount(data, "topic count");
        Map<String, TopicQueue> restored = new LinkedHashMap<>();
        long restoredMessages = 0;
        long restoredBytes = 0;
        for (int t = 0; t < topicCount; t++) {
            String name = readString(data, "topic name");
            long headSeq = consumers ? data.readLong() : 0;
            int size = readCount(data, "message count");
            TopicQueue queue = new TopicQueue(t, headSeq);
            if (restored.putIfAbsent(name, queue) != null) {
                throw new IOException("corrupt topic snapshot: topic listed twice");
            }
            for (int m = 0; m < size; m++) {
                byte[] message = readUtf8(data, "message");
                queue.addFresh(bodies, message);
                restoredBytes += MessageStore.recordBytes(message.length);
            }
            restoredMessages += size;
            if (consumers) {
                int returnedCount = readCount(data, "returned count");
                for (int r = 0; r < returnedCount; r++) {
                    long seq = data.readLong();
                    int deliveries = data.readInt();
                    byte[] message = readUtf8(data, "returned message");
                    if (seq >= headSeq || deliveries < 1 || queue.returned.containsKey(seq)) {
                        throw new IOException("corrupt topic snapshot: bad returned message");
                    }
                    queue.giveBack(seq, RESTORED_CHAIN, bodies.append(RESTORED_CHAIN, message), message.length, deliveries);
                    restoredBytes += MessageStore.recordBytes(message.length);
                    restoredMessages++;
                }
                queue.maxDeliveries = data.readInt();
                queue.deadLetterTopic = readString(data, "dead-letter topic");
                if (queue.maxDeliveries < 0) {
                    throw new IOException("corrupt topic snapshot: bad policy");
                }
            }
        }
        HashMap<String, InFlight> byReceipt = new HashMap<>();
        TreeSet<InFlight> byDeadline = new TreeSet<>();
        if (consumers) {
            int inFlightCount = readCount(data, "in-flight count");
            for (int i = 0; i < inFlightCount; i++) {
                String receipt = readString(data, "receipt");
                String topic = readString(data, "delivery topic");
                long seq = data.readLong();
                int deliveries = data.readInt();
                long deadline = data.readLong();
                long order = data.readLong();
                byte[] message = readUtf8(data, "delivered message");
                InFlight delivery = new InFlight(receipt, topic, seq, RESTORED_CHAIN,
                        bodies.append(RESTORED_CHAIN, message), message.length, deliveries, deadline, order);
                TopicQueue queue = restored.get(topic);
                if (queue == null || seq >= queue.headSeq || deliveries < 1 || order >= restoredOrder
                        || byReceipt.put(receipt, delivery) != null || !byDeadline.add(delivery)) {
                    throw new IOException("corrupt topic snapshot: bad delivery");
                }
                restoredBytes += MessageStore.recordBytes(message.length);
                restoredMessages++;
            }
        }
        LinkedHashMap<String, RequestTable.Remembered> restoredRequests = new LinkedHashMap<>();
        if (version != SNAPSHOT_VERSION_WITHOUT_REQUESTS) {
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
        install(bodies, new MachineCheckpoint.State(restoredIndex, restoredClock, restoredOrder, restoredMessages,
                restoredBytes, restored, byReceipt, byDeadline, restoredRequests));
    }

    /** Replaces the whole state, and the store, with a restored one. */
    private void install(MessageStore bodies, MachineCheckpoint.State state) {
        store.discard();
        store = bodies;
        topics = state.topics();
        encodedTopicList = null;
        messageCount = state.messages();
        queuedBytes = state.bytes();
        lastAppliedIndex = state.index();
        clock = state.clock();
        nextOrder = state.order();
        inFlightByReceipt = state.inFlightByReceipt();
        inFlightByDeadline = state.inFlightByDeadline();
        updateNextDeadline();
        requests.replaceWith(state.requests());
        for (Map.Entry<String, TopicQueue> topic : topics.entrySet()) {
            if (topic.getValue().visibleCount() > 0) {
                notifyVisible(topic.getKey());
            }
        }
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

    /** A string's UTF-8 bytes, checked as {@link #readString} checks them. */
    private static byte[] readUtf8(DataInputStream data, String what) throws IOException {
        int length = readCount(data, what + " length");
        byte[] utf8 = readBytes(data, length, what);
        try {
            MqCodec.fromUtf8(utf8, 0, length, what);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt topic snapshot: " + e.getMessage(), e);
        }
        return utf8;
    }
}

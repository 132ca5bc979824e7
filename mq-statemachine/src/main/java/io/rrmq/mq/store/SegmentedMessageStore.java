package io.rrmq.mq.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * A {@link MessageStore} of segments: each chain is a run of segments (files, or heap arrays for
 * tests), each named by the chain position of its first record, written with positional writes and
 * never forced (see the interface on durability). Record: {@code [body length u32][CRC32C of the
 * body u32][body]}, big-endian; a record never spans two segments. Each segment counts its live
 * records; one is deleted once every record in it is released and a newer segment follows it, so
 * the space held is the live messages plus at most one partly used segment per chain, and whatever
 * a slow consumer's oldest unacknowledged message keeps alive in its segment.
 *
 * <p>Reads check the CRC: a damaged record fails loudly instead of delivering altered bytes.
 *
 * <p>This is RabbitMQ quorum queues' design since 3.10 (segment files with the bodies, reference
 * counts per segment, the Raft log as the durable source) and Kafka's (a partition is a directory of
 * segments named by base offset), without their index files: a topic here is read only at its head.
 */
public final class SegmentedMessageStore implements MessageStore {
    /** The default segment size in files: big enough that a deep queue is a few hundred files, small enough to free space soon. */
    public static final int DEFAULT_SEGMENT_BYTES = 16 << 20;
    /** The segment size on the heap: small, since every topic's tail segment is allocated whole. */
    public static final int MEMORY_SEGMENT_BYTES = 16 << 10;
    private static final int READ_AHEAD = 4096;
    private static final int WRITE_BUFFER = 64 << 10;
    /** A drained tail segment at least this long is deleted at once (see {@link #release}). */
    private static final int DRAINED_TAIL_BYTES = 64 << 10;
    private static final int CURSOR_BUFFER = 1 << 16;
    /** No body is larger (the API admits 1 MiB): a larger length is damage, not an allocation to try. */
    private static final int MAX_BODY = 64 << 20;

    private static final class Segment {
        final long base;
        final SegmentSpace.Segment bytes;
        /**
         * Owned by the applying thread: where the next record goes, up to where the records are in
         * the space (the rest is in the store's write buffer), and how many records are live.
         */
        long end;
        long flushed;
        long live;

        Segment(long base, SegmentSpace.Segment bytes) {
            this.base = base;
            this.bytes = bytes;
            this.end = base;
            this.flushed = base;
        }

        String name() {
            return bytes.name();
        }
    }

    private static final class Chain {
        final int number;
        final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
        /** The last segment, or null when a drained one was deleted. */
        Segment tail;
        /** The position of the next record. */
        long end;

        Chain(int number) {
            this.number = number;
        }
    }

    private final SegmentSpace space;
    private final int segmentBytes;
    private final Map<Integer, Chain> chains = new ConcurrentHashMap<>();
    private final Reclaimer reclaimer;
    private final CRC32C crc = new CRC32C();
    /**
     * Records appended to {@link #pendingSegment} and not yet written to the space: one write call
     * per {@value #WRITE_BUFFER} bytes instead of one per record. One buffer per store, not per
     * chain, so that many topics cost no heap; appends to another chain write it out first.
     */
    private final ByteBuffer pending = ByteBuffer.allocate(WRITE_BUFFER);
    private Segment pendingSegment;
    private final AtomicLong segmentsDeleted = new AtomicLong();

    private SegmentedMessageStore(SegmentSpace space, int segmentBytes) {
        if (segmentBytes < HEADER_BYTES) {
            throw new IllegalArgumentException("segmentBytes too small: " + segmentBytes);
        }
        this.space = space;
        this.segmentBytes = segmentBytes;
        this.reclaimer = new Reclaimer(this::deleteAll);
    }

    /**
     * A new store in files under {@code root}, which must not exist or be empty: it is created, and
     * deleted by {@link #discard}.
     */
    public static SegmentedMessageStore inFiles(Path root, int segmentBytes) {
        try {
            return new SegmentedMessageStore(new FileSegmentSpace(root), segmentBytes);
        } catch (IOException e) {
            throw MessageStore.failure("cannot create message store " + root, e);
        }
    }

    /**
     * The store a checkpoint froze, in files under {@code root} (as {@link #inFiles}): each segment of
     * {@code layout} is adopted from its file, which must hold at least the segment's bytes.
     */
    static SegmentedMessageStore resumed(Path root, int segmentBytes, StoreLayout layout) throws IOException {
        return of(new FileSegmentSpace(root), segmentBytes, layout);
    }

    /**
     * The store a checkpoint froze, for reading only, through a {@link MessageStore#pin}: its files
     * are opened for reading and never changed; {@link #discard} closes them.
     */
    static SegmentedMessageStore frozen(StoreLayout layout) throws IOException {
        return of(new FrozenSegmentSpace(), DEFAULT_SEGMENT_BYTES, layout);
    }

    private static SegmentedMessageStore of(SegmentSpace space, int segmentBytes, StoreLayout layout) throws IOException {
        SegmentedMessageStore store = new SegmentedMessageStore(space, segmentBytes);
        try {
            adoptAll(store, layout);
        } catch (IOException | RuntimeException e) {
            store.discard(); // closes what was opened (and deletes the new names, for a resumed store)
            throw e;
        }
        return store;
    }

    private static void adoptAll(SegmentedMessageStore store, StoreLayout layout) throws IOException {
        for (StoreLayout.ChainLayout chain : layout.chains()) {
            Chain c = new Chain(chain.chain());
            c.end = chain.end();
            for (StoreLayout.SegmentLayout s : chain.segments()) {
                Segment segment = new Segment(s.base(), store.space.adopt(chain.chain(), s.base(), s.file(),
                        s.end() - s.base()));
                segment.end = s.end();
                segment.flushed = s.end();
                segment.live = s.live();
                c.segments.put(s.base(), segment);
            }
            c.tail = chain.tailBase() < 0 ? null : c.segments.get(chain.tailBase());
            if (chain.tailBase() >= 0 && c.tail == null) {
                throw new IOException("checkpoint chain " + chain.chain() + " has no tail segment " + chain.tailBase());
            }
            store.chains.put(chain.chain(), c);
        }
    }

    /** A new store on the heap. */
    public static SegmentedMessageStore inMemory(int segmentBytes) {
        return new SegmentedMessageStore(new MemorySegmentSpace(), segmentBytes);
    }

    @Override
    public long append(int chain, byte[] body) {
        reclaimer.catchUp();
        Chain c = chains.computeIfAbsent(chain, Chain::new);
        int length = Math.toIntExact(MessageStore.recordBytes(body.length));
        Segment tail = c.tail;
        if (tail == null || (tail.end > tail.base && tail.end - tail.base + length > segmentBytes)) {
            tail = roll(c, c.end, length);
        }
        if (pendingSegment != tail || pending.remaining() < length) {
            flush();
        }
        crc.reset();
        crc.update(body);
        long position = tail.end;
        if (length > pending.capacity()) {
            ByteBuffer record = ByteBuffer.allocate(length);
            record.putInt(body.length).putInt((int) crc.getValue()).put(body).flip();
            write(tail, record, position);
            tail.flushed = position + length;
        } else {
            pendingSegment = tail;
            pending.putInt(body.length).putInt((int) crc.getValue()).put(body);
        }
        tail.end = position + length;
        c.end = tail.end;
        tail.live++;
        return position;
    }

    /** Writes the buffered records out, so that the space holds every record appended. */
    private void flush() {
        Segment segment = pendingSegment;
        if (segment == null) {
            return;
        }
        pending.flip();
        write(segment, pending, segment.flushed);
        segment.flushed += pending.limit();
        pending.clear();
        pendingSegment = null;
    }

    private static void write(Segment segment, ByteBuffer bytes, long position) {
        try {
            long offset = position - segment.base;
            while (bytes.hasRemaining()) {
                // Positional: the snapshot thread may be reading the same segment meanwhile.
                offset += segment.bytes.write(bytes, offset);
            }
        } catch (IOException e) {
            throw MessageStore.failure("writing message store segment " + segment.name(), e);
        }
    }

    private Segment roll(Chain c, long base, long firstRecord) {
        Segment previous = c.tail;
        if (previous != null && pendingSegment == previous) {
            flush();
        }
        try {
            Segment segment = new Segment(base, space.create(c.number, base, (int) Math.max(segmentBytes, firstRecord)));
            c.segments.put(base, segment);
            c.tail = segment;
        } catch (IOException e) {
            throw MessageStore.failure("creating message store segment " + c.number + ":" + base, e);
        }
        if (previous != null && previous.live == 0) {
            reclaimer.reclaim(() -> delete(c, previous));
        }
        return c.tail;
    }

    @Override
    public byte[] read(int chain, long position) {
        Segment segment = segment(chain, position);
        if (segment == pendingSegment && position >= segment.flushed) {
            // Still in the write buffer: a queue that consumers keep up with is served from here.
            int at = (int) (position - segment.flushed);
            byte[] body = new byte[pending.getInt(at)];
            pending.get(at + HEADER_BYTES, body);
            return body;
        }
        return readWritten(segment, position);
    }

    /** Reads a record that is in the space (flushed), on any thread. */
    private byte[] readWritten(Segment segment, long position) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(READ_AHEAD);
            readFully(segment, buffer, position, HEADER_BYTES);
            int length = buffer.getInt(0);
            checkLength(segment, position, length);
            byte[] body = new byte[length];
            int inBuffer = Math.min(length, buffer.position() - HEADER_BYTES);
            System.arraycopy(buffer.array(), HEADER_BYTES, body, 0, inBuffer);
            if (inBuffer < length) {
                ByteBuffer rest = ByteBuffer.wrap(body, inBuffer, length - inBuffer);
                readFully(segment, rest, position + HEADER_BYTES + inBuffer, length - inBuffer);
            }
            return verified(segment, position, body, buffer.getInt(4));
        } catch (IOException e) {
            throw MessageStore.failure("reading message store segment " + segment.name(), e);
        }
    }

    /** Reads at least {@code atLeast} bytes into {@code buffer} (more if they come), from {@code position}. */
    private static void readFully(Segment segment, ByteBuffer buffer, long position, int atLeast) throws IOException {
        int start = buffer.position();
        while (buffer.position() - start < atLeast) {
            int n = segment.bytes.read(buffer, position - segment.base + buffer.position() - start);
            if (n < 0) {
                throw new IOException("record at " + position + " cut short");
            }
        }
    }

    private static void checkLength(Segment segment, long position, int length) throws IOException {
        if (length < 0 || length > MAX_BODY) {
            throw new IOException("corrupt record at " + position + " in " + segment.name() + ": length " + length);
        }
    }

    private static byte[] verified(Segment segment, long position, byte[] body, int storedCrc) throws IOException {
        CRC32C check = new CRC32C(); // a fresh one: the snapshot thread reads too
        check.update(body);
        if ((int) check.getValue() != storedCrc) {
            throw new IOException("corrupt record at " + position + " in " + segment.name() + ": checksum mismatch");
        }
        return body;
    }

    private Segment segment(int chain, long position) {
        Chain c = chains.get(chain);
        Map.Entry<Long, Segment> entry = c == null ? null : c.segments.floorEntry(position);
        if (entry == null) {
            throw new IllegalStateException("no segment holds " + chain + ":" + position);
        }
        return entry.getValue();
    }

    @Override
    public void release(int chain, long position) {
        Chain c = chains.get(chain);
        Segment segment = segment(chain, position);
        if (position >= segment.end || segment.live <= 0) { // past its end: its own segment is gone
            throw new IllegalStateException("record " + chain + ":" + position + " released twice");
        }
        segment.live--;
        if (segment.live == 0 && segment == c.tail && segment.end - segment.base >= DRAINED_TAIL_BYTES) {
            // A drained topic: its tail goes too (the next put starts a segment at c.end), so a
            // topic nobody writes to any more holds nothing. Below this size it stays, so that a
            // consumer that keeps up does not create and delete a file per message.
            if (segment == pendingSegment) {
                pending.clear(); // records nobody will read: a pin would have had them written out
                pendingSegment = null;
            }
            c.tail = null;
            reclaimer.reclaim(() -> delete(c, segment));
        } else if (segment.live == 0 && segment != c.tail) {
            reclaimer.reclaim(() -> delete(c, segment));
        } else {
            reclaimer.catchUp();
        }
    }

    private void delete(Chain c, Segment segment) {
        if (segment == pendingSegment) {
            throw new IllegalStateException("deleting the segment being written: " + segment.name());
        }
        c.segments.remove(segment.base);
        try {
            segment.bytes.delete();
            segmentsDeleted.incrementAndGet();
        } catch (IOException e) {
            throw MessageStore.failure("deleting message store segment " + segment.name(), e);
        }
    }

    @Override
    public Pin pin() {
        flush(); // the pin's reader reads the space only
        Reclaimer.Hold hold = reclaimer.hold();
        StoreLayout layout = layout();
        return new Pin() {
            @Override
            public StoreLayout layout() {
                return layout;
            }

            @Override
            public byte[] read(int chain, long position) {
                return readWritten(segment(chain, position), position);
            }

            @Override
            public Cursor cursor(int chain, long position) {
                return SegmentedMessageStore.this.cursor(chain, position);
            }

            @Override
            public void close() {
                hold.close();
            }
        };
    }

    /**
     * Every chain and the segments that matter (live records, or the tail), as they are now; on the
     * applying thread, with nothing buffered. O(segments). A segment without live records that is
     * not the tail is left out: it is waiting to be deleted.
     */
    private StoreLayout layout() {
        List<StoreLayout.ChainLayout> layout = new ArrayList<>(chains.size());
        for (Chain c : chains.values()) {
            List<StoreLayout.SegmentLayout> segments = new ArrayList<>();
            for (Segment s : c.segments.values()) {
                if (s.live > 0 || s == c.tail) {
                    segments.add(new StoreLayout.SegmentLayout(s.base, s.end, s.live, s.bytes.file()));
                }
            }
            layout.add(new StoreLayout.ChainLayout(c.number, c.end, c.tail == null ? -1 : c.tail.base, segments));
        }
        return new StoreLayout(layout);
    }

    @Override
    public void discard() {
        reclaimer.discard();
    }

    private void deleteAll() {
        try {
            for (Chain c : chains.values()) {
                for (Segment s : c.segments.values()) {
                    s.bytes.delete();
                }
            }
            space.deleteAll();
        } catch (IOException e) {
            throw MessageStore.failure("deleting a discarded message store", e);
        }
    }

    @Override
    public long tail(int chain) {
        Chain c = chains.get(chain);
        return c == null ? 0 : c.end;
    }

    /** A cursor over flushed records; for a pin's reader. */
    private Cursor cursor(int chain, long position) {
        return new Cursor() {
            private final ByteBuffer buffer = ByteBuffer.allocate(CURSOR_BUFFER);
            /**
             * The segment the buffer holds bytes of (what follows its last record is not the next
             * segment's), the chain position of buffer[0], and the next record's position.
             */
            private Segment bufferSegment;
            private long bufferStart = -1;
            private long next = position;

            @Override
            public byte[] next() {
                Segment segment = segment(chain, next);
                try {
                    if (!buffered(segment, next, HEADER_BYTES)) {
                        fill(segment, HEADER_BYTES);
                    }
                    int at = (int) (next - bufferStart);
                    int length = buffer.getInt(at);
                    int storedCrc = buffer.getInt(at + 4);
                    checkLength(segment, next, length);
                    byte[] body = new byte[length];
                    if (HEADER_BYTES + length > CURSOR_BUFFER) {
                        readFully(segment, ByteBuffer.wrap(body), next + HEADER_BYTES, length);
                    } else {
                        if (!buffered(segment, next, HEADER_BYTES + length)) {
                            fill(segment, HEADER_BYTES + length);
                        }
                        buffer.get((int) (next - bufferStart) + HEADER_BYTES, body);
                    }
                    long position = next;
                    next += MessageStore.recordBytes(length);
                    return verified(segment, position, body, storedCrc);
                } catch (IOException e) {
                    throw MessageStore.failure("reading message store segment " + segment.name(), e);
                }
            }

            private boolean buffered(Segment segment, long from, int bytes) {
                return segment == bufferSegment && from >= bufferStart && from + bytes <= bufferStart + buffer.position();
            }

            private void fill(Segment segment, int atLeast) throws IOException {
                buffer.clear();
                bufferSegment = segment;
                bufferStart = next;
                readFully(segment, buffer, next, atLeast);
            }
        };
    }

    /** Segments deleted since this store was made (for tests and metrics). */
    public long segmentsDeleted() {
        return segmentsDeleted.get();
    }

    /** The number of segments this store holds now; applying thread. */
    public int segmentCount() {
        return chains.values().stream().mapToInt(c -> c.segments.size()).sum();
    }
}

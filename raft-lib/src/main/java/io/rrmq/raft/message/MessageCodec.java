package io.rrmq.raft.message;

import io.rrmq.raft.LogEntry;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of {@link RaftMessage}s, for transports that carry bytes.
 *
 * <p>A batch is {@code [version u8][count u32]} followed by {@code count} messages. A message is
 * {@code [kind u8][from u32][to u32][term u64]} and then its kind's fields, big-endian. Entries are
 * {@code [index u64][term u64][type u8][length u32][data]}. The version byte lets a later release
 * read (and refuse) what an older one wrote; readers reject any version they do not know.
 *
 * <p>Decoding never trusts its input: a truncated, oversized or unknown encoding is rejected with
 * {@link IllegalArgumentException} and never allocates more than the input's size.
 */
public final class MessageCodec {
    /**
     * The only batch format this release reads and writes: 3 added the read round to AppendEntries
     * and its answer, and the ReadIndex request and answer (2 added TimeoutNow).
     */
    public static final byte VERSION = 3;

    private static final byte KIND_VOTE_REQUEST = 1;
    private static final byte KIND_VOTE_RESPONSE = 2;
    private static final byte KIND_APPEND = 3;
    private static final byte KIND_APPEND_RESPONSE = 4;
    private static final byte KIND_INSTALL_SNAPSHOT = 5;
    private static final byte KIND_INSTALL_SNAPSHOT_RESPONSE = 6;
    private static final byte KIND_TIMEOUT_NOW = 7;
    private static final byte KIND_READ_INDEX_REQUEST = 8;
    private static final byte KIND_READ_INDEX_RESPONSE = 9;

    private static final int MESSAGE_HEADER = 1 + 4 + 4 + 8;
    private static final int ENTRY_HEADER = 8 + 8 + 1 + 4;

    private MessageCodec() {
    }

    /**
     * Encodes several messages (typically all queued for one peer) into one batch.
     *
     * @param messages the messages
     * @return the batch's bytes
     */
    public static byte[] encodeBatch(List<? extends RaftMessage> messages) {
        int size = 1 + 4;
        for (RaftMessage m : messages) {
            size += encodedSize(m);
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(VERSION).putInt(messages.size());
        for (RaftMessage m : messages) {
            write(buf, m);
        }
        return buf.array();
    }

    /**
     * Decodes a batch written by {@link #encodeBatch}.
     *
     * @param bytes the batch's bytes
     * @return the messages, in order
     * @throws IllegalArgumentException the bytes are not a valid batch (a transport drops them)
     */
    public static List<RaftMessage> decodeBatch(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        try {
            byte version = buf.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("unsupported message format version " + version);
            }
            int count = buf.getInt();
            if (count < 0 || (long) count * MESSAGE_HEADER > buf.remaining()) {
                throw new IllegalArgumentException("bad message count " + count);
            }
            List<RaftMessage> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                out.add(read(buf));
            }
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException(buf.remaining() + " trailing bytes after batch");
            }
            return out;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated message batch", e);
        }
    }

    static int encodedSize(RaftMessage m) {
        if (m instanceof VoteRequest) {
            return MESSAGE_HEADER + 8 + 8 + 1 + 1;
        } else if (m instanceof TimeoutNow) {
            return MESSAGE_HEADER;
        } else if (m instanceof ReadIndexRequest) {
            return MESSAGE_HEADER + 8;
        } else if (m instanceof ReadIndexResponse) {
            return MESSAGE_HEADER + 8 + 8 + 1 + 4;
        } else if (m instanceof VoteResponse) {
            return MESSAGE_HEADER + 1 + 1;
        } else if (m instanceof AppendEntries a) {
            int n = MESSAGE_HEADER + 8 + 8 + 8 + 8 + 4;
            for (LogEntry e : a.entries()) {
                n += ENTRY_HEADER + e.data().length;
            }
            return n;
        } else if (m instanceof InstallSnapshot s) {
            return MESSAGE_HEADER + 8 * 3 + 1 + 4 + s.data().length;
        } else if (m instanceof InstallSnapshotResponse) {
            return MESSAGE_HEADER + 8 * 2 + 1;
        } else {
            return MESSAGE_HEADER + 1 + 8 * 5;
        }
    }

    private static void write(ByteBuffer buf, RaftMessage m) {
        if (m instanceof VoteRequest r) {
            header(buf, KIND_VOTE_REQUEST, m);
            buf.putLong(r.lastLogIndex()).putLong(r.lastLogTerm()).put(bool(r.preVote())).put(bool(r.transfer()));
        } else if (m instanceof TimeoutNow) {
            header(buf, KIND_TIMEOUT_NOW, m);
        } else if (m instanceof ReadIndexRequest r) {
            header(buf, KIND_READ_INDEX_REQUEST, m);
            buf.putLong(r.requestId());
        } else if (m instanceof ReadIndexResponse r) {
            header(buf, KIND_READ_INDEX_RESPONSE, m);
            buf.putLong(r.requestId()).putLong(r.readIndex()).put(bool(r.success())).putInt(r.leaderHint());
        } else if (m instanceof VoteResponse r) {
            header(buf, KIND_VOTE_RESPONSE, m);
            buf.put(bool(r.granted())).put(bool(r.preVote()));
        } else if (m instanceof AppendEntries a) {
            header(buf, KIND_APPEND, m);
            buf.putLong(a.prevLogIndex()).putLong(a.prevLogTerm()).putLong(a.leaderCommit())
                    .putLong(a.readContext()).putInt(a.entries().size());
            for (LogEntry e : a.entries()) {
                buf.putLong(e.index()).putLong(e.term()).put(e.type().code())
                        .putInt(e.data().length).put(e.data());
            }
        } else if (m instanceof AppendEntriesResponse r) {
            header(buf, KIND_APPEND_RESPONSE, m);
            buf.put(bool(r.success())).putLong(r.matchIndex()).putLong(r.rejectedIndex())
                    .putLong(r.hintIndex()).putLong(r.hintTerm()).putLong(r.readContext());
        } else if (m instanceof InstallSnapshot s) {
            header(buf, KIND_INSTALL_SNAPSHOT, m);
            buf.putLong(s.lastIncludedIndex()).putLong(s.lastIncludedTerm()).putLong(s.offset())
                    .put(bool(s.done())).putInt(s.data().length).put(s.data());
        } else if (m instanceof InstallSnapshotResponse r) {
            header(buf, KIND_INSTALL_SNAPSHOT_RESPONSE, m);
            buf.putLong(r.lastIncludedIndex()).putLong(r.bytesStored()).put(bool(r.complete()));
        }
    }

    private static void header(ByteBuffer buf, byte kind, RaftMessage m) {
        buf.put(kind).putInt(m.from()).putInt(m.to()).putLong(m.term());
    }

    private static RaftMessage read(ByteBuffer buf) {
        byte kind = buf.get();
        int from = buf.getInt();
        int to = buf.getInt();
        long term = buf.getLong();
        return switch (kind) {
            case KIND_VOTE_REQUEST -> new VoteRequest(from, to, term, buf.getLong(), buf.getLong(),
                    readBool(buf), readBool(buf));
            case KIND_TIMEOUT_NOW -> new TimeoutNow(from, to, term);
            case KIND_READ_INDEX_REQUEST -> new ReadIndexRequest(from, to, term, buf.getLong());
            case KIND_READ_INDEX_RESPONSE -> new ReadIndexResponse(from, to, term, buf.getLong(), buf.getLong(),
                    readBool(buf), buf.getInt());
            case KIND_VOTE_RESPONSE -> new VoteResponse(from, to, term, readBool(buf), readBool(buf));
            case KIND_APPEND -> readAppend(buf, from, to, term);
            case KIND_APPEND_RESPONSE -> new AppendEntriesResponse(from, to, term, readBool(buf),
                    buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong());
            case KIND_INSTALL_SNAPSHOT -> readInstallSnapshot(buf, from, to, term);
            case KIND_INSTALL_SNAPSHOT_RESPONSE -> new InstallSnapshotResponse(from, to, term, buf.getLong(),
                    buf.getLong(), readBool(buf));
            default -> throw new IllegalArgumentException("unknown message kind " + kind);
        };
    }

    private static AppendEntries readAppend(ByteBuffer buf, int from, int to, long term) {
        long prevLogIndex = buf.getLong();
        long prevLogTerm = buf.getLong();
        long leaderCommit = buf.getLong();
        long readContext = buf.getLong();
        int count = buf.getInt();
        if (count < 0 || (long) count * ENTRY_HEADER > buf.remaining()) {
            throw new IllegalArgumentException("bad entry count " + count);
        }
        List<LogEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long index = buf.getLong();
            long entryTerm = buf.getLong();
            LogEntry.Type type = LogEntry.Type.fromCode(buf.get());
            int length = buf.getInt();
            if (length < 0 || length > buf.remaining()) {
                throw new IllegalArgumentException("bad entry length " + length);
            }
            byte[] data = new byte[length];
            buf.get(data);
            entries.add(new LogEntry(index, entryTerm, type, data));
        }
        return new AppendEntries(from, to, term, prevLogIndex, prevLogTerm, leaderCommit, entries, readContext);
    }

    private static InstallSnapshot readInstallSnapshot(ByteBuffer buf, int from, int to, long term) {
        long lastIncludedIndex = buf.getLong();
        long lastIncludedTerm = buf.getLong();
        long offset = buf.getLong();
        boolean done = readBool(buf);
        int length = buf.getInt();
        if (length < 0 || length > buf.remaining() || offset < 0) {
            throw new IllegalArgumentException("bad snapshot chunk length " + length + " at " + offset);
        }
        byte[] data = new byte[length];
        buf.get(data);
        return new InstallSnapshot(from, to, term, lastIncludedIndex, lastIncludedTerm, offset, data, done);
    }

    private static byte bool(boolean b) {
        return (byte) (b ? 1 : 0);
    }

    private static boolean readBool(ByteBuffer buf) {
        byte b = buf.get();
        if (b != 0 && b != 1) {
            throw new IllegalArgumentException("bad boolean " + b);
        }
        return b == 1;
    }
}

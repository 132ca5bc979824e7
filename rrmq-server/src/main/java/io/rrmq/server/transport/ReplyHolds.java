package io.rrmq.server.transport;

import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.server.http.Exchanges;
import io.rrmq.server.http.Reply;
import io.rrmq.server.http.Replies;
import io.rrmq.server.security.PeerAuthenticator;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.xnio.XnioExecutor;

/**
 * Heartbeats answered in the reply to their own {@code POST /raft}, instead of by a second POST the
 * other way.
 *
 * <p><b>Why.</b> A heartbeat round over plain request/response HTTP costs two exchanges: the
 * leader's POST (answered 204 at once) and the follower's POST carrying its answer. That is most of
 * what an idle cluster spends (four thread wake-ups and two request parses per follower every
 * heartbeat), and it is the latency of every linearizable read, which waits for such a round. A
 * follower that receives a batch of heartbeats (AppendEntries without entries, the leader's lane
 * having said {@value RaftMessageHandler#REPLIES_HEADER}) therefore holds the exchange, hands the
 * batch to its engine, and the messages its engine then sends to that leader, up to one answer per
 * heartbeat, go back as the reply's body ({@code 200}, an {@code application/octet-stream} batch signed like a request) rather
 * than into its own lane. The leader's lane reads it ({@link PeerConnection}) and hands it to its
 * engine ({@link ReplyReader}).
 *
 * <p><b>Bounded.</b> The engine answers a heartbeat from its event loop, without touching the disk
 * unless the term changed; a hold that got no message within {@link #DEFAULT_WAIT} ends with 204, and
 * the answer, when it comes, takes the lane as before. Batches carrying entries or snapshot chunks
 * are never held: their answers wait for an fsync, and holding them would stop the leader's lane
 * from sending the next batch meanwhile (pipelining is what keeps writes fast). Raft tolerates
 * messages that are reordered or lost, so an answer may take either way.
 *
 * <p><b>Threads.</b> {@link #hold} runs on the exchange's I/O thread (from the handler); {@link #offer}
 * on whatever thread sends (the event loop, the storage thread); the wait's end on the I/O thread.
 * One hold per peer at a time (a leader's lane has one POST in flight); a newer one ends an older one.
 */
public final class ReplyHolds {
    /** How long a held heartbeat waits for its answer before it ends without one. */
    public static final Duration DEFAULT_WAIT = Duration.ofMillis(25);

    private final IntSupplier selfId;
    private final PeerAuthenticator authenticator;
    private final long waitMillis;
    private final ConcurrentHashMap<Integer, Hold> holds = new ConcurrentHashMap<>();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();

    /**
     * One held exchange and the answers gathered for it; {@code done} (under the hold's lock) decides
     * once between the answers being complete, the wait's end and a failure.
     */
    private static final class Hold {
        final HttpServerExchange exchange;
        /** How many answers the batch asks for: one per AppendEntries. */
        final int expected;
        final List<RaftMessage> answers = new ArrayList<>(1);
        boolean done;
        volatile XnioExecutor.Key timer;

        Hold(HttpServerExchange exchange, int expected) {
            this.exchange = exchange;
            this.expected = expected;
        }

        /** Adds an answer, unless the hold already ended; says whether the answers are now complete. */
        synchronized Added add(RaftMessage answer) {
            if (done) {
                return Added.REFUSED;
            }
            answers.add(answer);
            if (answers.size() < expected) {
                return Added.MORE_TO_COME;
            }
            done = true;
            return Added.COMPLETE;
        }

        /** Ends the hold; the answers gathered so far, or {@code null} if it had already ended. */
        synchronized List<RaftMessage> end() {
            if (done) {
                return null;
            }
            done = true;
            return List.copyOf(answers);
        }

        void cancelTimer() {
            XnioExecutor.Key key = timer;
            if (key != null) {
                key.remove();
            }
        }
    }

    private enum Added { REFUSED, MORE_TO_COME, COMPLETE }

    /**
     * @param selfId        this node's id (signs the answers)
     * @param authenticator signs the answers under the cluster key
     * @param wait          how long a held heartbeat waits for its answer
     */
    public ReplyHolds(IntSupplier selfId, PeerAuthenticator authenticator, Duration wait) {
        this.selfId = selfId;
        this.authenticator = authenticator;
        this.waitMillis = Math.max(1, wait.toMillis());
    }

    /**
     * How many answers holding {@code batch} would wait for: its heartbeats, one answer each; 0 when
     * it is not worth holding (no heartbeat, or something whose answer waits for an fsync: entries, a
     * snapshot chunk, a vote request).
     */
    static int heartbeatsToHold(List<RaftMessage> batch) {
        int heartbeats = 0;
        for (RaftMessage m : batch) {
            if (m instanceof AppendEntries append) {
                if (!append.entries().isEmpty()) {
                    return 0;
                }
                heartbeats++;
            } else if (m instanceof InstallSnapshot || m instanceof VoteRequest) {
                return 0;
            }
        }
        return heartbeats;
    }

    /**
     * Holds {@code exchange} for the answers to {@code heartbeats} heartbeats from {@code peer}
     * ({@link #heartbeatsToHold}), then runs {@code handOver} (which gives the batch to the engine
     * and returns {@code null}, or the failure to answer instead). Called on the exchange's I/O
     * thread, from the handler: it dispatches the exchange, so the hold is in place before the engine
     * sees the batch.
     */
    void hold(int peer, int heartbeats, HttpServerExchange exchange, Supplier<Reply> handOver) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
            Hold hold = new Hold(exchange, heartbeats);
            Hold older = holds.put(peer, hold);
            if (older != null) {
                end(peer, older, null);
            }
            hold.timer = exchange.getIoThread().executeAfter(() -> end(peer, hold, null), waitMillis, TimeUnit.MILLISECONDS);
            Reply failure = handOver.get();
            if (failure != null) {
                end(peer, hold, failure);
            }
        });
    }

    /**
     * Sends {@code message} back in the reply to its recipient's held heartbeats, if there are any:
     * the reply goes once every heartbeat in the batch has its answer (or when the wait ends). Never
     * blocks.
     *
     * @return whether it went (or will go) that way; if not, the caller sends it the usual way
     */
    boolean offer(RaftMessage message) {
        Hold hold = holds.get(message.to());
        if (hold == null) {
            return false;
        }
        Added added = hold.add(message);
        if (added == Added.COMPLETE) {
            answer(message.to(), hold, hold.answers); // complete: no other thread touches them now
        }
        return added != Added.REFUSED;
    }

    /**
     * Ends a hold unless it already ended, on any thread: with {@code failure} if there is one, else
     * with the answers gathered so far, or 204 without any.
     */
    private void end(int peer, Hold hold, Reply failure) {
        List<RaftMessage> gathered = hold.end();
        if (gathered == null) {
            return;
        }
        if (failure == null && !gathered.isEmpty()) {
            answer(peer, hold, gathered);
            return;
        }
        holds.remove(peer, hold);
        hold.cancelTimer();
        if (failure == null) {
            expired.incrementAndGet();
        }
        Reply reply = failure != null ? failure : Replies.noContent();
        onIoThread(hold, () -> Exchanges.send(hold.exchange, reply));
    }

    /** Sends {@code answers} as the reply of a hold that just ended with them. */
    private void answer(int peer, Hold hold, List<RaftMessage> answers) {
        holds.remove(peer, hold);
        hold.cancelTimer();
        answered.incrementAndGet(); // counted before the reply can reach the leader
        byte[] body = MessageCodec.encodeBatch(answers);
        String signature = authenticator.sign(selfId.getAsInt(), peer, body);
        onIoThread(hold, () -> sendMessages(hold.exchange, body, signature));
    }

    private static void onIoThread(Hold hold, Runnable task) {
        if (hold.exchange.getIoThread() == Thread.currentThread()) {
            task.run();
        } else {
            hold.exchange.getIoThread().execute(task);
        }
    }

    private static final HttpString SIGNATURE = HttpString.tryFromString(PeerAuthenticator.HEADER);

    private static void sendMessages(HttpServerExchange exchange, byte[] body, String signature) {
        try {
            exchange.setStatusCode(200);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, RaftMessageHandler.CONTENT_TYPE);
            exchange.getResponseHeaders().put(SIGNATURE, signature);
            exchange.getResponseSender().send(ByteBuffer.wrap(body));
        } catch (RuntimeException e) {
            exchange.endExchange(); // the leader hung up meanwhile
        }
    }

    /** Held batches answered in their reply (all their answers, or those that came within the wait). */
    public long answered() {
        return answered.get();
    }

    /** Held batches that ended without any answer (it took the lane, or never came). */
    public long expired() {
        return expired.get();
    }
}

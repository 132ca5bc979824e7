package io.rrmq.server.http;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.Headers;
import io.undertow.util.ImmediatePooledByteBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.xnio.IoUtils;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * Long-polling requests ({@code GET /message/<topic>?wait=S}, a receive with {@code wait}) held
 * while their topic has nothing for them.
 *
 * <p><b>How a waiter is served.</b> Waiters of a topic form a FIFO. A waiter's attempt (its pop or
 * receive) is proposed through the log, as any pop is; if it finds something, the waiter is answered;
 * if it finds nothing, the waiter stays and the topic sleeps until the state machine says messages
 * became visible there ({@link #signal}, from the applying thread: a put, a batch, an expired or
 * nacked delivery, a dead letter, with the topic's visible count then). Attempts are proposed in
 * waiter order, so earlier waiters get earlier messages; as many are in flight at once as the last
 * signal said were visible (at least one for a topic not yet heard of), so a batch of 100 messages
 * serves 100 waiters in one round of commits rather than in 100. An attempt is proposed only for a
 * waiter whose connection is open, the check and the proposal one step of the node's
 * {@link ProposalOrder}, so no message put after a client hung up is popped for it; one whose
 * connection dies while its attempt is in flight can fetch the result again with its request id.
 *
 * <p><b>Threads.</b> Every field below is owned by the one consumer thread ({@code loop}); the
 * Undertow I/O threads, the Raft loop and the timers only hand it tasks. A held request occupies no
 * thread: it is an exchange in a queue. The applying thread's {@link #signal} costs one lookup in a
 * concurrent set when nobody waits on the topic.
 *
 * <p><b>Leadership.</b> The consumer thread checks the role with every {@link #checkLeadership}
 * tick: once this node is no longer leader, idle waiters are answered as a follower answers (421
 * with the leader, or 503); a waiter whose attempt is in flight gets that attempt's outcome (504 if
 * leadership was lost before it committed).
 */
final class LongPollWaiters {
    /** One held request. */
    static final class Waiter {
        final HttpServerExchange exchange;
        final String topic;
        /** Makes the command of the next attempt (a receive is stamped afresh each time). */
        final Supplier<MqCommand> attempt;
        /** The reply once the wait is over with nothing found. */
        final Reply whenEmpty;
        ScheduledFuture<?> timeout;
        /** Its attempt is being proposed or committed. */
        boolean inFlight;
        /** {@link TopicWaiters#signals} when its last attempt was proposed. */
        long signalsAtAttempt;
        boolean expired;
        boolean done;

        Waiter(HttpServerExchange exchange, String topic, Supplier<MqCommand> attempt, Reply whenEmpty) {
            this.exchange = exchange;
            this.topic = topic;
            this.attempt = attempt;
            this.whenEmpty = whenEmpty;
        }

        boolean connectionOpen() {
            return exchange.getConnection().isOpen();
        }
    }

    private static final class TopicWaiters {
        final ArrayDeque<Waiter> queue = new ArrayDeque<>();
        int attemptsInFlight;
        /** Counts signals, so that one arriving during an empty attempt makes us try again. */
        long signals;
        /**
         * How many attempts may be in flight: the visible count of the last signal, 0 once an
         * attempt proposed after it found nothing. An upper bound (other clients pop too, without
         * signals), so the cost of a stale value is an empty attempt, never a stalled waiter.
         */
        int visibleHint = 1;
        /**
         * The waiter whose connection is being checked and whose attempt is then proposed, on its
         * I/O thread; one at a time, so attempts enter the log in waiter order.
         */
        Waiter checking;
    }

    private final ScheduledExecutorService loop;
    private final Supplier<RaftNode> node;
    private final OutcomeMapper outcomes;
    private final long proposalTimeoutMillis;
    private final ProposalOrder order;
    private final Map<String, TopicWaiters> byTopic = new HashMap<>();
    /** The topics with waiters: read by the applying thread, written by the consumer thread. */
    private final Set<String> waitingTopics = ConcurrentHashMap.newKeySet();

    LongPollWaiters(ScheduledExecutorService loop, Supplier<RaftNode> node, OutcomeMapper outcomes,
                    long proposalTimeoutMillis, ProposalOrder order) {
        this.loop = loop;
        this.node = node;
        this.outcomes = outcomes;
        this.proposalTimeoutMillis = proposalTimeoutMillis;
        this.order = order;
    }

    /**
     * Holds {@code exchange} for up to {@code waitMillis}. Call on its I/O thread, from the handler:
     * it dispatches the exchange so that Undertow keeps it open.
     */
    void add(HttpServerExchange exchange, String topic, Supplier<MqCommand> attempt, Reply whenEmpty,
             long waitMillis) {
        Waiter waiter = new Waiter(exchange, topic, attempt, whenEmpty);
        exchange.dispatch(io.undertow.util.SameThreadExecutor.INSTANCE, () -> {
            exchange.getConnection().addCloseListener(c -> onLoop(() -> closed(waiter)));
            watchForClose(exchange);
            onLoop(() -> enqueue(waiter, waitMillis));
            if (!exchange.getConnection().isOpen()) {
                // The client went away before the listener was added, which then never runs: a
                // message must not be popped for it.
                onLoop(() -> closed(waiter));
            }
        });
    }

    /**
     * Notices a client that goes away while its request is held. Undertow reads nothing from a
     * connection while an exchange is active, so a closed socket would go unnoticed until the reply
     * is written, and a message would be popped for nobody. So while a request without a body (a
     * {@code GET} long poll) is held, the connection is read: end of stream closes it (which runs the
     * close listener); bytes that arrive (a pipelined next request) are handed back to Undertow as
     * the connection's extra bytes, and watching stops. When the exchange ends, Undertow sets its own
     * read listener on the same channel again; replies are written from the I/O thread
     * ({@link #finish}), so that never races with this listener. A request with a body is not
     * watched (its channel is the body's view until the exchange ends): a receive handed to a client
     * that is gone is not lost, only invisible until its visibility passes. I/O thread only.
     */
    private static void watchForClose(HttpServerExchange exchange) {
        HttpServerConnection http = watchable(exchange);
        if (http == null) {
            return;
        }
        ConduitStreamSourceChannel source = http.getChannel().getSourceChannel();
        source.getReadSetter().set(channel -> readWhileHeld(http));
        source.resumeReads();
    }

    /** The connection to watch while {@code exchange} is held, or {@code null} (see watchForClose). */
    private static HttpServerConnection watchable(HttpServerExchange exchange) {
        if (!(exchange.getConnection() instanceof HttpServerConnection http) || http.getExtraBytes() != null) {
            return null;
        }
        if (exchange.getRequestContentLength() > 0 || exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)) {
            return null;
        }
        return http;
    }

    /**
     * Reads what the client of a held request sent, without blocking: end of stream (or a failed
     * read) closes the connection; pipelined bytes are handed back to Undertow and watching stops.
     * I/O thread only. Returns whether the connection is still open.
     */
    private static boolean readWhileHeld(HttpServerConnection http) {
        ConduitStreamSourceChannel channel = http.getChannel().getSourceChannel();
        if (http.getExtraBytes() != null) {
            return http.isOpen(); // watching already stopped: the client sent its next request
        }
        ByteBuffer buffer = ByteBuffer.allocate(1024);
        try {
            int read = channel.read(buffer);
            if (read < 0) {
                IoUtils.safeClose(http);
            } else if (read > 0) {
                channel.suspendReads();
                channel.getReadSetter().set(null);
                buffer.flip();
                http.setExtraBytes(new ImmediatePooledByteBuffer(buffer));
            }
        } catch (IOException e) {
            IoUtils.safeClose(http);
        }
        return http.isOpen();
    }

    /**
     * Whether the waiter's client is still there, asked on its connection's I/O thread just before a
     * message may be popped for it. The close listener alone is not enough: it runs only once an I/O
     * thread has noticed the end of stream, and a put that arrives on another connection (another
     * I/O thread) can be proposed before that. Reading the socket here closes that window for any
     * client that went away before the put reached us: its FIN is already in our socket buffer.
     */
    private static boolean stillThere(Waiter waiter) {
        if (!waiter.connectionOpen()) {
            return false;
        }
        HttpServerConnection http = watchable(waiter.exchange);
        return http == null || readWhileHeld(http);
    }

    /** Runs {@code task} on the consumer thread; nothing once it has stopped (the node is stopping). */
    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException stopped) {
            // answerAll has answered every waiter already
        }
    }

    /** Topic {@code topic} may have visible messages now. Any thread; returns at once. */
    void signal(String topic, int visible) {
        if (waitingTopics.contains(topic)) {
            onLoop(() -> {
                TopicWaiters waiters = byTopic.get(topic);
                if (waiters != null) {
                    waiters.signals++;
                    waiters.visibleHint = visible;
                    pump(topic, waiters);
                }
            });
        }
    }

    /** Whether no request is held and no attempt for one is in flight (consumer thread). */
    boolean isEmpty() {
        return byTopic.isEmpty();
    }

    /** The number of held requests (tests, status). Consumer thread only. */
    int size() {
        int n = 0;
        for (TopicWaiters w : byTopic.values()) {
            n += w.queue.size();
        }
        return n;
    }

    private void enqueue(Waiter waiter, long waitMillis) {
        RaftNode raft = node.get();
        if (raft == null) {
            finish(waiter, outcomes.starting());
            return;
        }
        RaftStatus status = raft.status();
        if (status.role() != Role.LEADER) {
            finish(waiter, outcomes.notLeader(status.leaderId()));
            return;
        }
        if (!waiter.connectionOpen()) {
            waiter.done = true;
            return;
        }
        TopicWaiters waiters = byTopic.computeIfAbsent(waiter.topic, t -> new TopicWaiters());
        waiters.queue.addLast(waiter);
        waitingTopics.add(waiter.topic);
        waiter.timeout = loop.schedule(() -> expire(waiter), waitMillis, TimeUnit.MILLISECONDS);
        pump(waiter.topic, waiters);
    }

    /**
     * Drops waiters that are gone, then proposes the attempts of the first idle waiters, as many as
     * the hint allows.
     */
    private void pump(String topic, TopicWaiters waiters) {
        waiters.queue.removeIf(w -> {
            if (!w.inFlight && (w.done || !w.connectionOpen())) {
                w.done = true;
                cancelTimeout(w);
                return true;
            }
            return false;
        });
        if (waiters.queue.isEmpty() && waiters.attemptsInFlight == 0) {
            byTopic.remove(topic);
            waitingTopics.remove(topic);
            return;
        }
        if (waiters.checking != null) {
            return; // the next attempt follows once this one is proposed
        }
        for (Waiter w : waiters.queue) {
            if (waiters.attemptsInFlight >= waiters.visibleHint) {
                return;
            }
            if (w.inFlight) {
                continue;
            }
            waiters.attemptsInFlight++;
            w.inFlight = true;
            w.signalsAtAttempt = waiters.signals;
            waiters.checking = w;
            RaftNode raft = node.get();
            // Check the connection and propose in one step of the node's proposal order (see
            // ProposalOrder), on the connection's I/O thread, where its socket may be read: a client
            // that hung up before its put was sent has its end of stream in our socket before the put
            // is even read, and no put can be proposed between the check and the pop.
            MqCommand command = w.attempt.get();
            byte[] encoded = MqCodec.encodeCommand(command); // outside the lock
            w.exchange.getIoThread().execute(() -> {
                boolean there;
                CompletableFuture<byte[]> pending = null;
                RuntimeException refused = null;
                if (raft == null) {
                    there = stillThere(w);
                    refused = new io.rrmq.raft.NotLeaderException(RaftStatus.NO_LEADER);
                } else {
                    try {
                        pending = order.proposeIf(() -> stillThere(w), raft, encoded);
                        there = pending != null;
                    } catch (RuntimeException e) {
                        there = true;
                        refused = e;
                    }
                }
                boolean found = there;
                CompletableFuture<byte[]> result = pending;
                RuntimeException failure = refused;
                onLoop(() -> proposed(topic, waiters, w, found, command, result, failure));
            });
            return;
        }
    }

    /** Consumer thread: what {@code waiter}'s I/O thread found and proposed. */
    private void proposed(String topic, TopicWaiters waiters, Waiter waiter, boolean there, MqCommand command,
                          CompletableFuture<byte[]> pending, RuntimeException refused) {
        waiters.checking = null;
        if (!there || refused != null) {
            waiters.attemptsInFlight--;
            waiter.inFlight = false;
            waiters.queue.remove(waiter);
            finish(waiter, there ? outcomes.failed(refused) : waiter.whenEmpty);
        } else {
            pending.copy().orTimeout(proposalTimeoutMillis, TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((result, failure) -> attempted(topic, waiters, waiter, command, result, failure), loop);
        }
        pump(topic, waiters);
    }

    private void attempted(String topic, TopicWaiters waiters, Waiter waiter, MqCommand command, byte[] result,
                           Throwable failure) {
        waiters.attemptsInFlight--;
        waiter.inFlight = false;
        if (failure != null) {
            waiters.queue.remove(waiter);
            finish(waiter, outcomes.failed(failure));
        } else {
            MqResult decoded;
            try {
                decoded = MqCodec.decodeResult(result);
            } catch (RuntimeException e) {
                waiters.queue.remove(waiter);
                finish(waiter, outcomes.internalError("cannot decode the state machine's result: " + e));
                pump(topic, waiters);
                return;
            }
            if (!foundNothing(command, decoded)) {
                waiters.queue.remove(waiter);
                finish(waiter, outcomes.applied(command, decoded));
            } else if (waiter.expired || waiter.done || !waiter.connectionOpen()) {
                waiters.queue.remove(waiter);
                finish(waiter, waiter.whenEmpty);
            } else if (waiters.signals == waiter.signalsAtAttempt) {
                waiters.visibleHint = 0; // sleep until a signal
            }
        }
        pump(topic, waiters);
    }

    private static boolean foundNothing(MqCommand command, MqResult result) {
        MqCommand write = OutcomeMapper.unwrap(command);
        return (write instanceof MqCommand.PopMessage && result.outcome() == MqResult.Outcome.QUEUE_EMPTY)
                || (write instanceof MqCommand.Receive && result.outcome() == MqResult.Outcome.OK
                        && result.deliveries().isEmpty());
    }

    private void expire(Waiter waiter) {
        waiter.expired = true;
        if (waiter.inFlight || waiter.done) {
            return; // answered when its attempt completes
        }
        TopicWaiters waiters = byTopic.get(waiter.topic);
        if (waiters != null) {
            waiters.queue.remove(waiter);
            if (waiters.queue.isEmpty() && waiters.attemptsInFlight == 0) {
                byTopic.remove(waiter.topic);
                waitingTopics.remove(waiter.topic);
            }
        }
        finish(waiter, waiter.whenEmpty);
    }

    private void closed(Waiter waiter) {
        if (!waiter.inFlight && !waiter.done) {
            expire(waiter);
        }
    }

    /**
     * Answers every idle waiter as a follower would once this node is no longer the leader. Consumer
     * thread; cheap when nobody waits.
     */
    void checkLeadership() {
        if (byTopic.isEmpty()) {
            return;
        }
        RaftNode raft = node.get();
        RaftStatus status = raft == null ? null : raft.status();
        if (status != null && status.role() == Role.LEADER) {
            return;
        }
        Reply reply = status == null ? outcomes.starting() : outcomes.notLeader(status.leaderId());
        List<Waiter> idle = new ArrayList<>();
        Iterator<Map.Entry<String, TopicWaiters>> topics = byTopic.entrySet().iterator();
        while (topics.hasNext()) {
            Map.Entry<String, TopicWaiters> entry = topics.next();
            TopicWaiters waiters = entry.getValue();
            waiters.queue.removeIf(w -> {
                if (w.inFlight) {
                    return false;
                }
                idle.add(w);
                return true;
            });
            if (waiters.queue.isEmpty() && waiters.attemptsInFlight == 0) {
                topics.remove();
                waitingTopics.remove(entry.getKey());
            }
        }
        for (Waiter w : idle) {
            finish(w, reply);
        }
    }

    /** Answers every waiter (shutdown). Consumer thread. */
    void answerAll(Reply reply) {
        for (TopicWaiters waiters : byTopic.values()) {
            for (Waiter w : waiters.queue) {
                finish(w, reply);
            }
        }
        byTopic.clear();
        waitingTopics.clear();
    }

    private void finish(Waiter waiter, Reply reply) {
        if (waiter.done) {
            return;
        }
        waiter.done = true;
        cancelTimeout(waiter);
        // On the connection's I/O thread: cheapest there (see ApiHandler.propose), and the exchange
        // then ends on the thread that runs watchForClose's listener.
        waiter.exchange.getIoThread().execute(() -> Exchanges.send(waiter.exchange, reply));
    }

    private static void cancelTimeout(Waiter waiter) {
        if (waiter.timeout != null) {
            waiter.timeout.cancel(false);
        }
    }
}

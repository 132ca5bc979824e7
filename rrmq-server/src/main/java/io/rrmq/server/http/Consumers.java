package io.rrmq.server.http;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.Role;
import io.rrmq.server.config.ServerSettings;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer endpoints of SPEC "Consumers": batch put, long poll, at-least-once receive, ack,
 * nack and dead-letter policies, and the leader's delivery clock.
 *
 * <p><b>Time.</b> A receive, ack or nack is {@linkplain #stamp stamped} when proposed with this
 * leader's wall clock (never less than the state machine's time, which is the largest stamp in the
 * log) and 16 fresh random bytes from which the state machine derives unguessable receipts. While
 * this node leads and a delivery's deadline has passed on its clock, the consumer thread proposes a
 * {@link MqCommand.Tick} (one in flight at most), so that expired deliveries come back even when
 * nothing else is written; every replica expires them at that same log position.
 *
 * <p><b>Threads.</b> One daemon thread, "rrmq-consumers", runs the waiters
 * ({@link LongPollWaiters}) and a 50 ms check of the clock and the role; request parsing runs on the
 * I/O threads as for every API call. Nothing here runs in or blocks the Raft loop. With no request
 * held and no delivery in flight the check slows to every {@value #IDLE_CHECK_MILLIS} ms (an idle node
 * should not wake 20 times a second for nothing): a receive's deadline is at least a second after it
 * is stamped, so the first check after it still comes in time, and holding a request brings the 50 ms
 * check back at once.
 */
public final class Consumers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Consumers.class);
    private static final long CHECK_MILLIS = 50;
    /** Below the shortest visibility (1 s): see the class description. */
    private static final long IDLE_CHECK_MILLIS = 500;
    private static final String RECEIVE = "/receive";
    private static final String ACK = "/ack";
    private static final String NACK = "/nack";
    private static final String POLICY = "/policy";
    private static final String TOPIC_PREFIX = "/topic/";

    /** Proposes a command for an exchange and answers it (ApiHandler's path, queue bound included). */
    @FunctionalInterface
    interface Proposer {
        void propose(HttpServerExchange exchange, MqCommand command);
    }

    private final Supplier<RaftNode> node;
    private final ServerSettings settings;
    private final ScheduledExecutorService loop;
    private final SecureRandom random = new SecureRandom();
    private volatile TopicStateMachine machine;
    private volatile LongPollWaiters waiters;
    private Proposer proposer;
    /** The next check and whether it is the idle one (consumer thread only). */
    private ScheduledFuture<?> nextCheck;
    private boolean idleCheck;
    /** Consumer thread only. */
    private boolean tickInFlight;

    public Consumers(Supplier<RaftNode> node, ServerSettings settings) {
        this.node = node;
        this.settings = settings;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "rrmq-consumers");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.loop = executor;
    }

    /** Called by {@link ApiHandler}'s constructor. */
    void bind(OutcomeMapper outcomes, Proposer proposer, ProposalOrder order) {
        this.proposer = proposer;
        this.waiters = new LongPollWaiters(loop, node, outcomes, settings.proposalTimeout().toMillis(), order);
        loop.execute(() -> scheduleCheck(CHECK_MILLIS));
    }

    /** Starts watching {@code machine}: its visible messages wake waiters, its deadlines the clock. */
    public void attach(TopicStateMachine stateMachine) {
        this.machine = stateMachine;
        LongPollWaiters w = waiters;
        if (w != null) {
            stateMachine.setVisibilityListener(w::signal);
        }
    }

    /**
     * {@code command} stamped with this leader's time and fresh randomness. The time is never behind
     * the state machine's (which would not matter for safety, the machine ignores a stamp behind its
     * time, but keeps visibilities as long as asked).
     */
    MqCommand stamp(MqCommand command) {
        TopicStateMachine m = machine;
        long now = System.currentTimeMillis();
        if (m != null) {
            now = Math.max(now, m.clockMillis());
        }
        byte[] nonce = new byte[MqCommand.Stamped.NONCE_BYTES];
        random.nextBytes(nonce);
        return new MqCommand.Stamped(now, nonce, command);
    }

    /**
     * Serves {@code PUT /messages}, {@code POST /message/<topic>/(receive|ack|nack)} and
     * {@code PUT /topic/<topic>/policy}; false for any other request.
     */
    boolean route(HttpServerExchange exchange, String method, String path) {
        if (path.equals("/messages")) {
            if (allow(exchange, method, "PUT")) {
                withBody(exchange, body -> proposer.propose(exchange,
                        ApiRequests.identified(ConsumerRequests.putBatch(body), requestId(exchange))));
            }
            return true;
        }
        if (path.startsWith(TOPIC_PREFIX) && path.endsWith(POLICY) && path.length() > TOPIC_PREFIX.length() + POLICY.length()) {
            if (allow(exchange, method, "PUT")) {
                String raw = path.substring(TOPIC_PREFIX.length(), path.length() - POLICY.length());
                withBody(exchange, body -> proposer.propose(exchange, ApiRequests.identified(
                        ConsumerRequests.policy(TopicPath.decode(raw), body), requestId(exchange))));
            }
            return true;
        }
        if (path.startsWith(TopicPath.PREFIX) && method.equals("POST")) {
            String rest = path.substring(TopicPath.PREFIX.length());
            for (String op : List.of(RECEIVE, ACK, NACK)) {
                if (rest.endsWith(op) && rest.length() > op.length()) {
                    String raw = rest.substring(0, rest.length() - op.length());
                    withBody(exchange, body -> consume(exchange, op, TopicPath.decode(raw), body));
                    return true;
                }
            }
        }
        return false;
    }

    private void consume(HttpServerExchange exchange, String op, String topic, byte[] body) throws BadRequestException {
        String id = requestId(exchange);
        if (op.equals(RECEIVE)) {
            ConsumerRequests.Receive receive = ConsumerRequests.receive(topic, body);
            MqCommand identified = ApiRequests.identified(receive.command(), id);
            if (receive.waitMillis() > 0) {
                hurryCheck();
                waiters.add(exchange, topic, () -> stamp(identified), Replies.deliveries(List.of()),
                        receive.waitMillis());
            } else {
                proposer.propose(exchange, stamp(identified));
            }
            return;
        }
        List<String> receipts = ConsumerRequests.receipts(body);
        MqCommand command = op.equals(ACK) ? new MqCommand.Ack(topic, receipts) : new MqCommand.Nack(topic, receipts);
        proposer.propose(exchange, stamp(ApiRequests.identified(command, id)));
    }

    /** {@code GET /message/<topic>?wait=S}: holds the pop until a message can be popped or S passes. */
    void longPoll(HttpServerExchange exchange, String topic, MqCommand pop, long waitMillis) {
        hurryCheck();
        waiters.add(exchange, topic, () -> pop, Replies.failure(404, "queue-empty"), waitMillis);
    }

    @FunctionalInterface
    private interface BodyAction {
        void accept(byte[] body) throws BadRequestException;
    }

    private void withBody(HttpServerExchange exchange, BodyAction action) {
        try {
            ApiRequests.requireJson(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
        } catch (BadRequestException e) {
            Exchanges.send(exchange, e.reply());
            return;
        }
        BoundedBody.read(exchange, settings.maxApiBodyBytes(), ApiHandler.DRAIN_LIMIT, (ex, body) -> {
            try {
                action.accept(body);
            } catch (BadRequestException e) {
                Exchanges.send(ex, e.reply());
            }
        });
    }

    private static boolean allow(HttpServerExchange exchange, String method, String allowed) {
        if (method.equals(allowed)) {
            return true;
        }
        Exchanges.send(exchange, Replies.methodNotAllowed(method, allowed));
        return false;
    }

    private static String requestId(HttpServerExchange exchange) {
        return exchange.getRequestHeaders().getFirst(Reply.REQUEST_ID_HEADER);
    }

    /** Consumer thread: the next check in {@code millis}, replacing the one scheduled. */
    private void scheduleCheck(long millis) {
        if (nextCheck != null) {
            nextCheck.cancel(false);
        }
        idleCheck = millis > CHECK_MILLIS;
        try {
            nextCheck = loop.schedule(this::checkAndReschedule, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            nextCheck = null; // closing
        }
    }

    /** Any thread: a request is about to be held, so its leadership is checked every 50 ms from now on. */
    private void hurryCheck() {
        try {
            loop.execute(() -> {
                if (idleCheck) {
                    scheduleCheck(CHECK_MILLIS);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing: the held request is answered by close()
        }
    }

    private void checkAndReschedule() {
        check();
        LongPollWaiters w = waiters;
        TopicStateMachine m = machine;
        boolean idle = (w == null || w.isEmpty()) && m != null && m.nextDeadlineMillis() == Long.MAX_VALUE && !tickInFlight;
        scheduleCheck(idle ? IDLE_CHECK_MILLIS : CHECK_MILLIS);
    }

    /** Consumer thread, every 50 ms (500 when idle): the clock entry when deliveries are due, and waiters' leadership. */
    private void check() {
        try {
            LongPollWaiters w = waiters;
            if (w != null) {
                w.checkLeadership();
            }
            TopicStateMachine m = machine;
            RaftNode raft = node.get();
            if (m == null || raft == null || tickInFlight || m.nextDeadlineMillis() > System.currentTimeMillis()
                    || raft.status().role() != Role.LEADER) {
                return;
            }
            tickInFlight = true;
            CompletableFuture<byte[]> pending = raft.propose(MqCodec.encodeCommand(stamp(new MqCommand.Tick())));
            pending.copy().orTimeout(settings.proposalTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((result, failure) -> tickInFlight = false, loop);
        } catch (RuntimeException e) {
            tickInFlight = false;
            log.debug("delivery clock check failed", e);
        }
    }

    /** How many requests are held now (tests). Waits for the consumer thread. */
    int heldCount() throws Exception {
        LongPollWaiters w = waiters;
        return w == null ? 0 : loop.submit(w::size).get(5, TimeUnit.SECONDS);
    }

    /** Answers every idle held request with 503 node-closed (nothing was taken for it) and stops the consumer thread. */
    @Override
    public void close() {
        LongPollWaiters w = waiters;
        if (w != null) {
            try {
                loop.submit(() -> w.answerAll(Replies.failure(503, "node-closed").with("Retry-After", OutcomeMapper.RETRY_AFTER_SECONDS))).get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("could not answer waiters at shutdown", e);
            }
        }
        loop.shutdownNow();
    }
}

package io.rrmq.server.http;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.QueueBound;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftMetrics;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.membership.MemberAddress;
import io.rrmq.server.membership.PeerDirectory;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.json.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP entry point: routes the client API, {@code GET /status}, the liveness probe
 * {@code GET /} and (to the handler given) the Raft transport's {@code POST /raft}.
 *
 * <p><b>Threads.</b> Runs on Undertow's I/O threads and never blocks them. A body is read with
 * Undertow's asynchronous receiver; the command is proposed to the Raft node; the exchange is
 * {@linkplain HttpServerExchange#dispatch(java.util.concurrent.Executor, Runnable) dispatched} on
 * the same thread so Undertow does not end it when the handler returns; the reply is written from
 * whichever thread completes the proposal's future (the Raft runtime's, or the timeout's). No lock,
 * no thread hop and no blocking call on the way.
 *
 * <p><b>Order of checks</b>: unknown path 404, wrong method 405, Content-Type 415, then the body
 * (413 once read to its end, see {@link BoundedBody}; 400 if malformed); only a well-formed request reaches the
 * Raft node, so bad input never changes state. While the Raft node is not running yet, API
 * requests get 503 with Retry-After, {@code /status} reports a Follower in term 0 with
 * {@code "ready": false}, and {@code GET /} answers 200.
 */
public final class ApiHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
    /** An oversized body up to this size is read and discarded so that its 413 arrives intact. */
    static final long DRAIN_LIMIT = 8L << 20;

    private final PeerDirectory directory;
    private final IntSupplier selfId;
    private final Supplier<String> clusterId;
    private final Supplier<RaftNode> node;
    private final Supplier<QueueBound> queueBound;
    private final OutcomeMapper outcomes;
    private final TopicListReplies topicLists;
    private final ServerSettings settings;
    private final HttpHandler raftHandler;
    private final AdminHandler admin;
    /** The consumer endpoints (SPEC "Consumers"), or {@code null} without them. */
    private final Consumers consumers;
    private final ProposalOrder order = new ProposalOrder();

    /**
     * @param node        the running Raft node, or {@code null} while it is starting
     * @param queueBound  admits puts while this node leads, or {@code null} while it is starting
     * @param raftHandler serves {@code POST /raft}, or {@code null} when Raft has its own listener
     *                    (then {@code /raft} is 404 here)
     * @param admin       builds the admin API's handler from this handler's outcome mapper, or
     *                    {@code null} for none (then {@code /cluster/...} is 404)
     * @param consumers   the consumer endpoints (SPEC "Consumers"), or {@code null} without them
     */
    public ApiHandler(PeerDirectory directory, IntSupplier selfId, Supplier<String> clusterId,
                      Supplier<RaftNode> node, Supplier<QueueBound> queueBound, ServerSettings settings,
                      HttpHandler raftHandler, java.util.function.Function<OutcomeMapper, AdminHandler> admin,
                      Consumers consumers) {
        this.consumers = consumers;
        this.directory = directory;
        this.selfId = selfId;
        this.clusterId = clusterId;
        this.node = node;
        this.queueBound = queueBound;
        this.settings = settings;
        this.raftHandler = raftHandler;
        this.outcomes = new OutcomeMapper(directory::url);
        this.topicLists = new TopicListReplies(outcomes);
        this.admin = admin == null ? null : admin.apply(outcomes);
        if (consumers != null) {
            consumers.bind(outcomes, this::propose, order);
        }
    }

    /** The query string of {@code GET /status?linearizable}. */
    static final String LINEARIZABLE = "linearizable";

    /** A handler without an admin API, for a cluster of the file's members (tests). */
    public ApiHandler(ClusterConfig cluster, int selfId, Supplier<RaftNode> node, Supplier<QueueBound> queueBound,
                      ServerSettings settings, HttpHandler raftHandler) {
        this(cluster, selfId, node, queueBound, settings, raftHandler, null);
    }

    /** As above, with the consumer endpoints served by {@code consumers} (tests). */
    public ApiHandler(ClusterConfig cluster, int selfId, Supplier<RaftNode> node, Supplier<QueueBound> queueBound,
                      ServerSettings settings, HttpHandler raftHandler, Consumers consumers) {
        this(new PeerDirectory(java.util.Optional.of(cluster)), () -> selfId, cluster::clusterId, node, queueBound,
                settings, raftHandler, null, consumers);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        try {
            route(exchange);
        } catch (Exception e) {
            log.error("unexpected error serving {} {}", exchange.getRequestMethod(),
                    exchange.getRequestPath(), e);
            Exchanges.send(exchange, outcomes.internalError(e.getClass().getSimpleName()));
        }
    }

    private void route(HttpServerExchange exchange) throws Exception {
        String path = exchange.getRequestPath();
        String method = exchange.getRequestMethod().toString();
        if (AdminHandler.handles(path) && admin != null) {
            admin.handle(exchange);
            return;
        }
        if (removed() && !path.equals("/") && !path.equals("/status") && !path.equals("/raft")) {
            // SPEC: a removed node stops serving; its data stays for whoever wants to look at it.
            Exchanges.send(exchange, Replies.failure(503, "removed"));
            return;
        }
        switch (path) {
            case "/":
                if (allow(exchange, method, "GET")) {
                    Exchanges.send(exchange, liveness());
                }
                return;
            case "/status":
                if (allow(exchange, method, "GET")) {
                    if (LINEARIZABLE.equals(exchange.getQueryString())) {
                        linearizableStatus(exchange);
                    } else {
                        Exchanges.send(exchange, status(-1));
                    }
                }
                return;
            case "/topic":
                if (method.equals("GET")) {
                    listTopics(exchange);
                } else if (method.equals("PUT")) {
                    withBody(exchange, ApiRequests::createTopic);
                } else {
                    Exchanges.send(exchange, Replies.methodNotAllowed(method, "GET, PUT"));
                }
                return;
            case "/message":
                if (allow(exchange, method, "PUT")) {
                    withBody(exchange, ApiRequests::putMessage);
                }
                return;
            case "/raft":
                if (raftHandler == null) {
                    // Raft has a listener of its own (internal_port): nothing of it on the client port.
                    Exchanges.send(exchange, Replies.notFound(method, path));
                } else if (allow(exchange, method, "POST")) {
                    raftHandler.handleRequest(exchange);
                }
                return;
            default:
                if (consumers != null && consumers.route(exchange, method, path)) {
                    return;
                }
                if (path.startsWith(TopicPath.PREFIX)) {
                    if (allow(exchange, method, "GET")) {
                        popMessage(exchange, path.substring(TopicPath.PREFIX.length()));
                    }
                    return;
                }
                Exchanges.send(exchange, Replies.notFound(method, path));
        }
    }

    /** Whether this node's own log says it was removed from the cluster. */
    private boolean removed() {
        RaftNode raft = node.get();
        if (raft == null) {
            return false;
        }
        RaftStatus s = raft.status();
        return !s.configuration().members().isEmpty() && !s.configuration().contains(s.id());
    }

    private static boolean allow(HttpServerExchange exchange, String method, String allowed) {
        if (method.equals(allowed)) {
            return true;
        }
        Exchanges.send(exchange, Replies.methodNotAllowed(method, allowed));
        return false;
    }

    private void popMessage(HttpServerExchange exchange, String rawTopic) {
        MqCommand pop;
        String topic;
        long waitMillis;
        try {
            topic = TopicPath.decode(rawTopic);
            pop = ApiRequests.identified(new MqCommand.PopMessage(topic), requestId(exchange));
            waitMillis = consumers == null ? 0 : ConsumerRequests.waitParameter(exchange.getQueryString());
        } catch (BadRequestException e) {
            Exchanges.send(exchange, e.reply());
            return;
        }
        if (waitMillis > 0) {
            consumers.longPoll(exchange, topic, pop, waitMillis);
            return;
        }
        propose(exchange, pop);
    }

    /** Parses a request body into a command. */
    @FunctionalInterface
    private interface BodyParser {
        MqCommand parse(byte[] body) throws BadRequestException;
    }

    /** Reads the JSON body asynchronously, then proposes what {@code parser} makes of it. */
    private void withBody(HttpServerExchange exchange, BodyParser parser) {
        try {
            ApiRequests.requireJson(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE));
        } catch (BadRequestException e) {
            Exchanges.send(exchange, e.reply());
            return;
        }
        BoundedBody.read(exchange, settings.maxApiBodyBytes(), DRAIN_LIMIT, (ex, body) -> {
            MqCommand command;
            try {
                command = ApiRequests.identified(parser.parse(body), requestId(ex));
            } catch (BadRequestException e) {
                Exchanges.send(ex, e.reply());
                return;
            }
            propose(ex, command);
        });
    }

    private static String requestId(HttpServerExchange exchange) {
        return exchange.getRequestHeaders().getFirst(Reply.REQUEST_ID_HEADER);
    }

    /**
     * Proposes {@code command} and answers when its future completes. Must be called on the I/O
     * thread from within the handler (or a receiver callback), since it dispatches the exchange.
     */
    void propose(HttpServerExchange exchange, MqCommand command) {
        RaftNode raft = node.get();
        if (raft == null) {
            Exchanges.send(exchange, outcomes.starting());
            return;
        }
        long cost = admissionCost(command);
        QueueBound bound = cost < 0 || raft.status().role() != Role.LEADER ? null : queueBound.get();
        if (bound != null && !bound.tryReserve(cost)) {
            Exchanges.send(exchange, outcomes.queueFull());
            return;
        }
        CompletableFuture<byte[]> pending;
        try {
            pending = order.propose(raft, MqCodec.encodeCommand(command));
        } catch (RuntimeException e) {
            if (bound != null) {
                bound.release(cost);
            }
            Exchanges.send(exchange, outcomes.failed(e));
            return;
        }
        if (bound != null) {
            pending.whenComplete((result, failure) -> bound.release(cost));
        }
        answerWhenDone(exchange, pending, (result, failure) -> answer(exchange, command, result, failure));
    }

    /**
     * {@code GET /topic}: the topic list from the state machine once a linearizable read allows it
     * (Raft's ReadIndex: a heartbeat round, or the leader's lease when lease reads are on; no log
     * entry, no fsync). Only the leader serves it, as it does writes: a follower answers 421 (503
     * with no leader known), as before.
     */
    private void listTopics(HttpServerExchange exchange) {
        RaftNode raft = node.get();
        if (raft == null) {
            Exchanges.send(exchange, outcomes.starting());
            return;
        }
        RaftStatus s = raft.status();
        if (s.role() != Role.LEADER) {
            Exchanges.send(exchange, outcomes.notLeader(s.leaderId()));
            return;
        }
        answerWhenDone(exchange, raft.query(MqCodec.encodeCommand(new MqCommand.ListTopics())), (result, failure) -> {
            Reply reply;
            try {
                reply = failure != null ? outcomes.failed(failure) : topicLists.reply(result);
            } catch (RuntimeException e) {
                reply = outcomes.internalError("cannot decode the state machine's result: " + e);
            }
            Exchanges.send(exchange, reply);
        });
    }

    /**
     * {@code GET /status?linearizable}: the status once this node has confirmed a read index (the
     * leader by a heartbeat round, a follower by asking the leader) and applied up to it, with that
     * {@code readIndex}; 421/503 when no leader can confirm one.
     */
    private void linearizableStatus(HttpServerExchange exchange) {
        RaftNode raft = node.get();
        if (raft == null) {
            Exchanges.send(exchange, outcomes.starting());
            return;
        }
        answerWhenDone(exchange, raft.readIndex(), (readIndex, failure) ->
                Exchanges.send(exchange, failure != null ? outcomes.failed(failure) : status(readIndex)));
    }

    /**
     * Answers {@code exchange} with {@code whenDone} once {@code pending} completes, or after the
     * proposal timeout. Must be called on the I/O thread from within the handler (or a receiver
     * callback), since it dispatches the exchange.
     */
    private <T> void answerWhenDone(HttpServerExchange exchange, CompletableFuture<T> pending,
                                    java.util.function.BiConsumer<T, Throwable> whenDone) {
        // A copy, so the timeout completes our view and never the engine's own future.
        CompletableFuture<T> bounded = pending.copy()
                .orTimeout(settings.proposalTimeout().toMillis(), TimeUnit.MILLISECONDS);
        // Answer on the connection's own I/O thread, not on the thread that completed the future
        // (the Raft loop, or the timeout's timer): the loop spends no time decoding results and
        // writing sockets, and Undertow needs no handover of the connection. A foreign thread that
        // ends an exchange re-arms the connection's reads under a flag the I/O thread spin-waits on;
        // JFR put ~45% of the leader's samples in that spin (BENCHMARKS.md; CPU per request did
        // not change measurably).
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> bounded.whenCompleteAsync(whenDone, exchange.getIoThread()));
    }

    /**
     * What a command is charged against the leader's {@link QueueBound}: a put's footprint, or -1
     * for commands that add nothing to the queues (only a leader checks; a follower answers 421).
     */
    private static long admissionCost(MqCommand command) {
        MqCommand write = OutcomeMapper.unwrap(command);
        if (write instanceof MqCommand.PutBatch batch) {
            long cost = 0;
            for (String message : batch.messages()) {
                cost += TopicStateMachine.footprint(message);
            }
            return cost;
        }
        return write instanceof MqCommand.PutMessage put ? TopicStateMachine.footprint(put.message()) : -1;
    }

    private void answer(HttpServerExchange exchange, MqCommand command, byte[] result,
                        Throwable failure) {
        Reply reply;
        try {
            reply = failure != null ? outcomes.failed(failure)
                    : outcomes.applied(command, MqCodec.decodeResult(result));
        } catch (RuntimeException e) {
            reply = outcomes.internalError("cannot decode the state machine's result: " + e);
        }
        Exchanges.send(exchange, reply);
    }

    private Reply liveness() {
        boolean ready = node.get() != null;
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("status", "ok");
            json.writeNumberField("id", selfId.getAsInt());
            json.writeBooleanField("ready", ready);
            json.writeEndObject();
        }));
    }

    /**
     * {@code GET /status}: {@code role} and {@code term} as the spec requires, plus what helps an
     * operator: the leader as URL and id, commit index, last applied and last log index, and the
     * node's counters ({@link RaftMetrics}: fsyncs per persisted entry show group commit at work).
     * While the Raft node starts: a Follower in term 0 with {@code "ready": false}.
     *
     * @param readIndex the confirmed read index of {@code ?linearizable}, shown as {@code readIndex};
     *                  -1 for a plain status (no such field)
     */
    private Reply status(long readIndex) {
        RaftNode raft = node.get();
        RaftStatus s = null;
        RaftMetrics metrics = RaftMetrics.NONE;
        String storageError = null;
        if (raft != null) {
            try {
                s = raft.status();
                metrics = raft.metrics();
                storageError = raft.storageError();
            } catch (RuntimeException e) {
                log.debug("status unavailable", e);
            }
        }
        RaftStatus shown = s != null ? s
                : new RaftStatus(selfId.getAsInt(), Role.FOLLOWER, 0, RaftStatus.NO_LEADER, 0, 0, 0,
                        io.rrmq.raft.Configuration.EMPTY);
        boolean ready = s != null;
        RaftMetrics counters = metrics;
        String storageProblem = storageError;
        int leaderId = shown.leaderId();
        String leader = leaderId >= 0 ? directory.url(leaderId) : null;
        boolean isRemoved = removed();
        // A joining node is a Learner until a configuration makes it a voter; while a bootstrapped
        // node starts, its configuration is not loaded yet and it shows as a Follower, as before.
        boolean learner = s != null ? shown.role() == Role.FOLLOWER && !shown.voter() : shown.id() < 0;
        String role = isRemoved ? "Removed" : learner ? "Learner" : shown.role().displayName();
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeStringField("role", role);
            json.writeNumberField("term", shown.term());
            json.writeNumberField("id", shown.id());
            json.writeStringField("leader", leader);
            json.writeNumberField("leaderId", leaderId);
            json.writeNumberField("commitIndex", shown.commitIndex());
            json.writeNumberField("lastApplied", shown.lastApplied());
            json.writeNumberField("lastLogIndex", shown.lastLogIndex());
            if (readIndex >= 0) {
                json.writeNumberField("readIndex", readIndex);
            }
            json.writeBooleanField("ready", ready);
            json.writeStringField("storageError", storageProblem);
            json.writeStringField("clusterId", clusterId.get());
            json.writeArrayFieldStart("members");
            for (io.rrmq.raft.Member m : shown.configuration().members()) {
                json.writeStartObject();
                json.writeNumberField("id", m.id());
                String url = directory.url(m.id());
                json.writeStringField("url", url != null ? url : MemberAddress.url(m.address()));
                json.writeStringField("role", m.voter() ? "Voter" : "Learner");
                json.writeStringField("address", m.address());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeObjectFieldStart("metrics");
            json.writeNumberField("proposals", counters.proposals());
            json.writeNumberField("entriesPersisted", counters.entriesPersisted());
            json.writeNumberField("fsyncs", counters.fsyncs());
            json.writeNumberField("entriesApplied", counters.entriesApplied());
            json.writeNumberField("snapshotsTaken", counters.snapshotsTaken());
            json.writeNumberField("snapshotsInstalled", counters.snapshotsInstalled());
            json.writeNumberField("lastSnapshotCaptureMicros", counters.lastSnapshotCaptureMicros());
            json.writeNumberField("lastSnapshotMicros", counters.lastSnapshotMicros());
            json.writeNumberField("readsServed", counters.readsServed());
            json.writeNumberField("readRounds", counters.readRounds());
            json.writeNumberField("leaseReads", counters.leaseReads());
            json.writeEndObject();
            json.writeEndObject();
        }));
    }

    OutcomeMapper outcomes() {
        return outcomes;
    }
}

package io.rrmq.server.http;

import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.raft.LeadershipLostException;
import io.rrmq.raft.MembershipChangeException;
import io.rrmq.raft.NodeClosedException;
import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.OverloadedException;
import io.rrmq.raft.StorageFullException;
import io.rrmq.raft.RaftStatus;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where what happened to a proposal becomes an HTTP status. The codes follow the
 * retry contract of the product spec:
 *
 * <table>
 *   <tr><th>outcome</th><th>status</th><th>meaning for the client</th></tr>
 *   <tr><td>applied, OK</td><td>200</td><td>done, durable on a majority (a receive, batch, ack
 *       or nack with its fields: {@code messages}, {@code count}, {@code acked}, {@code nacked})</td></tr>
 *   <tr><td>TOPIC_EXISTS</td><td>409</td><td>not done, never will be</td></tr>
 *   <tr><td>NO_SUCH_TOPIC / QUEUE_EMPTY</td><td>404</td><td>not done (reason in header)</td></tr>
 *   <tr><td>REQUEST_ID_REUSED</td><td>422</td><td>not done: the id names another request</td></tr>
 *   <tr><td>a replayed result</td><td>as the original + {@value Reply#REPLAYED_HEADER}</td>
 *       <td>the retry's answer is the first attempt's</td></tr>
 *   <tr><td>{@link NotLeaderException}, leader known</td><td>421 + {@value Reply#LEADER_HEADER}</td>
 *       <td>not done; ask the leader</td></tr>
 *   <tr><td>{@link NotLeaderException}, no leader</td><td>503 + Retry-After</td><td>nothing accepted</td></tr>
 *   <tr><td>{@link MembershipChangeException}: refused for now / for good</td><td>503 {@code membership-busy}
 *       + Retry-After / 409 {@code membership-refused}</td><td>the configuration did not change</td></tr>
 *   <tr><td>{@link OverloadedException}</td><td>503 + Retry-After</td><td>nothing accepted</td></tr>
 *   <tr><td>{@link StorageFullException} (disk below its reserve)</td><td>503 {@code disk-full} +
 *       Retry-After</td><td>nothing accepted</td></tr>
 *   <tr><td>node still starting</td><td>503 + Retry-After</td><td>nothing accepted</td></tr>
 *   <tr><td>the leader's queue bound refused the put (never proposed)</td><td>503 {@code queue-full} +
 *       Retry-After</td><td>nothing accepted; retry once consumers caught up</td></tr>
 *   <tr><td>{@link LeadershipLostException}, {@link NodeClosedException}, timeout</td><td>504</td>
 *       <td>outcome unknown</td></tr>
 *   <tr><td>anything else (a bug)</td><td>500</td><td>outcome unknown</td></tr>
 * </table>
 * Bodies are the exact {@code {"success": ...}} documents; the reason is in {@value Reply#ERROR_HEADER}.
 */
public final class OutcomeMapper {
    private static final Logger log = LoggerFactory.getLogger(OutcomeMapper.class);

    /** Seconds a client should wait before retrying after a 503. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final IntFunction<String> leaderUrl;

    /** @param leaderUrl a member id's client URL, or {@code null} for an id outside the cluster */
    public OutcomeMapper(IntFunction<String> leaderUrl) {
        this.leaderUrl = leaderUrl;
    }

    /** The reply for a command the state machine applied with {@code result}. */
    public Reply applied(MqCommand command, MqResult result) {
        Reply reply = appliedWrite(unwrap(command), result);
        return result.replayed() ? reply.with(Reply.REPLAYED_HEADER, "true") : reply;
    }

    private Reply appliedWrite(MqCommand command, MqResult result) {
        switch (result.outcome()) {
            case OK:
                if (command instanceof MqCommand.ListTopics) {
                    return Replies.topics(result.topics());
                }
                if (command instanceof MqCommand.PopMessage) {
                    if (result.message() == null) {
                        return internalError("pop applied without a message");
                    }
                    return Replies.message(result.message());
                }
                if (command instanceof MqCommand.Receive) {
                    return Replies.deliveries(result.deliveries());
                }
                if (command instanceof MqCommand.PutBatch) {
                    return Replies.counted("count", result.count());
                }
                if (command instanceof MqCommand.Ack) {
                    return Replies.counted("acked", result.count());
                }
                if (command instanceof MqCommand.Nack) {
                    return Replies.counted("nacked", result.count());
                }
                return Replies.success();
            case TOPIC_EXISTS:
                return Replies.failure(409, "topic-exists");
            case NO_SUCH_TOPIC:
                return Replies.failure(404, "no-such-topic");
            case QUEUE_EMPTY:
                return Replies.failure(404, "queue-empty");
            case REQUEST_ID_REUSED:
                return Replies.failure(422, "request-id-reused");
            default:
                // INVALID_COMMAND: the state machine could not decode what our own encoder wrote.
                return internalError("state machine answered " + result.outcome() + " to " + command);
        }
    }

    /** The client's own command inside its stamp and request id. */
    static MqCommand unwrap(MqCommand command) {
        MqCommand inner = command instanceof MqCommand.Stamped stamped ? stamped.command() : command;
        return inner instanceof MqCommand.Identified identified ? identified.command() : inner;
    }

    /** The reply for a proposal whose future failed with {@code failure}. */
    public Reply failed(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof NotLeaderException notLeader) {
            return notLeader(notLeader.leaderHint());
        }
        if (cause instanceof MembershipChangeException refused) {
            return refused.retryable()
                    ? Replies.protocolError(503, "membership-busy", refused.getMessage()).with("Retry-After", RETRY_AFTER_SECONDS)
                    : Replies.protocolError(409, "membership-refused", refused.getMessage());
        }
        if (cause instanceof OverloadedException) {
            return Replies.failure(503, "overloaded").with("Retry-After", RETRY_AFTER_SECONDS);
        }
        if (cause instanceof StorageFullException) {
            return Replies.failure(503, "disk-full").with("Retry-After", RETRY_AFTER_SECONDS);
        }
        if (cause instanceof LeadershipLostException) {
            return Replies.failure(504, "leadership-lost");
        }
        if (cause instanceof NodeClosedException) {
            return Replies.failure(504, "node-closed");
        }
        if (cause instanceof TimeoutException) {
            return Replies.failure(504, "timeout");
        }
        log.error("unexpected proposal failure", cause);
        return internalError(cause.getClass().getSimpleName());
    }

    /** 421 naming the leader, or 503 when none is known. */
    public Reply notLeader(int leaderId) {
        String url = leaderId == RaftStatus.NO_LEADER ? null : leaderUrl.apply(leaderId);
        if (url == null) {
            return Replies.failure(503, "no-leader").with("Retry-After", RETRY_AFTER_SECONDS);
        }
        return Replies.failure(421, "not-leader").with(Reply.LEADER_HEADER, url);
    }

    /** 503 when the leader's queue bound refuses a put: nothing was proposed. */
    public Reply queueFull() {
        return Replies.failure(503, "queue-full").with("Retry-After", RETRY_AFTER_SECONDS);
    }

    /** 503 while the HTTP listener is up but the Raft node is not yet running. */
    public Reply starting() {
        return Replies.failure(503, "starting").with("Retry-After", RETRY_AFTER_SECONDS);
    }

    /** 500: a bug on our side; the outcome of the request is unknown. */
    public Reply internalError(String what) {
        log.error("internal error: {}", what);
        return Replies.protocolError(500, "internal-error", "internal error; the outcome is unknown");
    }

    private static Throwable unwrap(Throwable t) {
        Throwable cause = t;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof CancellationException) {
            return new TimeoutException("cancelled");
        }
        return cause;
    }
}

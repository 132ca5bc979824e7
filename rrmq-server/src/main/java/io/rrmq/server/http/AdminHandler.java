package io.rrmq.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rrmq.raft.Configuration;
import io.rrmq.raft.Member;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ConfigException;
import io.rrmq.server.json.Json;
import io.rrmq.server.membership.MemberAddress;
import io.rrmq.server.membership.PeerDirectory;
import io.rrmq.auth.AdminSignature;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API: membership changes and leadership transfer (SPEC "Membership changes"), served by
 * the leader (others answer 421 naming it, like writes).
 *
 * <ul>
 *   <li>{@code GET /cluster/members}: {@code {"success", "leaderId", "members": [{"id", "url", "role",
 *       "matchIndex"}]}};</li>
 *   <li>{@code POST /cluster/members {"url"}}: adds the node at {@code url} as a learner, waits until it
 *       has caught up, promotes it; answers once it is a voter;</li>
 *   <li>{@code DELETE /cluster/members/<id>}: removes it; answers once the change is committed. For
 *       the leader itself: hands leadership over first and answers 421 naming the new leader, where
 *       the same request then succeeds;</li>
 *   <li>{@code POST /cluster/leader [{"id"}]}: transfers leadership (to the most up-to-date voter
 *       without an id); answers with the new leader.</li>
 * </ul>
 *
 * <p><b>Admin only.</b> A request needs an {@value AdminSignature#HEADER} signature under the cluster
 * key, or, when client tokens are on, an admin token (checked by {@link TokenGate} before this).
 * Otherwise 401, and nothing changes.
 */
public final class AdminHandler {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final String MEMBERS = "/cluster/members";
    private static final String MEMBER_PREFIX = MEMBERS + "/";
    private static final String LEADER = "/cluster/leader";
    private static final int MAX_BODY = 4096;

    private final Supplier<RaftNode> node;
    private final PeerDirectory directory;
    private final AdminSignature signature;
    private final boolean tokensChecked;
    private final OutcomeMapper outcomes;

    /**
     * @param tokensChecked client tokens are on: a request without a signature reached here only with
     *                      an admin token
     */
    public AdminHandler(Supplier<RaftNode> node, PeerDirectory directory, AdminSignature signature,
                        boolean tokensChecked, OutcomeMapper outcomes) {
        this.node = node;
        this.directory = directory;
        this.signature = signature;
        this.tokensChecked = tokensChecked;
        this.outcomes = outcomes;
    }

    /** Whether {@code path} is an admin path. */
    public static boolean handles(String path) {
        return path.equals(MEMBERS) || path.startsWith(MEMBER_PREFIX) || path.equals(LEADER);
    }

    /** Serves an admin request; on the I/O thread. */
    public void handle(HttpServerExchange exchange) {
        String path = exchange.getRequestPath();
        String method = exchange.getRequestMethod().toString();
        BoundedBody.read(exchange, MAX_BODY, MAX_BODY, (ex, body) -> {
            String header = ex.getRequestHeaders().getFirst(AdminSignature.HEADER);
            if (header != null || !tokensChecked) {
                String problem = signature.problem(header, method, path, body);
                if (problem != null) {
                    log.warn("refused admin request {} {} from {}: {}", method, path, ex.getSourceAddress(), problem);
                    Exchanges.send(ex, Replies.protocolError(401, "unauthorized", "admin requests need an admin"
                            + " token or a signature with the cluster key (" + problem + ")"));
                    return;
                }
            }
            try {
                route(ex, method, path, body);
            } catch (BadRequestException e) {
                Exchanges.send(ex, e.reply());
            }
        });
    }

    private void route(HttpServerExchange exchange, String method, String path, byte[] body)
            throws BadRequestException {
        RaftNode raft = node.get();
        if (raft == null) {
            Exchanges.send(exchange, outcomes.starting());
            return;
        }
        if (path.equals(MEMBERS)) {
            if (method.equals("GET")) {
                answer(exchange, raft.matchIndexes().thenApply(matches -> members(raft.status(), matches)));
            } else if (method.equals("POST")) {
                add(exchange, raft, body);
            } else {
                Exchanges.send(exchange, Replies.methodNotAllowed(method, "GET, POST"));
            }
        } else if (path.equals(LEADER)) {
            if (!method.equals("POST")) {
                Exchanges.send(exchange, Replies.methodNotAllowed(method, "POST"));
                return;
            }
            OptionalInt id = body.length == 0 ? OptionalInt.empty() : optionalId(body);
            answer(exchange, raft.transferLeadership(id.orElse(-1)).thenApply(this::leaderReply));
        } else {
            if (!method.equals("DELETE")) {
                Exchanges.send(exchange, Replies.methodNotAllowed(method, "DELETE"));
                return;
            }
            remove(exchange, raft, path.substring(MEMBER_PREFIX.length()));
        }
    }

    private void add(HttpServerExchange exchange, RaftNode raft, byte[] body) throws BadRequestException {
        String url = stringField(body, "url");
        ClusterConfig.Member parsed;
        try {
            parsed = MemberAddress.parse(-1, url);
        } catch (ConfigException e) {
            throw BadRequestException.badRequest(e.getMessage());
        }
        RaftStatus status = raft.status();
        if (status.role() != Role.LEADER) {
            Exchanges.send(exchange, outcomes.notLeader(status.leaderId()));
            return;
        }
        Configuration current = status.configuration();
        Member existing = directory.idOf(parsed.url()).flatMap(current::member).orElse(null);
        CompletableFuture<Configuration> learner;
        int id;
        if (existing != null) {
            id = existing.id();
            learner = CompletableFuture.completedFuture(current);
        } else {
            // Ids are never reused: above every id this node has ever seen in a configuration.
            id = Math.max(current.maxId(), directory.knownMembers().stream()
                    .mapToInt(ClusterConfig.Member::id).max().orElse(-1)) + 1;
            log.info("adding {} as learner {}", parsed.url(), id);
            learner = raft.addLearner(id, parsed.url());
        }
        answer(exchange, learner.thenCompose(c -> raft.promote(id)).thenApply(c -> memberReply(id, c)));
    }

    private void remove(HttpServerExchange exchange, RaftNode raft, String which) throws BadRequestException {
        int id;
        try {
            id = Integer.parseInt(which);
        } catch (NumberFormatException e) {
            throw BadRequestException.badRequest("member id must be a whole number, got \"" + Replies.abbreviate(which)
                    + "\"");
        }
        RaftStatus status = raft.status();
        if (status.role() != Role.LEADER) {
            Exchanges.send(exchange, outcomes.notLeader(status.leaderId()));
            return;
        }
        if (!status.configuration().contains(id)) {
            Exchanges.send(exchange, Replies.protocolError(404, "no-such-member", "node " + id + " is not a member"));
            return;
        }
        if (id == status.id()) {
            // Hand over first, so the cluster is never without a leader for an election timeout; the
            // new leader then removes this node.
            log.info("removing the leader itself: handing leadership over first");
            answer(exchange, raft.transferLeadership(-1).thenApply(leader -> outcomes.notLeader(leader)));
            return;
        }
        log.info("removing member {}", id);
        answer(exchange, raft.remove(id).thenApply(c -> Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeNumberField("removed", id);
            json.writeEndObject();
        }))));
    }

    private Reply members(RaftStatus status, Map<Integer, Long> matches) {
        if (status.role() != Role.LEADER) {
            return outcomes.notLeader(status.leaderId());
        }
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeNumberField("leaderId", status.id());
            json.writeArrayFieldStart("members");
            for (Member m : status.configuration().members()) {
                json.writeStartObject();
                json.writeNumberField("id", m.id());
                json.writeStringField("url", url(m));
                json.writeStringField("role", m.voter() ? "Voter" : "Learner");
                json.writeNumberField("matchIndex", matches.getOrDefault(m.id(), -1L));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    private String url(Member m) {
        String known = directory.url(m.id());
        return known != null ? known : MemberAddress.url(m.address());
    }

    private Reply memberReply(int id, Configuration c) {
        Member m = c.member(id).orElse(null);
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeNumberField("id", id);
            json.writeStringField("role", m != null && m.voter() ? "Voter" : "Learner");
            json.writeEndObject();
        }));
    }

    private Reply leaderReply(int leaderId) {
        return Reply.of(200, Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("success", true);
            json.writeNumberField("leaderId", leaderId);
            json.writeStringField("leader", leaderId < 0 ? null : directory.url(leaderId));
            json.writeEndObject();
        }));
    }

    /** Answers when {@code reply} completes, on the exchange's I/O thread. */
    private void answer(HttpServerExchange exchange, CompletableFuture<Reply> reply) {
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> reply.whenCompleteAsync((r, failure) ->
                Exchanges.send(exchange, failure != null ? outcomes.failed(failure) : r), exchange.getIoThread()));
    }

    private static String stringField(byte[] body, String name) throws BadRequestException {
        String text = JsonBody.read(body, false, List.of(name), "expected only \"" + name + "\"", JsonBody::string)
                .get(name);
        if (text == null || text.isEmpty()) {
            throw BadRequestException.badRequest("\"" + name + "\" must be a non-empty string");
        }
        return text;
    }

    private static OptionalInt optionalId(byte[] body) throws BadRequestException {
        Integer id = JsonBody.read(body, true, List.of("id"), "expected only \"id\"", (name, token, parser) -> {
            if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT) {
                throw BadRequestException.badRequest("\"id\" must be a whole number, got " + Json.describe(token));
            }
            return parser.getIntValue();
        }).get("id");
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }
}

package io.rrmq.cli;

import io.rrmq.auth.AdminSignature;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;

/**
 * Sends one {@link ApiRequest} to the cluster's leader: finds the leader, follows its hints, and
 * retries what is safe to retry until the request is answered or the overall deadline passes.
 *
 * <p>The rules, from the status codes' contract (README, "Status codes"):
 * <ul>
 *   <li>2xx and every 4xx but 421 are definite: returned at once, never retried.</li>
 *   <li>421 names the leader in {@code X-RRMQ-Leader}: the next attempt goes there, without a pause.</li>
 *   <li>503 (no leader, no quorum, starting, overloaded), a refused connection and a failed TLS
 *       handshake: nothing was accepted; the next node is tried. Once every node has failed in a round, the client pauses
 *       (exponential backoff, at least the largest {@code Retry-After} seen) and starts a new round.</li>
 *   <li>504, another 5xx, a timeout or a connection lost after the request was sent: the outcome is
 *       unknown. The request is sent again after a pause, with the same {@code X-RRMQ-Request-Id},
 *       which lets a deduplicating server answer with the original result; if the deadline passes
 *       first, a write is reported {@link Outcome.Unknown}. The retry goes to the same node after a
 *       504 (it is alive, and redirects if it lost the leadership), except after a 504
 *       {@code node-closed} (the node is stopping, or its engine stopped) or no reply at all: then to
 *       the next node.</li>
 * </ul>
 * Not thread-safe: one instance serves one command on one thread.
 */
public final class ClusterClient {
    public static final String LEADER_HEADER = "X-RRMQ-Leader";
    public static final String ERROR_HEADER = "X-RRMQ-Error";
    /** The 504 reason of a node that is shutting down or whose Raft engine has stopped. */
    static final String NODE_CLOSED = "node-closed";
    /** No attempt starts with less time than this left: it could only time out. */
    static final long MIN_ATTEMPT_NANOS = Duration.ofMillis(50).toNanos();

    private final NodeList nodes;
    private final RetryPolicy policy;
    private final HttpExchanger http;
    private final RandomGenerator random;
    private final Consumer<String> trace;
    /** {@code Authorization} header value, or null when the cluster needs no token. */
    private final String authorization;
    /**
     * Finds the cluster key's signer the first time an admin request is sent (null when the key is
     * not at hand): other commands never look for it.
     */
    private final Supplier<AdminSignature> admin;
    private AdminSignature signer;
    private boolean signerLooked;

    public ClusterClient(NodeList nodes, RetryPolicy policy, RandomGenerator random, Consumer<String> trace) {
        this(nodes, policy, random, trace, null, Optional.empty());
    }

    /**
     * @param tls   for {@code https://} nodes: whom to trust ({@code --cacert}); {@code null} trusts the
     *              JDK's default CAs
     * @param token the client token to send as {@code Authorization: Bearer TOKEN}, if any
     */
    public ClusterClient(NodeList nodes, RetryPolicy policy, RandomGenerator random, Consumer<String> trace,
                         SSLContext tls, Optional<String> token) {
        this(nodes, policy, random, trace, tls, token, () -> null);
    }

    /**
     * @param admin gives the signer of {@code /cluster/...} requests (every attempt signs anew), or
     *              null when the cluster key is not at hand (then only an admin token authorizes them);
     *              asked once, at the first admin request
     */
    public ClusterClient(NodeList nodes, RetryPolicy policy, RandomGenerator random, Consumer<String> trace,
                         SSLContext tls, Optional<String> token, Supplier<AdminSignature> admin) {
        this.admin = admin;
        this.authorization = token.map(t -> "Bearer " + t).orElse(null);
        this.nodes = nodes;
        this.policy = policy;
        this.random = random;
        this.trace = trace;
        this.http = new HttpExchanger(policy.connectTimeout(), tls);
    }

    public NodeList nodes() {
        return nodes;
    }

    public RetryPolicy policy() {
        return policy;
    }

    /** Sends {@code request} until it is answered definitely or {@link RetryPolicy#timeout()} has passed. */
    public Outcome send(ApiRequest request) throws InterruptedException {
        return send(request, Duration.ZERO);
    }

    /**
     * Like {@link #send(ApiRequest)} for a request the server may hold up to {@code hold} (a long
     * poll): each attempt may take that much longer, and so may the whole command.
     */
    public Outcome send(ApiRequest request, Duration hold) throws InterruptedException {
        long holdNanos = hold.toNanos();
        long deadline = System.nanoTime() + policy.timeout().toNanos() + holdNanos;
        int cursor = 0;             // next node of the round-robin, when no leader is known
        URI next = null;            // where the next attempt goes when known (leader hint, retry of an unknown)
        int failedInRound = 0;      // nodes that could not serve the request since the last pause
        int rounds = 0;
        int hops = 0;               // consecutive 421 hints followed
        Duration retryAfter = Duration.ZERO;
        boolean maybeApplied = false;
        String lastProblem = "no attempt made";
        int attempts = 0;

        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || attempts > 0 && remaining < Math.min(MIN_ATTEMPT_NANOS, policy.timeout().toNanos())) {
                break;
            }
            URI node;
            if (next != null) {
                node = next;
                next = null;
            } else {
                node = nodes.get(cursor % nodes.size());
                cursor++;
            }
            attempts++;
            Attempt result = attempt(node, request,
                    Duration.ofNanos(Math.min(remaining, policy.requestTimeout().toNanos() + holdNanos)));
            trace.accept("attempt " + attempts + " " + request.method() + " " + node + request.path() + ": " + result.describe());

            Duration pause = Duration.ZERO;
            switch (result.kind) {
                case ANSWERED -> {
                    return new Outcome.Answered(result.status, result.body, result.error, node, attempts);
                }
                case REDIRECT -> {
                    lastProblem = node + " is not the leader";
                    Optional<URI> leader = result.leader;
                    if (leader.isPresent() && hops < nodes.size() + 1) {
                        hops++;
                        next = leader.get();
                        continue;
                    }
                    hops = 0;
                    failedInRound++;
                }
                case NOT_ACCEPTED -> {
                    lastProblem = node + ": " + result.describe();
                    hops = 0;
                    failedInRound++;
                    if (result.retryAfter.compareTo(retryAfter) > 0) {
                        retryAfter = result.retryAfter;
                    }
                }
                case UNKNOWN -> {
                    lastProblem = node + ": " + result.describe();
                    hops = 0;
                    maybeApplied |= request.isWrite();
                    // A node that answered 504 is alive and will redirect if it is no longer the
                    // leader; a node that did not answer at all may be frozen, and one whose engine
                    // has stopped (node-closed) will not serve again until restarted: try the next.
                    if (result.status != 0 && !NODE_CLOSED.equals(result.error)) {
                        next = node;
                    }
                    failedInRound = 0;
                    rounds++;
                    pause = jitter(policy.backoff(rounds));
                }
            }
            if (failedInRound >= nodes.size()) {
                failedInRound = 0;
                rounds++;
                Duration backoff = jitter(policy.backoff(rounds));
                pause = backoff.compareTo(retryAfter) >= 0 ? backoff : retryAfter;
                retryAfter = Duration.ZERO;
            }
            if (!pause.isZero()) {
                // Pause, but leave time for one more attempt; if none would fit, stop now.
                long sleepNanos = Math.min(pause.toNanos(), deadline - System.nanoTime() - MIN_ATTEMPT_NANOS);
                if (sleepNanos <= 0) {
                    break;
                }
                trace.accept("pausing " + Duration.ofNanos(sleepNanos).toMillis() + " ms");
                Thread.sleep(sleepNanos / 1_000_000, (int) (sleepNanos % 1_000_000));
            }
        }
        String reason = "no answer within " + seconds(policy.timeout()) + " (last: " + lastProblem + ")";
        return maybeApplied ? new Outcome.Unknown(reason, attempts) : new Outcome.Unavailable(reason, attempts);
    }

    /**
     * One {@code GET path} to one node, no retries (for {@code status} and {@code metrics}), on a
     * thread of its own so that several nodes can be asked at once; the future fails on I/O errors
     * ({@link SocketTimeoutException} when the reply did not come within the request timeout).
     */
    public CompletableFuture<HttpExchanger.Reply> getOnce(URI node, String path) {
        CompletableFuture<HttpExchanger.Reply> reply = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                reply.complete(getNow(node, path));
            } catch (IOException | RuntimeException e) {
                reply.completeExceptionally(e);
            }
        }, "rrmq-get-" + node.getPort());
        thread.setDaemon(true);
        thread.start();
        return reply;
    }

    /** One {@code GET path} to one node on the calling thread, no retries. */
    public HttpExchanger.Reply getNow(URI node, String path) throws IOException {
        Map<String, String> headers = authorization == null ? Map.of() : Map.of("Authorization", authorization);
        return http.exchange(node, "GET", path, headers, null, policy.requestTimeout());
    }

    private AdminSignature signer() {
        if (!signerLooked) {
            signerLooked = true;
            signer = admin.get();
        }
        return signer;
    }

    private Attempt attempt(URI node, ApiRequest request, Duration timeout) {
        Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = request.jsonBody() == null ? null : request.jsonBody().getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            headers.put("Content-Type", "application/json");
        }
        if (request.requestId() != null) {
            headers.put(ApiRequest.REQUEST_ID_HEADER, request.requestId());
        }
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        AdminSignature signature = request.path().startsWith("/cluster/") ? signer() : null;
        if (signature != null) {
            headers.put(AdminSignature.HEADER, signature.sign(request.method(), request.path(),
                    body == null ? new byte[0] : body));
        }
        HttpExchanger.Reply response;
        try {
            response = http.exchange(node, request.method(), request.path(), headers, body, timeout);
        } catch (HttpExchanger.NotSentException e) {
            // Nothing is sent before the connection (and the TLS handshake) is up: nothing can have been applied.
            return e.tlsHandshake()
                    ? Attempt.notAccepted(0, "TLS handshake failed (" + describe(e) + "; see --cacert)", Duration.ZERO)
                    : Attempt.notAccepted(0, "cannot connect (" + describe(e) + ")", Duration.ZERO);
        } catch (SocketTimeoutException e) {
            return Attempt.unknown(0, "no reply within " + seconds(timeout));
        } catch (IOException e) {
            return Attempt.unknown(0, "connection lost (" + describe(e) + ")");
        }
        return classify(node, response);
    }

    private static Attempt classify(URI node, HttpExchanger.Reply response) {
        int status = response.status();
        String error = response.header(ERROR_HEADER);
        if (status == 421) {
            Optional<URI> leader = Optional.ofNullable(response.header(LEADER_HEADER)).flatMap(ClusterClient::leaderUrl)
                    .filter(l -> !l.equals(node));
            return new Attempt(Kind.REDIRECT, status, response.body(), error, leader, Duration.ZERO, "421 not the leader"
                    + leader.map(l -> ", leader is " + l).orElse(", no leader named"));
        }
        if (status == 503) {
            Duration retryAfter = Optional.ofNullable(response.header("Retry-After")).flatMap(ClusterClient::retryAfter)
                    .orElse(Duration.ZERO);
            return Attempt.notAccepted(status, "503 " + (error == null ? "unavailable" : error), retryAfter);
        }
        if (status >= 500) {
            return new Attempt(Kind.UNKNOWN, status, null, error, Optional.empty(), Duration.ZERO,
                    status + " " + (error == null ? "outcome unknown" : error));
        }
        return new Attempt(Kind.ANSWERED, status, response.body(), error, Optional.empty(), Duration.ZERO,
                status + (error == null ? "" : " " + error));
    }

    /** {@code X-RRMQ-Leader} as a base URL, if it is one. */
    static Optional<URI> leaderUrl(String header) {
        try {
            return Optional.of(NodeList.parseUrl(header.strip(), LEADER_HEADER));
        } catch (UsageException e) {
            return Optional.empty();
        }
    }

    /** {@code Retry-After} in seconds (the HTTP-date form is not used by RRMQ and is ignored). */
    static Optional<Duration> retryAfter(String header) {
        try {
            long seconds = Long.parseLong(header.strip());
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(Math.min(seconds, 60)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private Duration jitter(Duration d) {
        return d.plusNanos((long) (d.toNanos() * 0.25 * random.nextDouble()));
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private enum Kind { ANSWERED, REDIRECT, NOT_ACCEPTED, UNKNOWN }

    /** The classified result of one HTTP exchange; {@code status} is 0 when there was no reply. */
    private record Attempt(Kind kind, int status, String body, String error, Optional<URI> leader,
                           Duration retryAfter, String description) {
        static Attempt notAccepted(int status, String description, Duration retryAfter) {
            return new Attempt(Kind.NOT_ACCEPTED, status, null, null, Optional.empty(), retryAfter, description);
        }

        static Attempt unknown(int status, String description) {
            return new Attempt(Kind.UNKNOWN, status, null, null, Optional.empty(), Duration.ZERO, description);
        }

        String describe() {
            return description;
        }
    }
}

package io.rrmq.server.chaos;

import io.rrmq.server.chaos.Operation.Kind;
import io.rrmq.server.chaos.Operation.Outcome;
import io.rrmq.server.it.ApiClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A retrying RRMQ client for the chaos test: one logical operation = one request id, sent again
 * (to whichever node is leader by then) until a definite answer or until its budget runs out. The
 * README's status codes decide: 200 (and a pop's 404 queue-empty) is ok; 421 means ask the leader
 * it names; 503 and a refused connection mean nothing was accepted, retry; 504, other 5xx and a
 * timeout or broken connection after sending leave the attempt's effect unknown, retry with the
 * same id; any other 4xx is a definite failure. An operation out of budget is {@code UNKNOWN} if any
 * attempt was ambiguous, else {@code FAILED}.
 *
 * <p>Thread-safe: the load threads share one instance (one {@link HttpClient}, one leader guess).
 * Every call is bounded by its budget plus one request timeout.
 */
final class ChaosClient {
    static final String REQUEST_ID = "X-RRMQ-Request-Id";
    static final String REPLAYED = "X-RRMQ-Replayed";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration STATUS_TIMEOUT = Duration.ofMillis(300);
    private static final Pattern MESSAGE = Pattern.compile("^\\{\"success\":true,\"message\":\"(.*)\"}$");
    private static final Pattern LEADER = Pattern.compile("\"leader\":\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500)).build();
    private final List<String> nodes;
    private final long epoch;
    private volatile String leader;
    /** How attempts ended, for the summary: "200", "421", "timeout", "io:ConnectException", ... */
    private final Map<String, LongAdder> attemptEnds = new ConcurrentSkipListMap<>();

    /** @param nodes every node's base URL; @param epoch the time origin of recorded operations */
    ChaosClient(List<String> nodes, long epoch) {
        this.nodes = List.copyOf(nodes);
        this.epoch = epoch;
        this.leader = nodes.get(0);
    }

    /** What came of one logical request. */
    record Reply(Outcome outcome, int status, String message, int attempts, int uncertain, boolean replayed,
                 long invokedAt, long completedAt) {
    }

    Operation put(String process, String topic, String payload, String requestId, Duration budget)
            throws InterruptedException {
        String body = "{\"topic\": " + ApiClient.quote(topic) + ", \"message\": " + ApiClient.quote(payload) + "}";
        Reply r = execute("PUT", "/message", body, requestId, budget, false);
        return new Operation(process, Kind.PUT, topic, payload, r.outcome(), requestId, r.invokedAt(),
                r.completedAt(), r.attempts(), r.uncertain(), r.replayed());
    }

    Operation pop(String process, String topic, String requestId, Duration budget) throws InterruptedException {
        Reply r = execute("GET", "/message/" + ApiClient.encodeTopic(topic), null, requestId, budget, true);
        return new Operation(process, Kind.POP, topic, r.message(), r.outcome(), requestId, r.invokedAt(),
                r.completedAt(), r.attempts(), r.uncertain(), r.replayed());
    }

    Reply createTopic(String topic, String requestId, Duration budget) throws InterruptedException {
        return execute("PUT", "/topic", "{\"topic\": " + ApiClient.quote(topic) + "}", requestId, budget, false);
    }

    private Reply execute(String method, String path, String body, String requestId, Duration budget, boolean pop)
            throws InterruptedException {
        long invokedAt = System.nanoTime();
        long deadline = invokedAt + budget.toNanos();
        int uncertain = 0;
        int attempts = 0;
        while (System.nanoTime() < deadline) {
            String base = leader;
            attempts++;
            HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT)
                    .header(REQUEST_ID, requestId).header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build();
            HttpResponse<String> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (ConnectException | HttpConnectTimeoutException notSent) {
                count("not-sent:" + notSent.getClass().getSimpleName());
                rediscover(base);
                pause(20);
                continue;
            } catch (IOException afterSending) {
                count(afterSending instanceof HttpTimeoutException ? "timeout" : "io:" + afterSending);
                uncertain++; // a timeout or a broken connection: the request may have been applied
                rediscover(base);
                continue;
            }
            int status = response.statusCode();
            boolean replayed = response.headers().firstValue(REPLAYED).filter("true"::equalsIgnoreCase).isPresent();
            String error = response.headers().firstValue("X-RRMQ-Error").orElse("");
            count(status >= 500 && !error.isEmpty() ? status + " " + error : Integer.toString(status));
            if (status == 200) {
                String message = null;
                if (pop) {
                    Matcher m = MESSAGE.matcher(response.body());
                    if (!m.matches()) {
                        throw new IllegalStateException("unexpected pop reply " + response.body());
                    }
                    message = m.group(1);
                }
                return reply(Outcome.OK, status, message, attempts, uncertain, replayed, invokedAt);
            }
            if (pop && status == 404 && error.equals("queue-empty")) {
                return reply(Outcome.OK, status, null, attempts, uncertain, replayed, invokedAt);
            }
            if (status == 421) {
                String hint = response.headers().firstValue("X-RRMQ-Leader").orElse(null);
                if (hint != null && !hint.equals(base)) {
                    leader = hint;
                } else {
                    rediscover(base);
                    pause(20);
                }
            } else if (status == 503) {
                rediscover(base);
                pause(50 + ThreadLocalRandom.current().nextInt(50));
            } else if (status >= 500) {
                uncertain++; // 504 leadership lost / not confirmed, 500: outcome unknown
                rediscover(base);
                pause(20);
            } else {
                return reply(Outcome.FAILED, status, null, attempts, uncertain, replayed, invokedAt);
            }
        }
        return reply(uncertain > 0 ? Outcome.UNKNOWN : Outcome.FAILED, -1, null, attempts, uncertain, false, invokedAt);
    }

    private void count(String end) {
        attemptEnds.computeIfAbsent(end, e -> new LongAdder()).increment();
    }

    /** How many attempts ended how, so far: by status, a 5xx also by its {@code X-RRMQ-Error} ("504 timeout"). */
    Map<String, Long> attemptEnds() {
        Map<String, Long> out = new TreeMap<>();
        attemptEnds.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private Reply reply(Outcome outcome, int status, String message, int attempts, int uncertain, boolean replayed,
                        long invokedAt) {
        return new Reply(outcome, status, message, attempts, uncertain, replayed, invokedAt - epoch,
                System.nanoTime() - epoch);
    }

    /**
     * After {@code failed} did not serve a request: asks the nodes' {@code GET /status} for the
     * leader (first answer naming one wins), else moves on to the next node in the list.
     */
    private void rediscover(String failed) throws InterruptedException {
        if (!failed.equals(leader)) {
            return; // another thread already moved on
        }
        int start = ThreadLocalRandom.current().nextInt(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get((start + i) % nodes.size());
            if (node.equals(failed)) {
                continue;
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node + "/status"))
                        .timeout(STATUS_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
                Matcher m = LEADER.matcher(r.body());
                if (r.statusCode() == 200 && m.find()) {
                    leader = m.group(1);
                    return;
                }
            } catch (IOException unreachable) {
                // try the next one
            }
        }
        leader = nodes.get((nodes.indexOf(failed) + 1) % nodes.size());
    }

    private static void pause(long millis) throws InterruptedException {
        Thread.sleep(millis);
    }
}

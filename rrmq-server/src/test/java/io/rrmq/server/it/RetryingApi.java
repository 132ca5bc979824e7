package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API as a careful client uses it in process tests: every write carries a fresh request id and
 * is retried with that id, at whichever node leads now, until the answer is definite (not 421, 503
 * or 504, no lost connection). On a loaded machine a leader can lose its quorum for a moment
 * between two requests; a test that treated that 504 as a failure would test the machine's load,
 * and a blind retry without an id could store twice or pop twice.
 */
public final class RetryingApi {
    private static final Duration BUDGET = Duration.ofSeconds(15);
    private static final Duration LEADER_WAIT = Duration.ofSeconds(10);
    private static final Pattern MESSAGE = Pattern.compile("^\\{\"success\":true,\"message\":\"(.*)\"}$");

    /** One attempt of a request; it must carry its request id so that repeating it is safe. */
    @FunctionalInterface
    private interface Attempt {
        HttpResponse<String> send(ApiClient leader) throws Exception;
    }

    private final ClusterProcesses cluster;
    /** The client of the leader last seen; looked up again after any failed attempt. */
    private ApiClient leader;

    public RetryingApi(ClusterProcesses cluster) {
        this.cluster = cluster;
    }

    /** Puts {@code message} and asserts that it was acknowledged. */
    public void put(String topic, String message) {
        String requestId = UUID.randomUUID().toString();
        HttpResponse<String> r = untilDefinite(api -> api.putMessage(topic, message, requestId));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** Puts {@code messages} as one batch ({@code PUT /messages}) and asserts that it was acknowledged. */
    public void putBatch(String topic, List<String> messages) {
        String requestId = UUID.randomUUID().toString();
        StringBuilder json = new StringBuilder("{\"topic\":").append(ApiClient.quote(topic)).append(",\"messages\":[");
        for (int i = 0; i < messages.size(); i++) {
            json.append(i == 0 ? "" : ",").append(ApiClient.quote(messages.get(i)));
        }
        String body = json.append("]}").toString();
        HttpResponse<String> r = untilDefinite(api -> api.send("PUT", "/messages", body, "application/json", requestId));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** One pop: its definite answer (200 with the message, or 404). */
    public HttpResponse<String> pop(String topic) {
        String requestId = UUID.randomUUID().toString();
        return untilDefinite(api -> api.popMessage(topic, requestId));
    }

    /** Pops until the queue is empty (404 queue-empty) and returns the messages in order. */
    public List<String> drain(String topic) {
        List<String> out = new ArrayList<>();
        while (true) {
            HttpResponse<String> r = pop(topic);
            if (r.statusCode() == 404) {
                assertThat(r.headers().firstValue("X-RRMQ-Error")).hasValue("queue-empty");
                return out;
            }
            Matcher m = MESSAGE.matcher(r.body());
            assertThat(m.matches()).as(r.body()).isTrue();
            out.add(m.group(1));
        }
    }

    private HttpResponse<String> untilDefinite(Attempt attempt) {
        return await().atMost(BUDGET).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .ignoreExceptions()
                .until(() -> {
                    if (leader == null) {
                        leader = cluster.api(cluster.awaitLeader(LEADER_WAIT));
                    }
                    try {
                        HttpResponse<String> r = attempt.send(leader);
                        if (!isDefinite(r)) {
                            leader = null;
                        }
                        return r;
                    } catch (Exception e) {
                        leader = null;
                        throw e;
                    }
                }, RetryingApi::isDefinite);
    }

    private static boolean isDefinite(HttpResponse<String> r) {
        return r.statusCode() != 421 && r.statusCode() != 503 && r.statusCode() != 504;
    }
}

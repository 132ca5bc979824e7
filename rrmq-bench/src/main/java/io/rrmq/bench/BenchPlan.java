package io.rrmq.bench;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * One load run.
 *
 * @param urls        nodes to try (RRMQ: any node, the leader is found from there; etcd: the member
 *                    to send to, which forwards to its leader)
 * @param operation   what each request does
 * @param connections concurrent keep-alive connections, one request in flight on each
 * @param warmup      load before measuring starts (not recorded)
 * @param duration    measured load after the warm-up
 * @param rate        open loop at this many requests per second in total, CO-corrected; 0 = closed loop
 * @param payloadSize bytes of each message or value
 * @param topics      RRMQ topics the connections spread over ({@code bench-0} ...)
 * @param prefill     messages put (not measured) before the run, so that pops find something
 * @param timeout     per-request socket timeout
 * @param batch       messages per request of {@link Operation#PUT_BATCH}
 */
record BenchPlan(List<URI> urls, Operation operation, int connections, Duration warmup, Duration duration,
                 int rate, int payloadSize, int topics, int prefill, Duration timeout, int batch) {

    BenchPlan {
        if (urls.isEmpty() || connections < 1 || topics < 1 || payloadSize < 0 || rate < 0 || prefill < 0
                || batch < 1) {
            throw new IllegalArgumentException("need urls, connections >= 1, topics >= 1, batch >= 1, sizes >= 0");
        }
    }

    String topic(int connection) {
        return "bench-" + (connection % topics);
    }

    /** A payload of {@code payloadSize} ASCII letters (JSON-safe, the same for every request). */
    String payload() {
        StringBuilder s = new StringBuilder(payloadSize);
        for (int i = 0; i < payloadSize; i++) {
            s.append((char) ('a' + i % 26));
        }
        return s.toString();
    }
}

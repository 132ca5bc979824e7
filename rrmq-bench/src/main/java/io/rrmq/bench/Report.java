package io.rrmq.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The figures of one run: successful requests per second and their latency distribution (from the
 * intended start of each request in open loop, so a stalled server cannot hide its queueing delay
 * behind a stalled generator), plus failures by status (0 = I/O error or timeout).
 */
record Report(String label, int connections, int rate, double seconds, long ok, int messagesPerOperation,
              Map<Integer, Long> failures, Histogram latencyMicros) {

    double throughput() {
        return ok / seconds;
    }

    /** Messages moved per second: requests per second times the batch of a batch put. */
    double messageThroughput() {
        return throughput() * messagesPerOperation;
    }

    long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    double percentileMillis(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMillis() {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
    }

    static String tableHeader() {
        return String.format(Locale.ROOT, "%-14s %5s %7s %10s %10s %8s %8s %8s %8s %8s %7s",
                "run", "conns", "rate", "req/s", "msgs/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors");
    }

    String tableRow() {
        return String.format(Locale.ROOT, "%-14s %5d %7s %10.0f %10.0f %8.2f %8.2f %8.2f %8.2f %8.2f %7d",
                label, connections, rate == 0 ? "closed" : Integer.toString(rate), throughput(), messageThroughput(),
                percentileMillis(50), percentileMillis(90), percentileMillis(99), percentileMillis(99.9),
                maxMillis(), failed());
    }

    String toJson() {
        StringBuilder failuresJson = new StringBuilder("{");
        new TreeMap<>(failures).forEach((status, count) -> failuresJson
                .append(failuresJson.length() > 1 ? "," : "").append('"').append(status).append("\":").append(count));
        failuresJson.append('}');
        return String.format(Locale.ROOT,
                "{\"run\":\"%s\",\"connections\":%d,\"rate\":%d,\"seconds\":%.3f,\"ok\":%d,\"throughput\":%.1f,"
                        + "\"messages_per_second\":%.1f,"
                        + "\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,\"errors\":%d,\"failures\":%s}",
                label, connections, rate, seconds, ok, throughput(), messageThroughput(), percentileMillis(50), percentileMillis(90),
                percentileMillis(99), percentileMillis(99.9), maxMillis(), failed(), failuresJson);
    }
}

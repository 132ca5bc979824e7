package io.rrmq.server.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;

/**
 * The dashboard's memory: put and pop rates and their p50/p99 latency, one point per second over the
 * last {@link #SECONDS} seconds, computed from the same counters and histogram {@code /metrics}
 * exports (the per-second difference of the histogram's buckets, interpolated as Prometheus's
 * {@code histogram_quantile} does). Nothing is added to the request path.
 *
 * <p>{@link #sample} runs on the metrics thread once a second; {@link #history} on any thread
 * (synchronized: a few hundred numbers copied once a second per open dashboard).
 */
final class RecentRates {
    static final int SECONDS = 300;
    static final String[] SERIES = {"putRate", "popRate", "putP50", "putP99", "popP50", "popP99"};

    private final double[][] points = new double[SERIES.length][SECONDS];
    private int next;
    private int filled;
    private long lastPuts = -1;
    private long lastPops;
    private long lastNanos;
    private double[] lastPutBuckets;
    private double[] lastPopBuckets;

    /** Adds one point: {@code puts} and {@code pops} are totals since start. */
    synchronized void sample(long now, long puts, long pops, HistogramSnapshot latency) {
        double[] putBuckets = buckets(latency, Routes.name(Routes.MESSAGE));
        double[] popBuckets = buckets(latency, Routes.name(Routes.POP));
        if (lastPuts >= 0) {
            double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
            double[] point = {
                (puts - lastPuts) / seconds, (pops - lastPops) / seconds,
                quantile(0.5, lastPutBuckets, putBuckets), quantile(0.99, lastPutBuckets, putBuckets),
                quantile(0.5, lastPopBuckets, popBuckets), quantile(0.99, lastPopBuckets, popBuckets),
            };
            for (int s = 0; s < SERIES.length; s++) {
                points[s][next] = point[s];
            }
            next = (next + 1) % SECONDS;
            filled = Math.min(SECONDS, filled + 1);
        }
        lastPuts = puts;
        lastPops = pops;
        lastNanos = now;
        lastPutBuckets = putBuckets;
        lastPopBuckets = popBuckets;
    }

    /** Each series, oldest point first (at most {@link #SECONDS}); latencies in seconds (NaN: no request). */
    synchronized double[][] history() {
        double[][] out = new double[SERIES.length][filled];
        for (int s = 0; s < SERIES.length; s++) {
            for (int i = 0; i < filled; i++) {
                out[s][i] = points[s][(next - filled + i + SECONDS) % SECONDS];
            }
        }
        return out;
    }

    /** Cumulative counts per classic bucket of {@code route} (upper bounds as in {@link HttpMetrics}). */
    private static double[] buckets(HistogramSnapshot latency, String route) {
        double[] counts = new double[HttpMetrics.LATENCY_BUCKETS.length + 1];
        if (latency == null) {
            return counts;
        }
        for (HistogramSnapshot.HistogramDataPointSnapshot point : latency.getDataPoints()) {
            if (!route.equals(point.getLabels().get("route"))) {
                continue;
            }
            ClassicHistogramBuckets classic = point.getClassicBuckets();
            long cumulative = 0;
            for (int i = 0; i < classic.size() && i < counts.length; i++) {
                cumulative += classic.getCount(i);
                counts[i] = cumulative;
            }
        }
        return counts;
    }

    /** {@code histogram_quantile(q)} over the requests between two cumulative bucket snapshots. */
    static double quantile(double q, double[] before, double[] after) {
        int n = after.length;
        double total = after[n - 1] - (before == null ? 0 : before[n - 1]);
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double previousCount = 0;
        for (int i = 0; i < n; i++) {
            double count = after[i] - (before == null ? 0 : before[i]);
            if (count >= rank) {
                double lower = i == 0 ? 0 : HttpMetrics.LATENCY_BUCKETS[i - 1];
                if (i >= HttpMetrics.LATENCY_BUCKETS.length) {
                    return lower; // in +Inf: the largest finite bound is all we know
                }
                double upper = HttpMetrics.LATENCY_BUCKETS[i];
                double inBucket = count - previousCount;
                return inBucket <= 0 ? upper : lower + (upper - lower) * (rank - previousCount) / inBucket;
            }
            previousCount = count;
        }
        return HttpMetrics.LATENCY_BUCKETS[HttpMetrics.LATENCY_BUCKETS.length - 1];
    }
}

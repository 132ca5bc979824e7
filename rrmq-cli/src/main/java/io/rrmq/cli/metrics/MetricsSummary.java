package io.rrmq.cli.metrics;

import io.rrmq.prometheus.PrometheusText.Family;
import io.rrmq.prometheus.PrometheusText.Sample;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code rrmq metrics} shows of one node's {@code /metrics} (families of README,
 * "Operations"). A value is null when the node does not export it (a follower has no lag gauges;
 * an empty histogram has no quantiles).
 *
 * @param role           the role whose {@code rrmq_raft_role} is 1
 * @param followerLag    per peer id, entries of the leader's log it has not acknowledged (leader only)
 * @param putTotal       messages this node acknowledged as put
 * @param fsyncP50       seconds, estimated from the histogram's buckets as Prometheus's
 *                       {@code histogram_quantile} does (linear within a bucket)
 * @param httpP99        seconds, over every client route ({@code /raft}, the peers' traffic, left out)
 */
public record MetricsSummary(String role, Double term, Double commitIndex, Double appliedIndex,
                             Map<String, Double> followerLag, Double topics, Double messagesQueued,
                             Double putTotal, Double popTotal, Double fsyncP50, Double fsyncP99, Double httpP99) {
    /** The peers' route: not what a client waits for. */
    static final Set<String> PEER_ROUTES = Set.of("/raft");

    /** The summary of a parsed scrape. */
    public static MetricsSummary of(Map<String, Family> families) {
        String role = null;
        Family roles = families.get("rrmq_raft_role");
        if (roles != null) {
            for (Sample s : roles.samples()) {
                if (s.value() == 1) {
                    role = s.label("role");
                }
            }
        }
        Map<String, Double> lag = new TreeMap<>();
        Family lags = families.get("rrmq_raft_follower_lag_entries");
        if (lags != null) {
            lags.samples().forEach(s -> lag.put(s.label("peer"), s.value()));
        }
        return new MetricsSummary(role, single(families, "rrmq_raft_term"), single(families, "rrmq_raft_commit_index"),
                single(families, "rrmq_raft_applied_index"), lag, single(families, "rrmq_topics"),
                single(families, "rrmq_messages_queued"), single(families, "rrmq_messages_put_total"),
                single(families, "rrmq_messages_popped_total"),
                quantile(0.5, buckets(families.get("rrmq_raft_fsync_seconds"), Set.of())),
                quantile(0.99, buckets(families.get("rrmq_raft_fsync_seconds"), Set.of())),
                quantile(0.99, buckets(families.get("rrmq_http_request_seconds"), PEER_ROUTES)));
    }

    /** The value of a family with one unlabelled sample (a counter's {@code _created} aside). */
    private static Double single(Map<String, Family> families, String name) {
        Family f = families.get(name);
        if (f == null) {
            return null;
        }
        return f.samples().stream().filter(s -> s.labels().isEmpty() && !s.name().endsWith("_created"))
                .map(Sample::value).findFirst().orElse(null);
    }

    /** One bucket's upper bound and cumulative count. */
    record Bucket(double le, double count) {
    }

    /**
     * A histogram's buckets summed over its series (by {@code le}), leaving out the series whose
     * {@code route} label is in {@code skipRoutes}; ascending by bound. Empty if there is no family.
     */
    static List<Bucket> buckets(Family histogram, Set<String> skipRoutes) {
        TreeMap<Double, Double> sum = new TreeMap<>();
        if (histogram != null) {
            for (Sample s : histogram.samples()) {
                String route = s.label("route");
                if (s.name().endsWith("_bucket") && (route == null || !skipRoutes.contains(route))) {
                    sum.merge(Double.parseDouble(s.label("le").replace("+Inf", "Infinity")), s.value(), Double::sum);
                }
            }
        }
        List<Bucket> out = new ArrayList<>();
        sum.forEach((le, count) -> out.add(new Bucket(le, count)));
        return out;
    }

    /**
     * The {@code q}-quantile of cumulative {@code buckets}, as Prometheus's {@code histogram_quantile}:
     * linear interpolation inside the bucket that holds the rank (from 0 for the first bucket); the
     * largest finite bound if the rank falls in the {@code +Inf} bucket; null without observations.
     */
    static Double quantile(double q, List<Bucket> buckets) {
        if (buckets.isEmpty()) {
            return null;
        }
        double total = buckets.get(buckets.size() - 1).count();
        if (total <= 0) {
            return null;
        }
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Bucket b : buckets) {
            if (b.count() >= rank) {
                if (Double.isInfinite(b.le())) {
                    return lowerBound;
                }
                double inBucket = b.count() - lowerCount;
                return inBucket <= 0 ? b.le() : lowerBound + (b.le() - lowerBound) * (rank - lowerCount) / inBucket;
            }
            lowerBound = b.le();
            lowerCount = b.count();
        }
        return lowerBound;
    }
}

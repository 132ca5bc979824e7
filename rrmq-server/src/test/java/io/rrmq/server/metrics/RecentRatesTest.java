package io.rrmq.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard's quantiles from histogram buckets, and its choice of topics. */
class RecentRatesTest {
    private static double[] cumulative(double... perBucket) {
        double[] out = new double[HttpMetrics.LATENCY_BUCKETS.length + 1];
        double sum = 0;
        for (int i = 0; i < out.length; i++) {
            sum += i < perBucket.length ? perBucket[i] : 0;
            out[i] = sum;
        }
        return out;
    }

    @Test
    void quantileInterpolatesWithinTheBucketLikeHistogramQuantile() {
        // 100 requests: 50 in (0, 0.1 ms], 50 in (0.1, 0.25 ms].
        double[] after = cumulative(50, 50);
        assertThat(RecentRates.quantile(0.5, null, after)).isCloseTo(0.0001, within(1e-9));
        assertThat(RecentRates.quantile(0.99, null, after)).isCloseTo(0.0001 + 0.00015 * 49 / 50, within(1e-9));
    }

    @Test
    void quantileCountsOnlyTheRequestsBetweenTwoSamples() {
        double[] before = cumulative(1000);
        double[] after = cumulative(1000, 0, 0, 10); // 10 new requests in (0.5, 1 ms]
        assertThat(RecentRates.quantile(0.5, before, after)).isBetween(0.0005, 0.001);
        assertThat(RecentRates.quantile(0.5, after, after)).as("no request: no value").isNaN();
    }

    @Test
    void quantileInTheOverflowBucketIsTheLargestFiniteBound() {
        double[] after = new double[HttpMetrics.LATENCY_BUCKETS.length + 1];
        after[after.length - 1] = 3;
        assertThat(RecentRates.quantile(0.99, null, after)).isEqualTo(10.0);
    }

    @Test
    void deepestTopicsComeDeepestFirstWithTiesInCreationOrderAndFilterIgnoresCase() {
        TopicSnapshot s = new TopicSnapshot(new String[] {"a", "Orders-EU", "b", "orders-us", "c"},
                new int[] {5, 9, 5, 1, 7}, 27, 10);
        assertThat(s.deepest(3, null)).extracting(TopicSnapshot.Topic::name).containsExactly("Orders-EU", "c", "a");
        assertThat(s.deepest(10, "ORDERS")).extracting(TopicSnapshot.Topic::name)
                .containsExactly("Orders-EU", "orders-us");
        assertThat(s.matching("orders")).isEqualTo(2);
        assertThat(s.first(2)).containsExactly(new TopicSnapshot.Topic("a", 5), new TopicSnapshot.Topic("Orders-EU", 9));
        assertThat(s.deepest(0, null)).isEqualTo(List.of());
    }
}

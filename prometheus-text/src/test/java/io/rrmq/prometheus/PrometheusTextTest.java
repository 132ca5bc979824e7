package io.rrmq.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String SCRAPE = """
            # HELP rrmq_topics Topics.
            # TYPE rrmq_topics gauge
            rrmq_topics 3
            # HELP rrmq_put_total Puts applied.
            # TYPE rrmq_put_total counter
            rrmq_put_total{topic="a b \\"q\\""} 12
            rrmq_put_total_created{topic="a b \\"q\\""} 1.7E9
            # TYPE rrmq_fsync_seconds histogram
            rrmq_fsync_seconds_bucket{le="0.001"} 4
            rrmq_fsync_seconds_bucket{le="0.01"} 9
            rrmq_fsync_seconds_bucket{le="+Inf"} 10
            rrmq_fsync_seconds_count 10
            rrmq_fsync_seconds_sum 0.05
            """;

    @Test
    void aWellFormedScrapeIsReadWithItsTypesLabelsAndValues() {
        Map<String, PrometheusText.Family> families = PrometheusText.parse(SCRAPE);
        assertThat(families).containsOnlyKeys("rrmq_topics", "rrmq_put_total", "rrmq_fsync_seconds");
        assertThat(families.get("rrmq_topics").type()).isEqualTo("gauge");
        assertThat(families.get("rrmq_topics").help()).isEqualTo("Topics.");
        assertThat(families.get("rrmq_put_total").samples("rrmq_put_total", Map.of("topic", "a b \"q\"")))
                .singleElement().extracting(PrometheusText.Sample::value).isEqualTo(12.0);
        assertThat(families.get("rrmq_fsync_seconds").samples("rrmq_fsync_seconds_bucket", Map.of()))
                .extracting(s -> s.label("le")).containsExactly("0.001", "0.01", "+Inf");
    }

    @Test
    void whatAPrometheusServerWouldRefuseOrMisreadIsRefusedNamingTheProblem() {
        assertThatThrownBy(() -> PrometheusText.parse("rrmq_topics 1\n")).as("a sample before its TYPE")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx 1")).as("no final newline")
                .hasMessageContaining("newline");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx 1\nx 2\n")).as("a duplicate series")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx{a=\"1\"} one\n")).as("a bad value")
                .hasMessageContaining("bad value");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x histogram\nx_bucket{le=\"1\"} 5\nx_count 5\n"))
                .as("no +Inf bucket").hasMessageContaining("+Inf");
        assertThatThrownBy(() -> PrometheusText.parse(
                "# TYPE x histogram\nx_bucket{le=\"1\"} 5\nx_bucket{le=\"+Inf\"} 4\nx_count 4\n"))
                .as("buckets not cumulative").hasMessageContaining("cumulative");
        assertThatThrownBy(() -> PrometheusText.parse("# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\nx{a=\"2\"} 1\n"))
                .as("interleaved families").isInstanceOf(IllegalArgumentException.class);
    }
}

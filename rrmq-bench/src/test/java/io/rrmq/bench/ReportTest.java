package io.rrmq.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ReportTest {

    @Test
    void computesThroughputPercentilesAndFailures() {
        Histogram micros = new Histogram(60_000_000L, 3);
        for (int i = 1; i <= 1000; i++) {
            micros.recordValue(i * 10L);          // 10 us .. 10 ms
        }
        Report report = new Report("put", 16, 0, 2.0, 1000, 1, Map.of(503, 3L, 0, 1L), micros);

        assertThat(report.throughput()).isEqualTo(500.0);
        assertThat(report.failed()).isEqualTo(4);
        assertThat(report.percentileMillis(50)).isBetween(4.99, 5.01);
        assertThat(report.percentileMillis(99)).isBetween(9.89, 9.91);
        assertThat(report.maxMillis()).isBetween(9.99, 10.01);
        assertThat(report.toJson()).startsWith("{\"run\":\"put\",\"connections\":16,\"rate\":0,")
                .contains("\"throughput\":500.0").contains("\"failures\":{\"0\":1,\"503\":3}");
        assertThat(report.tableRow()).startsWith("put").contains("closed");
    }

    @Test
    void aBatchPutCountsEveryMessageOfItsBatch() {
        Report report = new Report("put-batch", 16, 0, 2.0, 1000, 100, Map.of(), new Histogram(60_000_000L, 3));

        assertThat(report.throughput()).isEqualTo(500.0);
        assertThat(report.messageThroughput()).isEqualTo(50_000.0);
        assertThat(report.toJson()).contains("\"messages_per_second\":50000.0");
    }

    @Test
    void parsesShortDurations() {
        Main.DurationConverter converter = new Main.DurationConverter();

        assertThat(converter.convert("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(converter.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(converter.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(converter.convert("PT3S")).isEqualTo(Duration.ofSeconds(3));
    }
}

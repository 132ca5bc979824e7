package io.rrmq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** Exit-code mapping, backoff schedule and duration parsing: the small contracts. */
class PolicyAndCodesTest {
    @Test
    void exitCodesAreTheDocumentedNumbers() {
        assertThat(Arrays.stream(ExitCode.values()).mapToInt(ExitCode::code)).containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void definiteAnswersMapToExitCodes() {
        assertThat(ExitCode.forStatus(200)).isEqualTo(ExitCode.OK);
        assertThat(ExitCode.forStatus(404)).isEqualTo(ExitCode.REFUSED);
        assertThat(ExitCode.forStatus(409)).isEqualTo(ExitCode.REFUSED);
        for (int status : new int[] {400, 405, 413, 415}) {
            assertThat(ExitCode.forStatus(status)).as("%d", status).isEqualTo(ExitCode.USAGE);
        }
        assertThat(ExitCode.forStatus(401)).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(ExitCode.forStatus(403)).isEqualTo(ExitCode.UNAUTHORIZED);
        assertThat(ExitCode.forStatus(302)).isEqualTo(ExitCode.SOFTWARE);
    }

    @Test
    void backoffDoublesUpToItsCap() {
        RetryPolicy p = new RetryPolicy(Duration.ofSeconds(10), Duration.ofSeconds(4), Duration.ofSeconds(1),
                Duration.ofMillis(50), Duration.ofMillis(300));

        assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(4)).isEqualTo(Duration.ofMillis(300));
        assertThat(p.backoff(100)).isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void connectTimeoutNeverExceedsTheRequestTimeout() {
        assertThat(RetryPolicy.of(Duration.ofSeconds(10), Duration.ofMillis(300)).connectTimeout())
                .isEqualTo(Duration.ofMillis(300));
        assertThat(RetryPolicy.of(Duration.ofSeconds(10), Duration.ofSeconds(4)).connectTimeout())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void parsesDurations() {
        DurationConverter c = new DurationConverter();
        assertThat(c.convert("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(c.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.convert("3")).isEqualTo(Duration.ofSeconds(3));
        for (String bad : new String[] {"", "0", "-1s", "10h", "fast"}) {
            assertThatThrownBy(() -> c.convert(bad)).as(bad).isInstanceOf(TypeConversionException.class);
        }
    }
}

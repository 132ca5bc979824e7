package io.rrmq.cli;

import java.time.Duration;

/**
 * How long and how often {@link ClusterClient} tries.
 *
 * @param timeout        overall deadline of one command, all attempts and pauses included ({@code --timeout})
 * @param requestTimeout limit of one HTTP exchange ({@code --request-timeout}); above the server's 3 s
 *                       commit timeout by default, so that a slow commit shows up as the server's 504
 * @param connectTimeout limit of opening one connection
 * @param firstBackoff   pause after the first round in which no node could serve the request;
 *                       doubled after every further round (with up to 25% jitter) up to {@code maxBackoff}
 * @param maxBackoff     the longest pause between rounds (a 503's {@code Retry-After} may ask for longer)
 */
public record RetryPolicy(Duration timeout, Duration requestTimeout, Duration connectTimeout,
                          Duration firstBackoff, Duration maxBackoff) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(4);

    public RetryPolicy {
        for (Duration d : new Duration[] {timeout, requestTimeout, connectTimeout, firstBackoff, maxBackoff}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive: " + d);
            }
        }
    }

    /** The defaults for a command line with the given {@code --timeout} and {@code --request-timeout}. */
    public static RetryPolicy of(Duration timeout, Duration requestTimeout) {
        Duration connect = requestTimeout.compareTo(Duration.ofSeconds(1)) < 0 ? requestTimeout : Duration.ofSeconds(1);
        return new RetryPolicy(timeout, requestTimeout, connect, Duration.ofMillis(50), Duration.ofSeconds(1));
    }

    /** The pause after {@code round} (1-based) fruitless rounds, before jitter. */
    public Duration backoff(int round) {
        Duration d = firstBackoff;
        for (int i = 1; i < round && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }
}

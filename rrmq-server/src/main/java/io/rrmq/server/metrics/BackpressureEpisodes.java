package io.rrmq.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes refused under backpressure ({@code 503} with {@code queue-full}, {@code overloaded} or
 * {@code disk-full}), counted in {@code rrmq_backpressure_refusals_total{reason}} and logged as
 * <em>episodes</em>: one WARN line when refusals of a kind start, one INFO line when none came for
 * {@link #QUIET_NANOS} (with how many and for how long), instead of one line per refused request.
 *
 * <p>{@link #refused} runs on request threads (lock-free); {@link #check} on the metrics thread
 * once a second.
 */
final class BackpressureEpisodes {
    private static final Logger log = LoggerFactory.getLogger(BackpressureEpisodes.class);
    static final String[] REASONS = {"queue-full", "overloaded", "disk-full"};
    static final long QUIET_NANOS = 2_000_000_000L;

    private final int nodeId;
    private final LongSupplier clock;
    private final CounterDataPoint[] counters = new CounterDataPoint[REASONS.length];
    private final Episode[] episodes = new Episode[REASONS.length];

    private static final class Episode {
        /** When the current episode started, or 0 outside one. */
        final AtomicLong startedNanos = new AtomicLong();
        final AtomicLong lastNanos = new AtomicLong();
        final AtomicLong refusals = new AtomicLong();
    }

    BackpressureEpisodes(PrometheusRegistry registry, int nodeId, LongSupplier clock) {
        this.nodeId = nodeId;
        this.clock = clock;
        Counter counter = Counter.builder().withoutExemplars().name("rrmq_backpressure_refusals_total")
                .help("Writes refused with 503 under backpressure, by reason").labelNames("reason")
                .register(registry);
        for (int i = 0; i < REASONS.length; i++) {
            counters[i] = counter.labelValues(REASONS[i]);
            episodes[i] = new Episode();
        }
    }

    /** A request was answered 503 with {@code reason}; reasons other than backpressure are ignored. */
    void refused(String reason) {
        for (int i = 0; i < REASONS.length; i++) {
            if (REASONS[i].equals(reason)) {
                counters[i].inc();
                Episode e = episodes[i];
                long now = clock.getAsLong();
                e.lastNanos.set(now);
                e.refusals.incrementAndGet();
                if (e.startedNanos.get() == 0 && e.startedNanos.compareAndSet(0, now)) {
                    log.warn("node {}: backpressure episode started: writes refused with 503 {}", nodeId, reason);
                }
                return;
            }
        }
    }

    /** Ends the episodes that have been quiet for {@link #QUIET_NANOS}, with one line each. */
    void check() {
        long now = clock.getAsLong();
        for (int i = 0; i < REASONS.length; i++) {
            Episode e = episodes[i];
            long started = e.startedNanos.get();
            if (started != 0 && now - e.lastNanos.get() >= QUIET_NANOS && e.startedNanos.compareAndSet(started, 0)) {
                long refusals = e.refusals.getAndSet(0);
                log.info("node {}: backpressure episode ended: {} writes refused with 503 {} over {} ms",
                        nodeId, refusals, REASONS[i], (e.lastNanos.get() - started) / 1_000_000);
            }
        }
    }

    /** Whether an episode of {@code reason} is going on. */
    boolean active(String reason) {
        for (int i = 0; i < REASONS.length; i++) {
            if (REASONS[i].equals(reason)) {
                return episodes[i].startedNanos.get() != 0;
            }
        }
        return false;
    }
}

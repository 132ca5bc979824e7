package io.rrmq.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.rrmq.server.http.Reply;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts and times every HTTP request of the client port: {@code rrmq_http_requests_total{route,code}},
 * {@code rrmq_http_request_seconds{route}}, the messages put and popped through this node, and the
 * refusals under backpressure ({@link BackpressureEpisodes}).
 *
 * <p><b>Cost on the hot path</b> (the reason for its shape): one {@code System.nanoTime()} when the
 * request arrives, one small completion listener, and when the exchange completes a second
 * {@code nanoTime()}, one histogram observation and one counter increment on data points resolved
 * once per (route, code) and cached in arrays: no label lookup, no string built per request.
 * Runs on whichever thread completes the exchange; thread-safe.
 */
public final class HttpMetrics {
    /** Latency buckets, seconds: 100 µs to 10 s. */
    static final double[] LATENCY_BUCKETS = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    };
    private static final int CODES = 500; // 100..599

    private final Counter requests;
    private final Histogram latency;
    private final DistributionDataPoint[] latencyByRoute;
    private final AtomicReferenceArray<CounterDataPoint> requestsByRouteAndCode;
    private final CounterDataPoint putCounter;
    private final CounterDataPoint popCounter;
    private final BackpressureEpisodes backpressure;

    HttpMetrics(PrometheusRegistry registry, BackpressureEpisodes backpressure) {
        this.backpressure = backpressure;
        this.requests = Counter.builder().withoutExemplars().name("rrmq_http_requests_total")
                .help("HTTP requests answered on the client port, by route and status code")
                .labelNames("route", "code").register(registry);
        this.latency = Histogram.builder().withoutExemplars().name("rrmq_http_request_seconds")
                .help("Time from a request's arrival until its reply completed, by route")
                .labelNames("route").classicUpperBounds(LATENCY_BUCKETS).classicOnly().register(registry);
        this.latencyByRoute = new DistributionDataPoint[Routes.NAMES.length];
        for (int route = 0; route < latencyByRoute.length; route++) {
            latencyByRoute[route] = latency.labelValues(Routes.name(route));
        }
        this.requestsByRouteAndCode = new AtomicReferenceArray<>(Routes.NAMES.length * CODES);
        this.putCounter = Counter.builder().withoutExemplars().name("rrmq_messages_put_total")
                .help("Messages this node acknowledged as put (PUT /message answered 200)")
                .register(registry);
        this.popCounter = Counter.builder().withoutExemplars().name("rrmq_messages_popped_total")
                .help("Messages this node handed out by a pop (GET /message/<topic> answered 200)")
                .register(registry);
    }

    /** {@code next}, with every request counted and timed. */
    public HttpHandler wrap(HttpHandler next) {
        return exchange -> {
            long started = System.nanoTime();
            exchange.addExchangeCompleteListener(new Completion(started));
            next.handleRequest(exchange);
        };
    }

    /** Total puts acknowledged by this node since it started. */
    long puts() {
        return (long) putCounter.get();
    }

    /** Total pops answered by this node since it started. */
    long pops() {
        return (long) popCounter.get();
    }

    Histogram latency() {
        return latency;
    }

    private final class Completion implements ExchangeCompletionListener {
        private final long started;

        Completion(long started) {
            this.started = started;
        }

        @Override
        public void exchangeEvent(HttpServerExchange exchange, NextListener next) {
            try {
                record(exchange, System.nanoTime() - started);
            } finally {
                next.proceed();
            }
        }
    }

    private void record(HttpServerExchange exchange, long nanos) {
        int route = Routes.of(exchange.getRequestPath());
        boolean get = exchange.getRequestMethod().equals(Methods.GET);
        if (get && (route == Routes.RECEIVE || route == Routes.ACK || route == Routes.NACK)) {
            route = Routes.POP; // a topic whose name ends in /ack, popped
        }
        int code = exchange.getStatusCode();
        record(route, get, code, nanos);
        if (code == 503) {
            String reason = exchange.getResponseHeaders().getFirst(Reply.ERROR_HEADER);
            if (reason != null) {
                backpressure.refused(reason);
            }
        }
    }

    /** Records one completed request of {@code route}; package-private for measuring its cost. */
    void record(int route, boolean get, int code, long nanos) {
        latencyByRoute[route].observe(nanos / 1e9);
        counter(route, code).inc();
        if (code == 200) {
            if (route == Routes.MESSAGE && !get) {
                putCounter.inc();
            } else if (route == Routes.POP && get) {
                popCounter.inc();
            }
        }
    }

    private CounterDataPoint counter(int route, int code) {
        int codeSlot = code >= 100 && code < 600 ? code - 100 : 0;
        int slot = route * CODES + codeSlot;
        CounterDataPoint point = requestsByRouteAndCode.get(slot);
        if (point == null) {
            point = requests.labelValues(Routes.name(route), Integer.toString(codeSlot + 100));
            requestsByRouteAndCode.set(slot, point); // racing writers store the same data point
        }
        return point;
    }
}

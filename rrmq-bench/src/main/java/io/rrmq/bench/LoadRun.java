package io.rrmq.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Drives one {@link BenchPlan}: one thread per connection, closed loop (the next request leaves when
 * the previous answer arrives) or open loop (each connection sends on a fixed schedule and latency
 * is counted from the scheduled time, which corrects for coordinated omission). Prints a progress
 * line every second. Every loop ends at the plan's deadline.
 */
final class LoadRun {
    private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(60);
    private static final Pattern RECEIPT = Pattern.compile("\"receipt\":\"([0-9a-f]{32})\"");
    /** 421 answers followed while creating topics before giving up (an election storm). */
    private static final int MAX_REDIRECTS = 10;

    private final BenchPlan plan;
    private final PrintStream progress;
    private final LongAdder completed = new LongAdder();
    private final LongAdder failed = new LongAdder();

    LoadRun(BenchPlan plan, PrintStream progress) {
        this.plan = plan;
        this.progress = progress;
    }

    Report run(String label) throws IOException, InterruptedException {
        int timeoutMillis = (int) plan.timeout().toMillis();
        URI target = plan.operation().isRrmq()
                ? LeaderFinder.find(plan.urls(), timeoutMillis, 50) : plan.urls().get(0);
        if (plan.operation().isRrmq()) {
            target = createTopics(target, plan.topics(), timeoutMillis);
            if (plan.prefill() > 0) {
                prefill(target);
            }
        }
        long start = System.nanoTime();
        long measureFrom = start + plan.warmup().toNanos();
        long end = measureFrom + plan.duration().toNanos();
        List<Worker> workers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < plan.connections(); c++) {
            Worker worker = new Worker(c, target, plan.operation(), start, measureFrom, end);
            workers.add(worker);
            Thread thread = new Thread(worker, "bench-" + c);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        reportProgress(label, start, end, threads);
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(5) + plan.timeout().toMillis());
        }
        Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
        Map<Integer, Long> failures = new HashMap<>();
        long ok = 0;
        for (Worker worker : workers) {
            latency.add(worker.latency);
            ok += worker.ok;
            worker.failures.forEach((status, count) -> failures.merge(status, count, Long::sum));
        }
        return new Report(label, plan.connections(), plan.rate(), plan.duration().toNanos() / 1e9, ok,
                plan.operation().messagesPerOperation(plan.batch()), failures, latency);
    }

    private void reportProgress(String label, long start, long end, List<Thread> threads) throws InterruptedException {
        long last = 0;
        long lastFailed = 0;
        while (System.nanoTime() < end && threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(1000);
            long now = completed.sum();
            long nowFailed = failed.sum();
            progress.printf(Locale.ROOT, "\r%s: %4.0f s  %8d req/s  %6d errors/s   ", label,
                    (System.nanoTime() - start) / 1e9, now - last, nowFailed - lastFailed);
            last = now;
            lastFailed = nowFailed;
        }
        progress.print("\r" + " ".repeat(70) + "\r");
    }

    /**
     * Creates the run's topics through {@code target}, following the leader's address when a node
     * answers 421 (leadership moved since the leader was looked up); the node that accepted them,
     * where the run then sends its load.
     */
    static URI createTopics(URI target, int topics, int timeoutMillis) throws IOException {
        URI node = target;
        for (int t = 0, redirects = 0; t < topics; ) {
            byte[] body = ("{\"topic\":\"bench-" + t + "\"}").getBytes(StandardCharsets.UTF_8);
            HttpConnection.Response response;
            try (HttpConnection connection = new HttpConnection(node, timeoutMillis)) {
                response = connection.exchange(HttpConnection.request("PUT", "/topic", node,
                        "application/json", body));
            }
            if (response.status() == 421 && response.leaderHint() != null && redirects++ < MAX_REDIRECTS) {
                node = URI.create(response.leaderHint());
                continue;
            }
            if (response.status() != 200 && response.status() != 409) {
                throw new IOException("cannot create topic bench-" + t + " through " + node + ": status "
                        + response.status());
            }
            t++;
        }
        return node;
    }

    /** Puts {@code prefill} messages over all connections, unmeasured, so that pops find work. */
    private void prefill(URI target) throws IOException, InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<IOException> errors = new ArrayList<>();
        int perConnection = (plan.prefill() + plan.connections() - 1) / plan.connections();
        for (int c = 0; c < plan.connections(); c++) {
            String topic = plan.topic(c);
            Thread thread = new Thread(() -> {
                try (HttpConnection connection = new HttpConnection(target, (int) plan.timeout().toMillis())) {
                    String payload = plan.payload();
                    byte[] put = Operation.PUT.request(target, topic, payload, 1, 0);
                    for (int i = 0; i < perConnection; i++) {
                        // Refusals (a full queue, a change of leader) are simply not prefilled.
                        connection.exchange(put);
                    }
                } catch (IOException e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!errors.isEmpty()) {
            throw errors.get(0);
        }
    }

    /** One connection's loop; its fields are read by the run's thread after it ends. */
    private final class Worker implements Runnable {
        private final int index;
        private final Operation operation;
        private final long start;
        private final long measureFrom;
        private final long end;
        private URI target;
        final Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
        final Map<Integer, Long> failures = new HashMap<>();
        long ok;

        Worker(int index, URI target, Operation operation, long start, long measureFrom, long end) {
            this.index = index;
            this.target = target;
            this.operation = operation;
            this.start = start;
            this.measureFrom = measureFrom;
            this.end = end;
        }

        @Override
        public void run() {
            String topic = plan.topic(index);
            String payload = plan.payload();
            // Open loop: this connection's share of the rate, its sends staggered against the others'.
            long period = plan.rate() == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) * plan.connections() / plan.rate();
            long next = start + (period * index) / plan.connections();
            HttpConnection connection = null;
            int timeoutMillis = (int) plan.timeout().toMillis();
            // The load generator shares the cores it measures: build the fixed requests once per
            // target (MIXED alternates two), not once per request.
            byte[][] fixed = requestsFor(target, topic, payload);
            for (long seq = 0; ; seq++) {
                long intended;
                if (period > 0) {
                    intended = next;
                    next += period;
                    long wait;
                    while ((wait = intended - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                } else {
                    intended = System.nanoTime();
                }
                if (intended >= end) {
                    break;
                }
                int status;
                try {
                    if (connection == null) {
                        connection = new HttpConnection(target, timeoutMillis);
                    }
                    byte[] request = fixed != null ? fixed[(int) (seq % fixed.length)]
                            : operation.request(target, topic, payload, plan.batch(), seq);
                    HttpConnection.Response response = connection.exchange(request, operation == Operation.RECEIVE_ACK);
                    status = response.status();
                    if (operation == Operation.RECEIVE_ACK && status == 200) {
                        status = acknowledge(connection, topic, response.body());
                    }
                    if (status == 421 && response.leaderHint() != null) {
                        target = URI.create(response.leaderHint());
                        fixed = requestsFor(target, topic, payload);
                        connection.close();
                        connection = null;
                    }
                } catch (IOException | RuntimeException e) {
                    status = 0;
                    if (connection != null) {
                        connection.close();
                        connection = null;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                long done = System.nanoTime();
                completed.increment();
                if (intended < measureFrom) {
                    continue;
                }
                if (status == 200) {
                    ok++;
                    latency.recordValue(Math.min(MAX_LATENCY_MICROS, (done - intended) / 1000));
                } else {
                    failed.increment();
                    failures.merge(status, 1L, Long::sum);
                }
            }
            if (connection != null) {
                connection.close();
            }
        }

        /** The requests this connection repeats, in order, or {@code null} if each one differs. */
        private byte[][] requestsFor(URI host, String topic, String payload) {
            if (!operation.isFixed()) {
                return null;
            }
            return operation == Operation.MIXED
                    ? new byte[][] {operation.request(host, topic, payload, plan.batch(), 0),
                        operation.request(host, topic, payload, plan.batch(), 1)}
                    : new byte[][] {operation.request(host, topic, payload, plan.batch(), 0)};
        }

        /** Acks the message a receive answered with; 204 when it handed out none. */
        private int acknowledge(HttpConnection connection, String topic, String received) throws IOException {
            Matcher receipt = RECEIPT.matcher(received);
            if (!receipt.find()) {
                return 204;
            }
            return connection.exchange(Operation.ack(target, topic, receipt.group(1))).status();
        }
    }
}

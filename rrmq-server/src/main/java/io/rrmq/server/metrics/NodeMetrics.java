package io.rrmq.server.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.RaftMetrics;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftObserver;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.undertow.server.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's metrics: the Prometheus registry behind {@code GET /metrics}, the HTTP and Raft
 * recorders that feed it, the gauges read at scrape time, and what the dashboard and the health
 * probes read.
 *
 * <p><b>Families</b> (all prefixed {@code rrmq_}; JVM and process ones keep their standard
 * {@code jvm_*}/{@code process_*} names): see {@code README.md}, "Operations". Label values are
 * bounded: routes are a fixed set ({@link Routes}), peers are members, and only the first
 * {@link #topicLabels} topics (in creation order, {@code -Drrmq.metrics.topics}, default 100) get a
 * {@code rrmq_topic_messages_queued{topic}} and {@code rrmq_topic_oldest_message_age_seconds{topic}}
 * series; totals cover every topic.
 *
 * <p><b>Threads.</b> Recording happens on request and Raft threads (lock-free); gauges are
 * evaluated on the scraping thread; one daemon thread ({@code rrmq-metrics-<id>}) samples the
 * dashboard's rates and ends backpressure episodes once a second, and registers the JVM metrics
 * once, off the start-up path.
 */
public final class NodeMetrics implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeMetrics.class);
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final int DEFAULT_TOPIC_LABELS = 100;

    private final int nodeId;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Supplier<RaftNode> node;
    private final int topicLabels;
    private final BackpressureEpisodes backpressure;
    private final HttpMetrics http;
    private final RaftBinding raft;
    private final RecentRates rates = new RecentRates();
    private final ScheduledExecutorService thread;
    private volatile TopicSampler sampler;
    private volatile FileStore dataStore;

    /**
     * @param node        the running Raft node, or {@code null} while it starts
     * @param topicLabels how many topics get a per-topic series
     */
    public NodeMetrics(int nodeId, Supplier<RaftNode> node, int topicLabels) {
        this.nodeId = nodeId;
        this.node = node;
        this.topicLabels = topicLabels;
        this.backpressure = new BackpressureEpisodes(registry, nodeId, System::nanoTime);
        this.http = new HttpMetrics(registry, backpressure);
        this.raft = new RaftBinding(registry);
        registerGauges();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rrmq-metrics-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        thread.execute(this::registerJvmMetrics);
        thread.scheduleAtFixedRate(this::everySecond, 1, 1, TimeUnit.SECONDS);
    }

    /** The number of per-topic series from {@code -Drrmq.metrics.topics} (default 100, at least 0). */
    public static int topicLabelsFromSystemProperties() {
        String value = System.getProperty("rrmq.metrics.topics");
        if (value == null) {
            return DEFAULT_TOPIC_LABELS;
        }
        try {
            return Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            log.warn("ignoring -Drrmq.metrics.topics={}: not a number", value);
            return DEFAULT_TOPIC_LABELS;
        }
    }

    /** What raft-lib reports to: pass it to {@code RaftRuntime.start}. */
    public RaftObserver raftObserver() {
        return raft;
    }

    /**
     * Starts sampling {@code machine}'s topics (on the Raft loop, from {@link RaftObserver#ticked})
     * and measuring the free space of {@code dataDir}'s file system. Call before the Raft node starts.
     */
    public void attach(TopicStateMachine machine, Path dataDir) {
        try {
            dataStore = Files.getFileStore(dataDir);
        } catch (IOException e) {
            log.warn("cannot watch free space of {}: {}", dataDir, e.toString());
        }
        // Every topic with a depth series also has an age series, so at least those are tracked.
        TopicSampler topicSampler = new TopicSampler(machine, Math.max(topicLabels, TopicSampler.DEFAULT_TRACKED_TOPICS));
        sampler = topicSampler;
        raft.attach(topicSampler);
    }

    /**
     * Counts the leader heartbeats this node held to answer in their replies (see the transport's
     * {@code ReplyHolds}): {@code outcome="answered"} went back in the reply, {@code "expired"} ended
     * without an answer (it took the node's own lane: a slow engine, or a term change's fsync).
     */
    public void countInlineReplies(LongSupplier answered, LongSupplier expired) {
        CounterWithCallback.builder().name("rrmq_raft_inline_replies_total")
                .help("Held heartbeat batches answered in their reply (outcome=answered) or not (outcome=expired)")
                .labelNames("outcome")
                .callback(cb -> {
                    cb.call(answered.getAsLong(), "answered");
                    cb.call(expired.getAsLong(), "expired");
                }).register(registry);
    }

    /** {@code next} with every request counted and timed. */
    public HttpHandler instrument(HttpHandler next) {
        return http.wrap(next);
    }

    /** Writes every family in the Prometheus text format 0.0.4. */
    public void scrape(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }

    /** The latest sample of the topics (empty while starting). */
    public TopicSnapshot topics() {
        TopicSampler s = sampler;
        return s == null ? TopicSnapshot.EMPTY : s.latest();
    }

    /** Nanoseconds since the Raft loop's last tick, or {@link Long#MAX_VALUE} if it never ticked. */
    public long sinceLastTickNanos() {
        long last = raft.lastTickNanos();
        return last == 0 ? Long.MAX_VALUE : System.nanoTime() - last;
    }

    /** Per follower (while this node leads): acknowledged index and nanoseconds since heard from. */
    public Map<Integer, long[]> followers() {
        Map<Integer, long[]> out = new java.util.TreeMap<>();
        long now = System.nanoTime();
        raft.peers().forEach((id, p) -> out.put(id, new long[] {p.matchIndex, now - p.lastContactNanos}));
        return out;
    }

    /** The dashboard's series ({@link RecentRates#SERIES}), oldest point first. */
    public double[][] history() {
        return rates.history();
    }

    public static List<String> historySeries() {
        return List.of(RecentRates.SERIES);
    }

    private void everySecond() {
        try {
            HistogramSnapshot latency = http.latency().collect();
            rates.sample(System.nanoTime(), http.puts(), http.pops(), latency);
            backpressure.check();
        } catch (RuntimeException e) {
            log.warn("sampling metrics failed", e);
        }
    }

    private void registerJvmMetrics() {
        try {
            JvmMetrics.builder().register(registry);
        } catch (RuntimeException e) {
            log.warn("JVM metrics unavailable: {}", e.toString());
        }
    }

    private RaftStatus status() {
        RaftNode n = node.get();
        return n == null ? null : n.status();
    }

    private void registerGauges() {
        GaugeWithCallback.builder().name("rrmq_raft_term").help("Current Raft term")
                .callback(cb -> {
                    RaftStatus s = status();
                    cb.call(s == null ? 0 : s.term());
                }).register(registry);
        Set<String> roles = new LinkedHashSet<>();
        for (Role role : Role.values()) {
            roles.add(role.displayName());
        }
        GaugeWithCallback.builder().name("rrmq_raft_role")
                .help("1 for this node's current role, 0 for the others").labelNames("role")
                .callback(cb -> {
                    RaftStatus s = status();
                    String current = s == null ? null : s.role().displayName();
                    for (String role : roles) {
                        cb.call(role.equals(current) ? 1 : 0, role);
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_raft_commit_index").help("Highest log index known committed")
                .callback(cb -> {
                    RaftStatus s = status();
                    cb.call(s == null ? 0 : s.commitIndex());
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_raft_applied_index").help("Highest log index applied")
                .callback(cb -> {
                    RaftStatus s = status();
                    cb.call(s == null ? 0 : s.lastApplied());
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_raft_last_log_index").help("Index of the last entry in the log")
                .callback(cb -> {
                    RaftStatus s = status();
                    cb.call(s == null ? 0 : s.lastLogIndex());
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_raft_follower_lag_entries")
                .help("While leading: entries in the leader's log a follower has not acknowledged")
                .labelNames("peer")
                .callback(cb -> {
                    RaftStatus s = status();
                    if (s == null || s.role() != Role.LEADER) {
                        return;
                    }
                    raft.peers().forEach((id, p) -> cb.call(Math.max(0, s.lastLogIndex() - p.matchIndex),
                            Integer.toString(id)));
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_raft_follower_last_contact_seconds")
                .help("While leading: seconds since a follower last acknowledged an AppendEntries")
                .labelNames("peer")
                .callback(cb -> {
                    RaftStatus s = status();
                    if (s == null || s.role() != Role.LEADER) {
                        return;
                    }
                    long now = System.nanoTime();
                    raft.peers().forEach((id, p) -> cb.call((now - p.lastContactNanos) / 1e9, Integer.toString(id)));
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_raft_pending_proposals")
                .help("Proposals accepted and not yet answered (bounded by -Drrmq.raft.pending)")
                .callback(cb -> {
                    RaftNode n = node.get();
                    cb.call(n == null ? 0 : n.pendingProposals());
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_raft_last_tick_age_seconds")
                .help("Seconds since the Raft event loop last ticked (/livez fails past 1)")
                .callback(cb -> {
                    long since = sinceLastTickNanos();
                    if (since != Long.MAX_VALUE) {
                        cb.call(since / 1e9);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("rrmq_raft_proposals_total").help("Proposals accepted for appending")
                .callback(cb -> cb.call(counters().proposals())).register(registry);
        CounterWithCallback.builder().name("rrmq_raft_entries_applied_total").help("Committed entries applied")
                .callback(cb -> cb.call(counters().entriesApplied())).register(registry);
        CounterWithCallback.builder().name("rrmq_raft_entries_persisted_total").help("Log entries written and synced")
                .callback(cb -> cb.call(counters().entriesPersisted())).register(registry);
        CounterWithCallback.builder().name("rrmq_raft_reads_total")
                .help("Linearizable reads served (kind=served), heartbeat rounds that carried reads (kind=rounds),"
                        + " reads served on the leader's lease without a round (kind=lease)")
                .labelNames("kind")
                .callback(cb -> {
                    RaftMetrics m = counters();
                    cb.call(m.readsServed(), "served");
                    cb.call(m.readRounds(), "rounds");
                    cb.call(m.leaseReads(), "lease");
                }).register(registry);
        CounterWithCallback.builder().name("rrmq_snapshots_total")
                .help("Snapshots saved by this node (kind=taken) or received from a leader (kind=installed)")
                .labelNames("kind")
                .callback(cb -> {
                    RaftMetrics m = counters();
                    cb.call(m.snapshotsTaken(), "taken");
                    cb.call(m.snapshotsInstalled(), "installed");
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_topics").help("Topics")
                .callback(cb -> cb.call(topics().topicCount())).register(registry);
        GaugeWithCallback.builder().name("rrmq_messages_queued").help("Messages queued in all topics")
                .callback(cb -> cb.call(topics().queued())).register(registry);
        GaugeWithCallback.builder().name("rrmq_topic_messages_queued")
                .help("Messages queued per topic, for the first topics in creation order only"
                        + " (-Drrmq.metrics.topics); rrmq_messages_queued covers all")
                .labelNames("topic")
                .callback(cb -> {
                    for (TopicSnapshot.Topic t : topics().first(topicLabels)) {
                        cb.call(t.depth(), t.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_topic_oldest_message_age_seconds")
                .help("Seconds since the oldest visible message of a topic arrived on this node (0 if none),"
                        + " a lower bound short by at most the topic sampling interval; same topics as"
                        + " rrmq_topic_messages_queued")
                .labelNames("topic")
                .callback(cb -> {
                    long now = System.nanoTime();
                    for (TopicSnapshot.Topic t : topics().first(topicLabels)) {
                        double age = t.oldestAgeSeconds(now);
                        cb.call(Double.isNaN(age) ? 0 : age, t.name());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("rrmq_disk_free_bytes")
                .help("Bytes usable on the data directory's file system")
                .callback(cb -> {
                    FileStore store = dataStore;
                    if (store != null) {
                        try {
                            cb.call(store.getUsableSpace());
                        } catch (IOException e) {
                            // no sample: better absent than wrong
                        }
                    }
                }).register(registry);
    }

    private RaftMetrics counters() {
        RaftNode n = node.get();
        return n == null ? RaftMetrics.NONE : n.metrics();
    }

    int nodeId() {
        return nodeId;
    }

    /** Stops the metrics thread. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}

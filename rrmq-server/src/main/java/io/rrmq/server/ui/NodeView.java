package io.rrmq.server.ui;

import com.fasterxml.jackson.core.JsonGenerator;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.server.membership.PeerDirectory;
import io.rrmq.server.http.HealthHandler;
import io.rrmq.server.metrics.NodeMetrics;
import io.rrmq.server.metrics.TopicSnapshot;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What one node tells the dashboard about itself ({@code GET /ui/node.json}): its Raft status, what
 * it heard from its followers while leading, its topics (the deepest, optionally filtered) and its
 * recent put/pop rates and latencies. Read-only; built from volatile snapshots on the I/O thread.
 */
final class NodeView {
    private final PeerDirectory directory;
    private final IntSupplier selfId;
    private final Supplier<RaftNode> node;
    private final NodeMetrics metrics;
    private final HealthHandler health;

    NodeView(PeerDirectory directory, IntSupplier selfId, Supplier<RaftNode> node, NodeMetrics metrics,
             HealthHandler health) {
        this.directory = directory;
        this.selfId = selfId;
        this.node = node;
        this.metrics = metrics;
        this.health = health;
    }

    /**
     * Writes this node's view as one JSON object.
     *
     * @param topics  how many of the deepest topics to list (0: none)
     * @param filter  only topics whose name contains it (case-insensitive), or null
     * @param history whether to add the rate and latency series
     */
    void write(JsonGenerator json, int topics, String filter, boolean history) throws IOException {
        RaftNode raft = node.get();
        RaftStatus s = raft == null ? null : raft.status();
        json.writeStartObject();
        int self = selfId.getAsInt();
        json.writeNumberField("id", self);
        json.writeStringField("url", directory.url(self));
        json.writeStringField("role", s == null ? "Starting" : s.role().displayName());
        json.writeNumberField("term", s == null ? 0 : s.term());
        int leaderId = s == null ? RaftStatus.NO_LEADER : s.leaderId();
        json.writeNumberField("leaderId", leaderId);
        json.writeNumberField("commitIndex", s == null ? 0 : s.commitIndex());
        json.writeNumberField("lastApplied", s == null ? 0 : s.lastApplied());
        json.writeNumberField("lastLogIndex", s == null ? 0 : s.lastLogIndex());
        json.writeBooleanField("live", health.liveness() == null);
        json.writeBooleanField("ready", health.readiness() == null);
        json.writeNumberField("pendingProposals", raft == null ? 0 : raft.pendingProposals());
        json.writeStringField("storageError", raft == null ? null : raft.storageError());
        json.writeArrayFieldStart("followers");
        if (s != null && s.role() == Role.LEADER) {
            for (Map.Entry<Integer, long[]> f : metrics.followers().entrySet()) {
                json.writeStartObject();
                json.writeNumberField("id", f.getKey());
                json.writeNumberField("matchIndex", f.getValue()[0]);
                json.writeNumberField("lag", Math.max(0, s.lastLogIndex() - f.getValue()[0]));
                json.writeNumberField("lastContactMs", f.getValue()[1] / 1_000_000);
                json.writeEndObject();
            }
        }
        json.writeEndArray();
        TopicSnapshot snapshot = metrics.topics();
        json.writeNumberField("topicCount", snapshot.topicCount());
        json.writeNumberField("messagesQueued", snapshot.queued());
        if (topics > 0) {
            json.writeNumberField("matching", snapshot.matching(filter));
            json.writeArrayFieldStart("topics");
            long now = System.nanoTime();
            for (TopicSnapshot.Topic t : snapshot.deepest(topics, filter)) {
                json.writeStartObject();
                json.writeStringField("name", t.name());
                json.writeNumberField("depth", t.depth());
                double age = t.oldestAgeSeconds(now);
                if (Double.isNaN(age)) {
                    json.writeNullField("oldestAgeSeconds"); // empty, or past the tracked topics
                } else {
                    json.writeNumberField("oldestAgeSeconds", Math.round(age * 10) / 10.0);
                }
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        if (history) {
            json.writeObjectFieldStart("history");
            double[][] series = metrics.history();
            List<String> names = NodeMetrics.historySeries();
            for (int i = 0; i < names.size(); i++) {
                json.writeArrayFieldStart(names.get(i));
                for (double v : series[i]) {
                    if (Double.isNaN(v)) {
                        json.writeNull();
                    } else {
                        json.writeNumber(Math.round(v * 1e6) / 1e6);
                    }
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        }
        json.writeEndObject();
    }
}

package io.rrmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/** Finds the cluster's id, which names the default directory of its key, by asking a node's {@code /status}. */
final class ClusterKeyLocator {
    private ClusterKeyLocator() {
    }

    /** The first answering node's {@code clusterId}, or null if none answers. */
    static String clusterId(HttpExchanger http, NodeList nodes, Duration timeout, ObjectMapper json) {
        for (int i = 0; i < nodes.size(); i++) {
            URI node = nodes.get(i);
            try {
                HttpExchanger.Reply r = http.exchange(node, "GET", "/status", Map.of(), null, timeout);
                JsonNode id = r.status() == 200 ? json.readTree(r.body()).get("clusterId") : null;
                if (id != null && id.isTextual()) {
                    return id.asText();
                }
            } catch (IOException e) {
                // the next node
            }
        }
        return null;
    }
}

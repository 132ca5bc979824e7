package io.rrmq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Finds the cluster's id, which names the default directory of its key, by asking a node's {@code /status}. */
final class ClusterKeyLocator {
    private ClusterKeyLocator() {
    }

    /** The first answering node's {@code clusterId}, or null if none answers. */
    static String clusterId(NodeList nodes, Duration timeout) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < nodes.size(); i++) {
            URI node = nodes.get(i);
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(node.resolve("/status")).timeout(timeout)
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                JsonNode id = r.statusCode() == 200 ? json.readTree(r.body()).get("clusterId") : null;
                if (id != null && id.isTextual()) {
                    return id.asText();
                }
            } catch (IOException e) {
                // the next node
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}

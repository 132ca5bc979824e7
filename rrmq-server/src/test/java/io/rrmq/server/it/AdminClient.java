package io.rrmq.server.it;

import io.rrmq.auth.AdminSignature;
import io.rrmq.auth.KeyText;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

/**
 * The admin API as {@code rrmq} uses it: requests signed with the cluster key, sent to the leader
 * (following 421 hints), retried while the answer is 503 or no node answers, until a deadline. A
 * 504 (outcome unknown, e.g. the leader changed while a learner was being added) is retried too,
 * as {@code rrmq} does, except for a removal: adding a URL, transferring leadership and reading the
 * members are safe to repeat (an add of a URL that is a member already goes on from where it is),
 * while a repeated removal that had taken effect would answer 404.
 */
public final class AdminClient {
    /** One attempt's limit: long, since adding a member waits until it has caught up. */
    private static final Duration ATTEMPT = Duration.ofSeconds(30);

    private final List<String> nodes;
    private final AdminSignature signature;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(500)).build();
    private String leader;

    public AdminClient(ClusterProcesses cluster) throws IOException {
        this.nodes = cluster.nodes().stream().map(NodeProcess::url).toList();
        io.rrmq.server.config.ClusterConfig config;
        try {
            config = io.rrmq.server.config.ClusterConfig.load(cluster.configPath());
        } catch (io.rrmq.server.config.ConfigException e) {
            throw new IOException(e);
        }
        this.signature = new AdminSignature(KeyText.parse(Files.readString(cluster.configPath().getParent()
                .resolve(config.clusterId()).resolve("cluster.key"))));
        this.leader = nodes.get(0);
    }

    /** {@code POST /cluster/members}: returns once the node is a voter. */
    public HttpResponse<String> add(String url, Duration budget) throws InterruptedException {
        return send("POST", "/cluster/members", "{\"url\":\"" + url + "\"}", budget);
    }

    public HttpResponse<String> remove(int id, Duration budget) throws InterruptedException {
        return send("DELETE", "/cluster/members/" + id, null, budget);
    }

    public HttpResponse<String> members(Duration budget) throws InterruptedException {
        return send("GET", "/cluster/members", null, budget);
    }

    public HttpResponse<String> transfer(int id, Duration budget) throws InterruptedException {
        return send("POST", "/cluster/leader", id < 0 ? null : "{\"id\":" + id + "}", budget);
    }

    /** One unsigned or otherwise raw admin request to one node, for refusal tests. */
    public HttpResponse<String> raw(String node, String method, String path, String body, String signatureHeader)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node + path)).timeout(ATTEMPT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (signatureHeader != null) {
            b.header(AdminSignature.HEADER, signatureHeader);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A valid signature for this request now. */
    public String sign(String method, String path, String body) {
        return signature.sign(method, path, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(String method, String path, String body, Duration budget)
            throws InterruptedException {
        long deadline = System.nanoTime() + budget.toNanos();
        HttpResponse<String> last = null;
        int next = 0;
        while (System.nanoTime() < deadline) {
            try {
                last = raw(leader, method, path, body, sign(method, path, body));
                if (last.statusCode() == 421) {
                    leader = last.headers().firstValue("X-RRMQ-Leader").orElse(nodes.get(next++ % nodes.size()));
                    continue;
                }
                boolean retry = last.statusCode() == 503 || last.statusCode() == 504 && !method.equals("DELETE");
                if (!retry) {
                    return last;
                }
            } catch (IOException e) {
                // not answering: another node
            }
            leader = nodes.get(next++ % nodes.size());
            Thread.sleep(100);
        }
        if (last == null) {
            throw new AssertionError(method + " " + path + ": no node answered within " + budget);
        }
        return last;
    }
}

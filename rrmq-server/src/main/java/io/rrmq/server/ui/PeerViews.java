package io.rrmq.server.ui;

import io.rrmq.server.membership.PeerDirectory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * Fetches a peer's {@code GET /ui/node.json} for the dashboard, so that one URL shows the whole
 * cluster. Over the peers' client port, with the caller's {@code Authorization} header passed on
 * (the same token rules as any other read), over HTTPS with the node's own TLS context when the
 * cluster uses TLS. Never blocks: the JDK client is asynchronous; a peer that does not answer
 * within {@link #TIMEOUT} is reported unreachable.
 */
final class PeerViews {
    static final Duration TIMEOUT = Duration.ofMillis(700);

    private final PeerDirectory directory;
    private final SSLContext tls;
    /** Created on first use: a node nobody watches never loads the JDK HTTP client. */
    private volatile HttpClient client;

    /** @param tls the context peers' certificates are checked with, or null without TLS */
    PeerViews(PeerDirectory directory, SSLContext tls) {
        this.directory = directory;
        this.tls = tls;
    }

    /** The outcome of one fetch: the peer's JSON object, or why there is none. */
    record Fetched(int id, String url, String json, String error) {
    }

    CompletableFuture<Fetched> fetch(int id, String authorization) {
        String url = directory.url(id);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/ui/node.json?history=1"))
                .timeout(TIMEOUT).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            return client().sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .handle((response, failure) -> {
                        if (failure != null) {
                            return new Fetched(id, url, null, "unreachable");
                        }
                        String body = response.body();
                        if (response.statusCode() != 200 || body == null || !body.startsWith("{")) {
                            return new Fetched(id, url, null, "HTTP " + response.statusCode());
                        }
                        return new Fetched(id, url, body, null);
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Fetched(id, url, null, "unreachable"));
        }
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(TIMEOUT);
                    if (tls != null) {
                        builder.sslContext(tls);
                    }
                    c = builder.build();
                    client = c;
                }
            }
        }
        return c;
    }
}

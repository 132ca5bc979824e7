package io.rrmq.server.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A tiny client of the RRMQ REST API for process tests (JDK HttpClient, JSON built by hand). */
public final class ApiClient {
    private final HttpClient client;
    private final String baseUrl;

    public ApiClient(String baseUrl) {
        this(baseUrl, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(1)).build());
    }

    /** With {@code client}'s settings, e.g. an SSLContext trusting a test CA. */
    public ApiClient(String baseUrl, HttpClient client) {
        this.baseUrl = baseUrl;
        this.client = client;
    }

    public static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Percent-encodes a topic for {@code /message/<topic>} (space as %20, not +). */
    public static String encodeTopic(String topic) {
        return URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public HttpResponse<String> send(String method, String path, String body, String contentType)
            throws IOException, InterruptedException {
        return send(method, path, body, contentType, null);
    }

    /** @param requestId the {@code X-RRMQ-Request-Id} to send, or {@code null} for none */
    public HttpResponse<String> send(String method, String path, String body, String contentType,
                                     String requestId) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (requestId != null) {
            b.header(io.rrmq.server.http.Reply.REQUEST_ID_HEADER, requestId);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> putMessage(String topic, String message, String requestId)
            throws IOException, InterruptedException {
        return send("PUT", "/message", "{\"topic\": " + quote(topic) + ", \"message\": " + quote(message) + "}",
                "application/json", requestId);
    }

    public HttpResponse<String> popMessage(String topic, String requestId) throws IOException, InterruptedException {
        return send("GET", "/message/" + encodeTopic(topic), null, null, requestId);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, null);
    }

    public HttpResponse<String> putJson(String path, String json) throws IOException, InterruptedException {
        return send("PUT", path, json, "application/json");
    }

    public HttpResponse<String> createTopic(String topic) throws IOException, InterruptedException {
        return putJson("/topic", "{\"topic\": " + quote(topic) + "}");
    }

    public HttpResponse<String> putMessage(String topic, String message) throws IOException, InterruptedException {
        return putMessage(topic, message, null);
    }

    public HttpResponse<String> popMessage(String topic) throws IOException, InterruptedException {
        return popMessage(topic, null);
    }

    public HttpResponse<String> topics() throws IOException, InterruptedException {
        return get("/topic");
    }
}

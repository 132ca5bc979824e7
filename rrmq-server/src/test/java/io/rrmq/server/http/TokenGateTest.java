package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.QueueBound;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.security.ClientTokens;
import io.rrmq.server.testing.FakeRaftNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client tokens in front of the real API handler, over real HTTP: each role against each endpoint. */
class TokenGateTest {
    private static final String ADMIN = "admin-token-0123456789";
    private static final String CLIENT = "client-token-012345678";
    private static final ClusterConfig CLUSTER = new ClusterConfig(List.of(new ClusterConfig.Member(0, "127.0.0.1", 0)));

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private FakeRaftNode fake;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeRaftNode(0);
        ClientTokens tokens = ClientTokens.load(Files.writeString(dir.resolve("tokens"),
                ADMIN + " admin\n" + CLIENT + " client\n"));
        ApiHandler api = new ApiHandler(CLUSTER, 0, () -> fake, () -> new QueueBound(1 << 20, () -> 0),
                ServerSettings.defaults(), exchange -> Exchanges.send(exchange, Replies.noContent()));
        server = HttpServer.start("127.0.0.1", 0, ServerSettings.defaults(), new TokenGate(tokens, api));
    }

    @AfterEach
    void stop() {
        server.close();
        fake.close();
    }

    private HttpResponse<String> send(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void probesAnswerWithoutAToken() throws Exception {
        assertThat(send("GET", "/", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/livez", null, null).statusCode()).isNotIn(401, 403);
        assertThat(send("GET", "/readyz", null, null).statusCode()).isNotIn(401, 403);
        assertThat(send("POST", "/raft", "x", null).statusCode()).as("peers sign with the cluster key").isEqualTo(204);
    }

    @Test
    void everyApiEndpointNeedsAKnownToken() throws Exception {
        String[][] requests = {
            {"PUT", "/topic", "{\"topic\": \"t\"}"},
            {"GET", "/topic", null},
            {"PUT", "/message", "{\"topic\": \"t\", \"message\": \"m\"}"},
            {"GET", "/message/t", null},
            {"GET", "/status", null},
            {"GET", "/cluster/members", null},
        };
        for (String[] r : requests) {
            for (String bad : new String[] {null, "Bearer", "Bearer wrong-token-0123456789", "Basic " + CLIENT,
                    "Bearer " + CLIENT.substring(1)}) {
                HttpResponse<String> refused = send(r[0], r[1], r[2], bad);
                assertThat(refused.statusCode()).as(r[0] + " " + r[1] + " with " + bad).isEqualTo(401);
                assertThat(refused.body()).isEqualTo("{\"success\":false}");
                assertThat(refused.headers().firstValue("X-RRMQ-Error")).hasValue("unauthorized");
                assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        v -> assertThat(v).startsWith("Bearer"));
            }
        }
        assertThat(fake.proposals()).as("no refused request reached the engine").isZero();
        assertThat(fake.topics()).isEmpty();
    }

    @Test
    void aClientTokenServesTheApiButNotAdminOperations() throws Exception {
        String client = "Bearer " + CLIENT;
        assertThat(send("PUT", "/topic", "{\"topic\": \"t\"}", client).statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/message", "{\"topic\": \"t\", \"message\": \"m\"}", client).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/topic", null, client).body()).isEqualTo("{\"success\":true,\"topics\":[\"t\"]}");
        assertThat(send("GET", "/status", null, client).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/message/t", null, client).body()).isEqualTo("{\"success\":true,\"message\":\"m\"}");

        HttpResponse<String> admin = send("POST", "/cluster/leader", "{}", client);
        assertThat(admin.statusCode()).isEqualTo(403);
        assertThat(admin.headers().firstValue("X-RRMQ-Error")).hasValue("forbidden");
    }

    @Test
    void anAdminTokenMayDoEverything() throws Exception {
        String admin = "bearer " + ADMIN; // the scheme is case-insensitive
        assertThat(send("PUT", "/topic", "{\"topic\": \"t\"}", admin).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/status", null, admin).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/cluster/members", null, admin).statusCode()).as("past the gate: not yet served")
                .isEqualTo(404);
    }
}

package io.rrmq.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Topic creation before a run, against JDK HTTP servers standing in for a follower and a leader. */
class CreateTopicsTest {
    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void followsTheLeaderAFollowerNamesAndReturnsIt() throws IOException {
        List<String> created = new CopyOnWriteArrayList<>();
        URI leader = serve(200, null, created);
        URI follower = serve(421, leader.toString(), new CopyOnWriteArrayList<>());

        URI used = LoadRun.createTopics(follower, 3, 2000);

        assertThat(used).isEqualTo(leader);
        assertThat(created).containsExactly("{\"topic\":\"bench-0\"}", "{\"topic\":\"bench-1\"}",
                "{\"topic\":\"bench-2\"}");
    }

    @Test
    void existingTopicsAreFineAndOtherAnswersFailTheRun() throws IOException {
        URI existing = serve(409, null, new CopyOnWriteArrayList<>());
        assertThat(LoadRun.createTopics(existing, 2, 2000)).isEqualTo(existing);

        URI refusing = serve(400, null, new CopyOnWriteArrayList<>());
        assertThatThrownBy(() -> LoadRun.createTopics(refusing, 1, 2000))
                .isInstanceOf(IOException.class).hasMessageContaining("bench-0").hasMessageContaining("400");
    }

    @Test
    void givesUpOnEndlessRedirects() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        URI self = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("X-RRMQ-Leader", self.toString());
            exchange.sendResponseHeaders(421, -1);
            exchange.close();
        });
        server.start();
        servers.add(server);

        assertThatThrownBy(() -> LoadRun.createTopics(self, 1, 2000))
                .isInstanceOf(IOException.class).hasMessageContaining("421");
    }

    /** A node that answers every request with {@code status} (and the leader header, if given). */
    private URI serve(int status, String leaderHint, List<String> bodies) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (leaderHint != null) {
                exchange.getResponseHeaders().add("X-RRMQ-Leader", leaderHint);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }
}

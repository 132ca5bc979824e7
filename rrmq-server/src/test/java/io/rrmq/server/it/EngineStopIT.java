package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.server.security.PeerAuthenticator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose Raft engine stops must not stay half-alive: it logs why and exits with status 3,
 * the rest of the cluster carries on without losing anything acknowledged, and a restart recovers
 * the node from its data directory.
 *
 * <p>The engine is stopped from outside with one Raft message that breaks an invariant: an
 * AppendEntries in a much higher term whose entry 1 conflicts with the committed entry 1. A correct
 * leader can never send it (Leader Completeness); the core refuses to truncate a committed entry and
 * stops. The message is signed with the cluster key, as a member with a bug would sign it (peer
 * authentication keeps strangers from sending it at all); this test is about what the node does once
 * its engine has stopped, whatever the reason.
 */
class EngineStopIT {
    private static final Duration START = Duration.ofSeconds(15);

    @TempDir
    Path work;

    private ClusterProcesses cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aNodeWhoseEngineStopsExitsAndTheClusterCarriesOn() throws Exception {
        cluster = ClusterProcesses.create(3, work, "EngineStopIT");
        cluster.startAll().awaitAllHttp(START);
        NodeProcess leader = cluster.awaitLeader(START);
        RetryingApi api = new RetryingApi(cluster);
        assertThat(new ApiClient(leader.url()).createTopic("t").statusCode()).isEqualTo(200);
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            api.put("t", "before-" + i);
            acknowledged.add("before-" + i);
        }
        NodeProcess victim = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        long term = cluster.term(victim).orElseThrow();
        await().atMost(START).until(() -> cluster.commitIndex(victim) >= 21);

        PeerAuthenticator signer = cluster.peerAuthenticator();
        int status = postRaft(victim, signer, new AppendEntries(leader.index(), victim.index(), term + 1000, 0, 0, 0,
                List.of(new LogEntry(1, term + 1000, LogEntry.Type.COMMAND, "forged".getBytes(StandardCharsets.UTF_8)))));

        assertThat(status).isEqualTo(204);
        assertThat(victim.awaitExit(Duration.ofSeconds(10))).as("exit status of the stopped node").isEqualTo(3);
        assertThat(victim.log()).contains("the Raft engine stopped").contains("conflicts with committed entry");

        for (int i = 0; i < 20; i++) {
            api.put("t", "after-" + i);
            acknowledged.add("after-" + i);
        }
        victim.start().awaitHttp(START);
        long committed = cluster.commitIndex(cluster.awaitLeader(START));
        await().atMost(START).until(() -> cluster.commitIndex(victim) >= committed);
        assertThat(api.drain("t")).containsExactlyElementsOf(acknowledged);
    }

    private static int postRaft(NodeProcess node, PeerAuthenticator signer, AppendEntries message) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] body = MessageCodec.encodeBatch(List.of(message));
        HttpRequest request = HttpRequest.newBuilder(URI.create(node.url() + "/raft"))
                .timeout(Duration.ofSeconds(2))
                .header("Content-Type", "application/octet-stream")
                .header(PeerAuthenticator.HEADER, signer.sign(message.from(), message.to(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

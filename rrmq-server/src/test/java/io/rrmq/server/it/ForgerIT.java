package io.rrmq.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.server.security.PeerAuthenticator;
import io.rrmq.server.testing.TestKeys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * An outsider who can reach every port of every node, but lacks the cluster key, changes nothing:
 * forged RequestVote, AppendEntries (a huge term, a log overwritten from index 1, a heartbeat) and
 * InstallSnapshot batches, unsigned, signed with another key, or carrying a real signature of another
 * body (a captured request replayed with the body altered), all get 401 (404 on a client port when
 * Raft has its own port); afterwards every term is unchanged, the leader is the same, and every
 * acknowledged message comes out in order, before and after a restart of the whole cluster.
 *
 * <p>Before peers were authenticated, five such requests moved every term by 1000 and stopped the
 * engine of every node.
 */
class ForgerIT {
    private static final Duration START = Duration.ofSeconds(15);
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path work;

    private ClusterProcesses cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @ParameterizedTest(name = "separate peer port: {0}")
    @ValueSource(booleans = {false, true})
    void forgedRaftRequestsChangeNothing(boolean peerPorts) throws Exception {
        cluster = ClusterProcesses.create(3, work, "ForgerIT-" + peerPorts, List.of("-Xmx128m"), peerPorts);
        cluster.startAll().awaitAllHttp(START);
        NodeProcess leader = cluster.awaitLeader(START);
        RetryingApi api = new RetryingApi(cluster);
        ApiClient leaderApi = new ApiClient(leader.url());
        assertThat(leaderApi.createTopic("before").statusCode()).isEqualTo(200);
        assertThat(leaderApi.createTopic("after").statusCode()).isEqualTo(200);
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            api.put("before", "m" + i);
            api.put("after", "m" + i);
            acknowledged.add("m" + i);
        }
        Map<Integer, Long> terms = new HashMap<>();
        for (NodeProcess n : cluster.nodes()) {
            terms.put(n.index(), cluster.term(n).orElseThrow());
        }
        long term = terms.get(leader.index());

        PeerAuthenticator realKey = cluster.peerAuthenticator();
        PeerAuthenticator otherKey = TestKeys.authenticator();
        int requests = 0;
        for (NodeProcess target : cluster.nodes()) {
            int victim = target.index();
            int claimed = leader.index() == victim ? (victim + 1) % 3 : leader.index();
            List<List<RaftMessage>> forgeries = List.of(
                    List.of(new AppendEntries(claimed, victim, term + 1000, 0, 0, 0, List.of())),
                    List.of(new AppendEntries(claimed, victim, term + 1000, 0, 0, 0,
                            List.of(LogEntry.command(1, term + 1000, "forged".getBytes(StandardCharsets.UTF_8))))),
                    List.of(new VoteRequest(claimed, victim, term + 1000, Long.MAX_VALUE / 2, term + 1000, false)),
                    List.of(new InstallSnapshot(claimed, victim, term + 1000, 1_000_000, term + 1000, 0,
                            new byte[64], true)));
            byte[] captured = MessageCodec.encodeBatch(List.of(new AppendEntries(claimed, victim, term, 0, 0, 0, List.of())));
            String capturedSignature = realKey.sign(claimed, victim, captured);
            for (List<RaftMessage> forgery : forgeries) {
                byte[] body = MessageCodec.encodeBatch(forgery);
                String[] signatures = {null, otherKey.sign(claimed, victim, body), capturedSignature};
                for (String signature : signatures) {
                    for (int port : ports(target, peerPorts)) {
                        int status = post(port, body, signature);
                        boolean raftPort = !peerPorts || port != target.port();
                        assertThat(status).as("port %d of node %d", port, victim).isEqualTo(raftPort ? 401 : 404);
                        requests++;
                    }
                }
            }
        }
        assertThat(requests).isEqualTo(3 * 4 * 3 * (peerPorts ? 2 : 1));

        for (NodeProcess n : cluster.nodes()) {
            assertThat(cluster.term(n)).as("term of node %d", n.index()).hasValue(terms.get(n.index()));
        }
        assertThat(cluster.awaitLeader(START)).isSameAs(leader);
        assertThat(api.drain("before")).containsExactlyElementsOf(acknowledged);

        for (NodeProcess n : cluster.nodes()) {
            assertThat(n.terminate()).isZero();
        }
        cluster.startAll().awaitAllHttp(START);
        cluster.awaitLeader(START);
        assertThat(new RetryingApi(cluster).drain("after")).containsExactlyElementsOf(acknowledged);
    }

    private static List<Integer> ports(NodeProcess node, boolean peerPorts) throws Exception {
        if (!peerPorts) {
            return List.of(node.port());
        }
        return List.of(node.port(), node.peerPort());
    }

    private int post(int port, byte[] body, String signature) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/raft"))
                .timeout(Duration.ofSeconds(2))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (signature != null) {
            b.header(PeerAuthenticator.HEADER, signature);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}

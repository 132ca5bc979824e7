package io.rrmq.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.http.HttpServer;
import io.rrmq.server.security.PeerAuthenticator;
import io.rrmq.server.testing.FakeRaftNode;
import io.rrmq.server.testing.RawHttp;
import io.rrmq.server.testing.TestKeys;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Raft messages from an {@link HttpTransport} to a real {@link RaftMessageHandler} over loopback. */
class HttpTransportTest {
    private final AtomicReference<RaftNode> receiverNode = new AtomicReference<>();
    private FakeRaftNode receiver;
    private HttpServer receiverServer;
    private HttpTransport transport;
    private PeerAuthenticator authenticator;

    @BeforeEach
    void start() throws Exception {
        receiver = new FakeRaftNode(1);
        receiverNode.set(receiver);
        authenticator = TestKeys.authenticator();
        receiverServer = HttpServer.start("127.0.0.1", 0, ServerSettings.defaults(),
                new RaftMessageHandler(1, receiverNode::get, 1 << 20, authenticator));
        ClusterConfig cluster = new ClusterConfig(List.of(
                new ClusterConfig.Member(0, "127.0.0.1", 1),
                new ClusterConfig.Member(1, "127.0.0.1", receiverServer.port()),
                new ClusterConfig.Member(2, "127.0.0.1", unusedPort())));
        transport = new HttpTransport(new io.rrmq.server.membership.PeerDirectory(java.util.Optional.of(cluster)), 0, ServerSettings.defaults(), authenticator);
        transport.start();
    }

    @AfterEach
    void stop() {
        transport.close();
        receiverServer.close();
        receiver.close();
    }

    private static int unusedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void deliversEveryMessageInOrder() {
        List<RaftMessage> sent = new ArrayList<>();
        for (int i = 1; i <= 2000; i++) {
            RaftMessage m = i % 3 == 0
                    ? new AppendEntries(0, 1, 2, i, 1, i, List.of(LogEntry.command(i + 1, 2, new byte[] {(byte) i})))
                    : new VoteRequest(0, 1, i, i, 1, i % 2 == 0);
            sent.add(m);
            transport.send(m);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received().size() == 2000);
        assertThat(receiver.received()).containsExactlyElementsOf(sent);
        PeerStats toReceiver = transport.stats().get(0);
        assertThat(toReceiver.sentMessages()).isEqualTo(2000);
        assertThat(toReceiver.sentBatches()).isLessThan(2000); // batched under load
    }

    @Test
    void anUnreachablePeerDoesNotHoldUpTheOthers() {
        for (int i = 0; i < 100; i++) {
            transport.send(new VoteRequest(0, 2, i, 0, 0, false)); // nobody listens there
            transport.send(new VoteRequest(0, 1, i, 0, 0, false));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> receiver.received().size() == 100);
        await().atMost(Duration.ofSeconds(5)).until(() -> !transport.stats().get(1).reachable()
                && transport.stats().get(1).droppedUndelivered() > 0);
    }

    @Test
    void messagesToSelfOrOutsideTheClusterAreDropped() {
        transport.send(new VoteRequest(0, 0, 1, 0, 0, false));
        transport.send(new VoteRequest(0, 7, 1, 0, 0, false));
        transport.send(new VoteRequest(0, -1, 1, 0, 0, false));
        assertThat(transport.droppedUnknownPeer()).isEqualTo(3);
    }

    /** Posts {@code body} signed by node 0 for node 1, as node 0's transport would. */
    private RawHttp.Response post(byte[] body, String contentType) throws Exception {
        return post(body, contentType, authenticator.sign(0, 1, body));
    }

    private RawHttp.Response post(byte[] body, String contentType, String signature) throws Exception {
        return RawHttp.send(receiverServer.port(), "POST /raft HTTP/1.1\r\nHost: x\r\n"
                + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
                + (signature == null ? "" : PeerAuthenticator.HEADER + ": " + signature + "\r\n")
                + "Content-Length: " + body.length, body);
    }

    /** A heartbeat in a huge term: what a forger would send to depose the leader. */
    private static byte[] forgedHeartbeat() {
        return MessageCodec.encodeBatch(List.of(new AppendEntries(0, 1, 1002, 0, 0, 0, List.of())));
    }

    @Test
    void receiverRefusesUnsignedWronglyKeyedAndAlteredBatchesWith401() throws Exception {
        byte[] forged = forgedHeartbeat();
        byte[] other = MessageCodec.encodeBatch(List.of(new AppendEntries(0, 1, 1, 0, 0, 0, List.of())));

        RawHttp.Response unsigned = post(forged, "application/octet-stream", null);
        RawHttp.Response wrongKey = post(forged, "application/octet-stream",
                TestKeys.authenticator().sign(0, 1, forged));
        RawHttp.Response altered = post(forged, "application/octet-stream", authenticator.sign(0, 1, other));
        RawHttp.Response forAnotherNode = post(forged, "application/octet-stream", authenticator.sign(0, 2, forged));
        RawHttp.Response garbled = post(forged, "application/octet-stream", "1 0 1 x y");

        for (RawHttp.Response r : List.of(unsigned, wrongKey, altered, forAnotherNode, garbled)) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.body()).isEqualTo("{\"success\":false}");
            assertThat(r.header("X-RRMQ-Error")).isEqualTo("unauthenticated");
        }
        assertThat(receiver.received()).as("nothing reached the engine").isEmpty();
    }

    @Test
    void receiverRefusesABatchSignedAsItselfWith403() throws Exception {
        byte[] batch = MessageCodec.encodeBatch(List.of(new VoteResponse(1, 1, 1, true, false)));
        RawHttp.Response r = post(batch, "application/octet-stream", authenticator.sign(1, 1, batch));
        assertThat(r.status()).isEqualTo(403);
        assertThat(receiver.received()).isEmpty();
    }

    @Test
    void aSignedBatchFromAServerTheReceiverDoesNotKnowYetReachesTheEngine() throws Exception {
        // A leader added after this node's last configuration (or a node joining, with none yet) must
        // get through: the signature proves it holds the key; Raft decides what its messages count for.
        byte[] batch = MessageCodec.encodeBatch(List.of(new VoteResponse(9, 1, 1, true, false)));
        RawHttp.Response r = post(batch, "application/octet-stream", authenticator.sign(9, 1, batch));
        assertThat(r.status()).isEqualTo(204);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void receiverDropsMisaddressedMessages() throws Exception {
        byte[] batch = MessageCodec.encodeBatch(List.of(
                new VoteResponse(0, 1, 1, true, false),   // good
                new VoteResponse(0, 2, 1, true, false),   // not for this node
                new VoteResponse(1, 1, 1, true, false),   // from itself
                new VoteResponse(9, 1, 1, true, false),   // from outside the cluster
                new VoteResponse(2, 1, 1, false, false),  // from a member, but not the one that signed
                new VoteResponse(0, 1, 2, false, false))); // good
        RawHttp.Response r = post(batch, "application/octet-stream");
        assertThat(r.status()).isEqualTo(204);
        assertThat(receiver.received()).extracting(RaftMessage::term).containsExactly(1L, 2L);
    }

    @Test
    void receiverRefusesGarbageWrongTypesAndOversizedBatches() throws Exception {
        RawHttp.Response garbage = post(new byte[] {9, 9, 9}, "application/octet-stream"); // signed garbage
        assertThat(garbage.status()).isEqualTo(400);
        assertThat(garbage.body()).startsWith("{\"success\":false,\"error\":");

        byte[] good = MessageCodec.encodeBatch(List.of(new VoteResponse(0, 1, 1, true, false)));
        assertThat(post(good, "application/json").status()).isEqualTo(415);
        assertThat(post(good, null).status()).isEqualTo(204);
        assertThat(post(new byte[(1 << 20) + 1], "application/octet-stream").status()).isEqualTo(413);
        assertThat(RawHttp.send(receiverServer.port(), "POST /raft HTTP/1.1\r\nHost: x\r\n"
                + "Transfer-Encoding: chunked", RawHttp.chunked(300, 4096)).status()).isEqualTo(413);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void receiverAnswers503WhileItsNodeIsStarting() throws Exception {
        receiverNode.set(null);
        byte[] good = MessageCodec.encodeBatch(List.of(new VoteResponse(0, 1, 1, true, false)));
        assertThat(post(good, "application/octet-stream").status()).isEqualTo(503);
    }
}

package io.rrmq.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.RaftNode;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ClusterConfig.Member;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.config.TlsConfig;
import io.rrmq.server.http.HttpServer;
import io.rrmq.server.it.ClusterProcesses;
import io.rrmq.server.security.MemberCertificates;
import io.rrmq.server.security.PeerAuthenticator;
import io.rrmq.server.security.TlsContexts;
import io.rrmq.server.testing.FakeRaftNode;
import io.rrmq.server.testing.TestKeys;
import io.rrmq.server.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Raft batches over mutual TLS between a {@link HttpTransport} and a {@link RaftMessageHandler}, in
 * one JVM: with a separate peer port (client certificate required at the handshake, members only) and
 * with Raft on the client port (certificate requested, checked by the handler).
 *
 * <p>The cluster: nodes 0 and 1 on 127.0.0.1 (node 1 receives), node 2 on 127.0.0.2. The CA also
 * issued a certificate to an intruder, which names no member.
 */
class TlsTransportTest {
    @TempDir
    static Path dir;

    private static TestPki ca;
    private static TlsContexts memberTls;
    private static TlsConfig tlsConfig;

    private final AtomicReference<RaftNode> receiverNode = new AtomicReference<>();
    private final PeerAuthenticator authenticator = TestKeys.authenticator();
    private FakeRaftNode receiver;
    private HttpServer receiverServer;
    private HttpTransport transport;
    private int peerPort;

    @BeforeAll
    static void issueCertificates() throws Exception {
        ca = TestPki.create("test-ca");
        ca.issue("127.0.0.1", List.of("ip:127.0.0.1")).writeKeystore(dir.resolve("node.p12"), TestPki.PASSWORD);
        ca.writeTruststore(dir.resolve("trust.p12"), TestPki.PASSWORD);
        Files.writeString(dir.resolve("password"), TestPki.PASSWORD);
        tlsConfig = new TlsConfig(dir.resolve("node.p12"), dir.resolve("password"), dir.resolve("trust.p12"));
        memberTls = TlsContexts.load(tlsConfig);
    }

    /** Starts node 1's listener(s) and node 0's transport. */
    private void start(boolean separatePeerPort) throws Exception {
        receiver = new FakeRaftNode(1);
        receiverNode.set(receiver);
        int[] ports = ClusterProcesses.freePorts(2);
        int clientPort = ports[0];
        peerPort = separatePeerPort ? ports[1] : clientPort;
        ClusterConfig cluster = new ClusterConfig(List.of(
                new Member(0, "127.0.0.1", 1, 1, true),
                new Member(1, "127.0.0.1", clientPort, peerPort, true),
                new Member(2, "127.0.0.2", 2, 2, true)), Optional.of(tlsConfig));
        MemberCertificates members = new MemberCertificates(cluster);
        RaftMessageHandler handler = new RaftMessageHandler(() -> 1, receiverNode::get, 1 << 20, authenticator, members, null);
        HttpServer.Tls tls = new HttpServer.Tls(memberTls.standard(), memberTls.membersOnly(members));
        receiverServer = separatePeerPort
                ? HttpServer.start("127.0.0.1", clientPort, ServerSettings.defaults(), exchange -> { },
                        peerPort, new PeerListenerHandler(handler), tls)
                : HttpServer.start("127.0.0.1", clientPort, ServerSettings.defaults(), handler, -1, null, tls);
        transport = new HttpTransport(new io.rrmq.server.membership.PeerDirectory(java.util.Optional.of(cluster)), 0, ServerSettings.defaults(), authenticator, memberTls.standard());
        transport.start();
    }

    @AfterEach
    void stop() {
        if (transport != null) {
            transport.close();
        }
        if (receiverServer != null) {
            receiverServer.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    @ParameterizedTest(name = "separate peer port: {0}")
    @ValueSource(booleans = {true, false})
    void deliversEveryMessageInOrderOverMutualTls(boolean separatePeerPort) throws Exception {
        start(separatePeerPort);
        List<RaftMessage> sent = new ArrayList<>();
        for (int i = 1; i <= 300; i++) {
            RaftMessage m = new VoteRequest(0, 1, i, i, 1, false);
            sent.add(m);
            transport.send(m);
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> receiver.received().size() == 300);
        assertThat(receiver.received()).containsExactlyElementsOf(sent);
    }

    @ParameterizedTest(name = "separate peer port: {0}")
    @ValueSource(booleans = {true, false})
    void aCertificateOfOurCaThatNamesNoMemberIsRefusedEvenWithAValidSignature(boolean separatePeerPort)
            throws Exception {
        start(separatePeerPort);
        SSLContext intruder = ca.issue("intruder", List.of("dns:intruder.example")).sslContext(ca);

        Optional<Integer> status = post(intruder, signedHeartbeat());

        // The peer port refuses the handshake; the shared port refuses the request.
        assertThat(status).isEqualTo(separatePeerPort ? Optional.empty() : Optional.of(403));
        assertThat(receiver.received()).isEmpty();
    }

    @ParameterizedTest(name = "separate peer port: {0}")
    @ValueSource(booleans = {true, false})
    void aPeerWithoutAClientCertificateIsRefused(boolean separatePeerPort) throws Exception {
        start(separatePeerPort);

        Optional<Integer> status = post(ca.clientContext(), signedHeartbeat());

        assertThat(status).isEqualTo(separatePeerPort ? Optional.empty() : Optional.of(401));
        assertThat(receiver.received()).isEmpty();
    }

    @ParameterizedTest(name = "separate peer port: {0}")
    @ValueSource(booleans = {true, false})
    void theSignedSenderMustBeAMemberTheCertificateNames(boolean separatePeerPort) throws Exception {
        start(separatePeerPort);
        // Node 2's certificate (127.0.0.2) carrying a batch signed as node 0 (127.0.0.1).
        SSLContext node2 = ca.issue("node-2", List.of("ip:127.0.0.2")).sslContext(ca);

        assertThat(post(node2, signedHeartbeat())).hasValue(403);
        assertThat(receiver.received()).isEmpty();
    }

    /** A batch from node 0 to node 1, correctly signed. */
    private byte[] signedHeartbeat() {
        return MessageCodec.encodeBatch(List.of(new VoteResponse(0, 1, 1, true, false)));
    }

    /** POSTs {@code batch} signed by node 0 to node 1's Raft port; empty if the connection was refused. */
    private Optional<Integer> post(SSLContext identity, byte[] batch) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(identity)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + peerPort + "/raft"))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", RaftMessageHandler.CONTENT_TYPE)
                .header(PeerAuthenticator.HEADER, authenticator.sign(0, 1, batch))
                .POST(HttpRequest.BodyPublishers.ofByteArray(batch)).build();
        try {
            return Optional.of(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

package io.rrmq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.cli.CliRunner.Result;
import io.rrmq.cli.ScriptedServer.Reply;
import io.rrmq.server.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rrmq} against an HTTPS node whose certificate a test CA issued, trusted with {@code --cacert}. */
class ClusterClientTlsTest {
    private static final String TOPICS = "{\"success\":true,\"topics\":[\"a\"]}";

    @TempDir
    Path dir;

    private TestPki ca;
    private Path caPem;
    private ScriptedServer node;

    @BeforeEach
    void start() throws Exception {
        ca = TestPki.create("rrmq-test-ca");
        caPem = dir.resolve("ca.pem");
        ca.writePem(caPem);
        node = new ScriptedServer(ca.issue("127.0.0.1", List.of("ip:127.0.0.1")).sslContext(ca));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    /**
     * A connect limit far above a handshake's cost: on a loaded CI machine the first TLS handshake of
     * a JVM (crypto class loading and JIT) took over 1.5 s and timed out instead of failing.
     */
    private static RetryPolicy policy() {
        return new RetryPolicy(Duration.ofSeconds(6), Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofMillis(10), Duration.ofMillis(100));
    }

    @Test
    void trustsTheNodeWhenGivenItsCa() throws Exception {
        node.then(Reply.of(200, TOPICS));
        ClusterClient client = new ClusterClient(new NodeList(List.of(node.url())), policy(), new SplittableRandom(1),
                line -> { }, CaCertificates.trusting(caPem), java.util.Optional.empty());

        Outcome outcome = client.send(ApiRequest.listTopics());

        assertThat(outcome).isInstanceOf(Outcome.Answered.class);
        assertThat(((Outcome.Answered) outcome).status()).isEqualTo(200);
    }

    @Test
    void refusesANodeItsCasDidNotCertifyAndKnowsNothingWasWritten() throws Exception {
        node.then(Reply.of(200, "{\"success\":true}"));
        ClusterClient client = new ClusterClient(new NodeList(List.of(node.url())), policy(), new SplittableRandom(1),
                line -> { }, null, java.util.Optional.empty()); // the JDK's CAs only

        Outcome outcome = client.send(ApiRequest.putMessage("t", "m", "id-1"));

        // Unavailable (exit 3), not Unknown (exit 4): a failed handshake sends no request.
        assertThat(outcome).isInstanceOf(Outcome.Unavailable.class);
        assertThat(((Outcome.Unavailable) outcome).reason()).contains("TLS handshake failed");
        assertThat(node.requests()).isEmpty();
    }

    @Test
    void theCommandLineTakesCacertAndHttpsNodes() {
        node.then(Reply.of(200, TOPICS));

        Result r = new CliRunner("--cacert", caPem.toString(), "--nodes", node.url().toString()).run("topics");

        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("a\n");
    }

    @Test
    void aMissingOrNonPemCacertIsAUsageError() throws Exception {
        assertThatThrownBy(() -> CaCertificates.trusting(dir.resolve("none.pem")))
                .isInstanceOf(UsageException.class).hasMessageContaining("not found");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate");
        assertThatThrownBy(() -> CaCertificates.trusting(garbage)).isInstanceOf(UsageException.class);
        Result r = new CliRunner("--cacert", dir.resolve("none.pem").toString(), "--nodes", node.url().toString())
                .run("topics");
        assertThat(r.exitCode()).isEqualTo(2);
    }
}

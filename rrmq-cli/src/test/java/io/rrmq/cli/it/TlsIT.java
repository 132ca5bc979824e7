package io.rrmq.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.cli.CliRunner;
import io.rrmq.cli.CliRunner.Result;
import io.rrmq.server.it.ClusterProcesses;
import io.rrmq.server.it.NodeProcess;
import io.rrmq.server.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rrmq} against a real 3-node cluster with TLS on (every node taking Raft on its client port,
 * where peers' certificates are requested and checked by {@code /raft}): with {@code --cacert} and
 * the cluster's config (bare {@code ip}s, made https by {@code "tls"}) it writes and reads, follows
 * a follower's https leader hint, and reports the cluster; without {@code --cacert} it reaches no
 * node (exit 3: nothing was sent).
 */
class TlsIT {
    private static final Duration START = Duration.ofSeconds(30);

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
    void rrmqWorksOverHttpsWithTheClustersCa() throws Exception {
        TestPki ca = TestPki.create("rrmq-test-ca");
        Path caPem = work.resolve("ca.pem");
        ca.writePem(caPem);
        cluster = ClusterProcesses.createTls(3, work.resolve("cluster"), "cli-TlsIT", ca, Set.of());
        cluster.startAll().awaitAllHttp(START);
        NodeProcess leader = cluster.awaitLeader(START);
        CliRunner rrmq = new CliRunner("--config", cluster.configPath().toString(), "--cacert", caPem.toString());

        assertThat(rrmq.run("create-topic", "t").exitCode()).isZero();
        assertThat(rrmq.run("put", "t", "hello").exitCode()).isZero();
        NodeProcess follower = cluster.nodes().stream().filter(n -> n != leader).findFirst().orElseThrow();
        Result viaFollower = new CliRunner("--nodes", follower.url(), "--cacert", caPem.toString())
                .run("put", "t", "again");
        assertThat(viaFollower.exitCode()).as(viaFollower.toString()).isZero();
        Result first = rrmq.run("get", "t");
        assertThat(first.out()).as(first.toString()).isEqualTo("hello\n");
        assertThat(rrmq.run("get", "t").out()).isEqualTo("again\n");

        Result status = rrmq.run("status");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("https://127.0.0.1:" + leader.port());

        // Exit 3 (unavailable), not 4: nothing was sent. On a loaded machine the attempt may run out
        // of connect time before the handshake gets as far as failing.
        Result untrusting = new CliRunner("--config", cluster.configPath().toString(), "--timeout", "4s")
                .run("put", "t", "x");
        assertThat(untrusting.exitCode()).as(untrusting.toString()).isEqualTo(3);
        assertThat(untrusting.err()).containsAnyOf("TLS handshake failed", "timed out");
    }
}

package io.rrmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DataDirectoryTest {
    private static final Path CWD = Path.of("/srv/rrmq");
    private static final ClusterConfig A = cluster(8567, 8568, 8569);
    private static final ClusterConfig B = cluster(8567, 8568, 9999);

    private static ClusterConfig cluster(int... ports) {
        ClusterConfig.Member[] members = new ClusterConfig.Member[ports.length];
        for (int i = 0; i < ports.length; i++) {
            members[i] = new ClusterConfig.Member(i, "127.0.0.1", ports[i]);
        }
        return new ClusterConfig(List.of(members));
    }

    @Test
    void defaultIsPerClusterAndPerNodeUnderTheWorkingDirectory() throws Exception {
        DataDirectory d = DataDirectory.resolve(A, 1, Optional.empty(), Map.of(), CWD);
        assertThat(d.path()).isEqualTo(Path.of("/srv/rrmq/rrmq-data/" + A.clusterId() + "/node-1"));
        assertThat(d.source()).contains(A.clusterId());
    }

    @Test
    void otherAddressesGiveAnotherDirectoryInTheSameWorkingDirectory() throws Exception {
        Path a = DataDirectory.resolve(A, 0, Optional.empty(), Map.of(), CWD).path();
        Path b = DataDirectory.resolve(B, 0, Optional.empty(), Map.of(), CWD).path();
        assertThat(a).isNotEqualTo(b);
        assertThat(DataDirectory.resolve(A, 1, Optional.empty(), Map.of(), CWD).path()).isNotEqualTo(a);
    }

    @Test
    void optionWinsOverEnvironmentAndIsTakenAsIs() throws Exception {
        DataDirectory d = DataDirectory.resolve(A, 0, Optional.of(Path.of("mine/../data")),
                Map.of(DataDirectory.ENV_ROOT, "/elsewhere"), CWD);
        assertThat(d.path()).isEqualTo(Path.of("/srv/rrmq/data"));
        assertThat(d.source()).isEqualTo("--data-dir");
    }

    @Test
    void environmentMovesTheRootButKeepsClusterAndNode() throws Exception {
        DataDirectory d = DataDirectory.resolve(A, 2, Optional.empty(),
                Map.of(DataDirectory.ENV_ROOT, "/var/lib/rrmq"), CWD);
        assertThat(d.path()).isEqualTo(Path.of("/var/lib/rrmq/" + A.clusterId() + "/node-2"));
        DataDirectory blank = DataDirectory.resolve(A, 2, Optional.empty(),
                Map.of(DataDirectory.ENV_ROOT, "  "), CWD);
        assertThat(blank.path()).startsWithRaw(CWD.resolve("rrmq-data"));
    }

    @Test
    void aJoinerIsNamedByItsAddressUnderTheClusterItJoinsUnlessTheOptionSaysOtherwise() throws Exception {
        DataDirectory d = DataDirectory.forJoiner("c0ffee", "127.0.0.1", 9001, Optional.empty(),
                Map.of(DataDirectory.ENV_ROOT, "/var/lib/rrmq"), CWD);
        assertThat(d.path()).isEqualTo(Path.of("/var/lib/rrmq/c0ffee/joined-127.0.0.1-9001"));
        assertThat(d.source()).contains("c0ffee");
        assertThat(DataDirectory.forJoiner("c0ffee", "127.0.0.1", 9001, Optional.of(Path.of("j")), Map.of(), CWD).path())
                .isEqualTo(Path.of("/srv/rrmq/j"));
    }
}

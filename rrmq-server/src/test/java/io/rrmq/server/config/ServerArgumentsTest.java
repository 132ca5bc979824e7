package io.rrmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerArgumentsTest {
    private static final ClusterConfig THREE = new ClusterConfig(List.of(
            new ClusterConfig.Member(0, "h", 1), new ClusterConfig.Member(1, "h", 2),
            new ClusterConfig.Member(2, "h", 3)));

    @Test
    void parsesConfigIndexAndDataDir() throws Exception {
        ServerArguments a = ServerArguments.parse(new String[] {"config.json", "2", "--data-dir", "d"});
        assertThat(a.configPath()).isEqualTo(Path.of("config.json"));
        assertThat(a.index(THREE)).isEqualTo(2);
        assertThat(a.dataDir()).contains(Path.of("d"));
        assertThat(ServerArguments.parse(new String[] {"--data-dir=x", "c", "0"}).dataDir()).contains(Path.of("x"));
        assertThat(ServerArguments.parse(new String[] {"c", "0"}).dataDir()).isEqualTo(Optional.empty());
    }

    @Test
    void refusesBadCommandLines() {
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {})).hasMessageContaining("usage:");
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {"c"})).hasMessageContaining("missing INDEX");
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {"c", "0", "x"}))
                .hasMessageContaining("unexpected argument");
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {"c", "0", "--data-dir"}))
                .hasMessageContaining("--data-dir needs a directory");
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {"c", "0", "--verbose"}))
                .hasMessageContaining("unknown option --verbose");
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {"-h"}))
                .isInstanceOf(ServerArguments.HelpRequested.class);
    }

    @Test
    void indexMustBeAMemberOfTheConfig() throws Exception {
        for (String bad : List.of("3", "-1", "x", "1.0", "99999999999")) {
            ServerArguments a = ServerArguments.parse(new String[] {"c", bad});
            assertThatThrownBy(() -> a.index(THREE)).as(bad).isInstanceOf(ConfigException.class);
        }
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {"c", "3"}).index(THREE))
                .hasMessageContaining("out of range").hasMessageContaining("3 nodes (0..2)");
    }

    @Test
    void aJoiningNodeTakesJoinAndAddressAndNoConfigFile() throws Exception {
        ServerArguments a = ServerArguments.parse(new String[] {"--join", "http://127.0.0.1:8567",
            "--address=http://127.0.0.1:8570", "--data-dir", "d"});
        assertThat(a.joining()).isTrue();
        assertThat(a.join()).contains("http://127.0.0.1:8567");
        assertThat(a.address()).contains("http://127.0.0.1:8570");
        assertThat(a.dataDir()).contains(Path.of("d"));
        assertThat(ServerArguments.parse(new String[] {"c", "0"}).joining()).isFalse();
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {"--join", "http://127.0.0.1:8567"}))
                .hasMessageContaining("--join and --address go together");
        assertThatThrownBy(() -> ServerArguments.parse(new String[] {"c", "0", "--join", "http://h:1", "--address", "http://h:2"}))
                .hasMessageContaining("no CONFIG_PATH");
    }
}

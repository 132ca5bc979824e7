package io.rrmq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeListTest {
    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    private NodeList config(String text) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, text);
        return NodeList.fromConfig(file, json);
    }

    @Test
    void readsTheServersConfigWithOrWithoutScheme() throws Exception {
        NodeList nodes = config("{\"addresses\": [{\"ip\": \"http://127.0.0.1\", \"port\": 8567},"
                + " {\"ip\": \"127.0.0.1\", \"port\": 8568, \"internal_port\": 9000}], \"extra\": 1}");

        assertThat(nodes.nodes()).containsExactly(URI.create("http://127.0.0.1:8567"), URI.create("http://127.0.0.1:8568"));
    }

    @Test
    void aConfigWithTlsMeansHttpsForEntriesWithoutScheme() throws Exception {
        NodeList nodes = config("{\"tls\": {\"keystore\": \"k.p12\"}, \"addresses\": [{\"ip\": \"https://127.0.0.1\", \"port\": 8567},"
                + " {\"ip\": \"127.0.0.1\", \"port\": 8568}]}");

        assertThat(nodes.nodes()).containsExactly(URI.create("https://127.0.0.1:8567"), URI.create("https://127.0.0.1:8568"));
    }

    @Test
    void parsesHttpsNodes() throws Exception {
        assertThat(NodeList.parse("HTTPS://127.0.0.1:8567/,127.0.0.1:8568").nodes())
                .containsExactly(URI.create("https://127.0.0.1:8567"), URI.create("http://127.0.0.1:8568"));
    }

    @Test
    void rejectsAConfigWithoutAddresses() {
        assertThatThrownBy(() -> config("{\"nodes\": []}")).isInstanceOf(UsageException.class).hasMessageContaining("addresses");
        assertThatThrownBy(() -> config("{\"addresses\": []}")).isInstanceOf(UsageException.class);
        assertThatThrownBy(() -> config("{\"addresses\": [{\"ip\": \"127.0.0.1\"}]}"))
                .isInstanceOf(UsageException.class).hasMessageContaining("addresses[0]");
        assertThatThrownBy(() -> config("not json")).isInstanceOf(UsageException.class);
    }

    @Test
    void aMissingConfigSaysHowToNameTheNodes() {
        assertThatThrownBy(() -> NodeList.fromConfig(dir.resolve("nope.json"), json))
                .isInstanceOf(UsageException.class).hasMessageContaining("--nodes");
    }

    @Test
    void parsesANodesList() throws Exception {
        NodeList nodes = NodeList.parse("127.0.0.1:8567, http://localhost:8568/ ,HTTP://10.0.0.1:1");

        assertThat(nodes.nodes()).containsExactly(URI.create("http://127.0.0.1:8567"),
                URI.create("http://localhost:8568"), URI.create("http://10.0.0.1:1"));
    }

    @Test
    void rejectsMalformedNodes() {
        for (String bad : new String[] {"", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "a:1,,b:2",
            "ftp://127.0.0.1:1", "127.0.0.1:1/path", "::"}) {
            assertThatThrownBy(() -> NodeList.parse(bad)).as(bad).isInstanceOf(UsageException.class);
        }
    }
}

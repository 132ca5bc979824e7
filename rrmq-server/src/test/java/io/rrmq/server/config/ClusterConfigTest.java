package io.rrmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClusterConfigTest {

    private static ClusterConfig parse(String json) throws ConfigException {
        return ClusterConfig.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsTheAssignmentsExampleWithScheme() throws Exception {
        ClusterConfig c = parse("{\"addresses\": [{\"ip\": \"http://127.0.0.1\", \"port\": 8567},"
                + " {\"ip\": \"http://127.0.0.1\", \"port\": 9123}, {\"ip\": \"http://127.0.0.1\", \"port\": 8889}]}");
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.member(1)).isEqualTo(new ClusterConfig.Member(1, "127.0.0.1", 9123));
        assertThat(c.member(2).url()).isEqualTo("http://127.0.0.1:8889");
        assertThat(c.ids()).containsExactly(0, 1, 2);
    }

    @Test
    void bareAddressAndSchemeMeanTheSame() throws Exception {
        ClusterConfig bare = parse("{\"addresses\": [{\"ip\": \"127.0.0.1\", \"port\": 8567}]}");
        ClusterConfig scheme = parse("{\"addresses\": [{\"ip\": \"HTTP://127.0.0.1/\", \"port\": 8567}]}");
        assertThat(bare).isEqualTo(scheme);
        assertThat(bare.clusterId()).isEqualTo(scheme.clusterId());
    }

    @Test
    void toleratesUnknownKeysAnywhere() throws Exception {
        ClusterConfig c = parse("{\"comment\": {\"nested\": [1, 2]}, \"addresses\": [{\"ip\": \"localhost\","
                + " \"port\": 1, \"tags\": [\"a\"]}], \"version\": 2}");
        assertThat(c.member(0)).isEqualTo(new ClusterConfig.Member(0, "localhost", 1));
    }

    @Test
    void internalPortGivesRaftAListenerOfItsOwnWithoutChangingTheClusterId() throws Exception {
        ClusterConfig separate = parse("{\"addresses\": [{\"ip\": \"localhost\", \"port\": 1, \"internal_port\": 9000}]}");
        ClusterConfig shared = parse("{\"addresses\": [{\"ip\": \"localhost\", \"port\": 1}]}");

        assertThat(separate.member(0).peerPort()).isEqualTo(9000);
        assertThat(separate.member(0).separatePeerPort()).isTrue();
        assertThat(shared.member(0).peerPort()).isEqualTo(1);
        assertThat(shared.member(0).separatePeerPort()).isFalse();
        assertThat(separate.clusterId()).isEqualTo(shared.clusterId());
    }

    @Test
    void refusesABadOrCollidingInternalPort() {
        assertThatThrownBy(() -> parse("{\"addresses\": [{\"ip\": \"a\", \"port\": 1, \"internal_port\": 0}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("addresses[0].internal_port");
        assertThatThrownBy(() -> parse("{\"addresses\": [{\"ip\": \"a\", \"port\": 1, \"internal_port\": \"x\"}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("addresses[0].internal_port");
        assertThatThrownBy(() -> parse("{\"addresses\": [{\"ip\": \"a\", \"port\": 1, \"internal_port\": 2},"
                + " {\"ip\": \"a\", \"port\": 2}]}"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("listed twice");
    }

    @Test
    void acceptsBracketedIpv6() throws Exception {
        ClusterConfig c = parse("{\"addresses\": [{\"ip\": \"http://[::1]\", \"port\": 8567}]}");
        assertThat(c.member(0).url()).isEqualTo("http://[::1]:8567");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                                                  | empty",
        "[]                                                                  | expected a JSON object",
        "{                                                                   | not valid JSON",
        "{}                                                                  | \"addresses\" is missing",
        "{\"addresses\": {}}                                                 | must be a list",
        "{\"addresses\": []}                                                 | \"addresses\" is empty",
        "{\"addresses\": [5]}                                                | addresses[0] must be an object",
        "{\"addresses\": [{\"port\": 1}]}                                    | addresses[0].ip is missing",
        "{\"addresses\": [{\"ip\": \"h\"}]}                                  | addresses[0].port is missing",
        "{\"addresses\": [{\"ip\": 1, \"port\": 1}]}                         | ip must be a string",
        "{\"addresses\": [{\"ip\": \"\", \"port\": 1}]}                      | ip is empty",
        "{\"addresses\": [{\"ip\": \"ftp://h\", \"port\": 1}]}               | scheme \"ftp://\" is not supported",
        "{\"addresses\": [{\"ip\": \"https://h\", \"port\": 1}]}             | https:// but TLS is off",
        "{\"tls\": 1, \"addresses\": [{\"ip\": \"h\", \"port\": 1}]}          | \"tls\" must be an object",
        "{\"tls\": {\"keystore\": \"k\", \"truststore\": \"t\"}, \"addresses\": [{\"ip\": \"h\", \"port\": 1}]} | tls.password_file is missing",
        "{\"tls\": {\"keystore\": 5, \"password_file\": \"p\", \"truststore\": \"t\"}, \"addresses\": [{\"ip\": \"h\", \"port\": 1}]} | tls.keystore must be a file name",
        "{\"tls\": {\"keystore\": \"k\", \"password_file\": \"p\", \"truststore\": \"t\"}, \"addresses\": [{\"ip\": \"http://h\", \"port\": 1}]} | addresses[0].ip: http:// but TLS is on",
        "{\"addresses\": [{\"ip\": \"h:80\", \"port\": 1}]}                  | must not contain a port",
        "{\"addresses\": [{\"ip\": \"h/x\", \"port\": 1}]}                   | not a host name",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": 0}]}                     | port must be a whole number from 1 to 65535, got 0",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": 65536}]}                 | got 65536",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": 80.5}]}                  | got 80.5",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": \"80\"}]}                | got a string",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": 99999999999}]}           | port must be",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": 1}, {\"ip\": \"h\", \"port\": 1}]} | addresses[1]: h:1 is listed twice",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": 1}]} trailing             | not valid JSON",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": 1}]} {}                   | unexpected data after",
        "{\"addresses\": [{\"ip\": \"h\", \"port\": 1}], \"addresses\": []} | not valid JSON: Duplicate field",
    })
    void refusesBadConfigsWithAClearMessage(String json, String expected) {
        assertThatThrownBy(() -> parse(json))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void clusterIdDependsOnEveryAddressAndTheirOrder() throws Exception {
        String a = parse("{\"addresses\": [{\"ip\": \"127.0.0.1\", \"port\": 8567}, {\"ip\": \"127.0.0.1\", \"port\": 8568}]}")
                .clusterId();
        String b = parse("{\"addresses\": [{\"ip\": \"127.0.0.1\", \"port\": 8567}, {\"ip\": \"127.0.0.1\", \"port\": 8569}]}")
                .clusterId();
        String swapped = parse("{\"addresses\": [{\"ip\": \"127.0.0.1\", \"port\": 8568}, {\"ip\": \"127.0.0.1\", \"port\": 8567}]}")
                .clusterId();
        assertThat(a).hasSize(12).matches("[0-9a-f]{12}");
        assertThat(a).isNotEqualTo(b).isNotEqualTo(swapped);
        // SHA-256("127.0.0.1:8567,127.0.0.1:8568"), first 12 hex digits: stable across releases.
        assertThat(a).isEqualTo(sha256Prefix("127.0.0.1:8567,127.0.0.1:8568"));
    }

    private static String sha256Prefix(String s) throws Exception {
        byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        return java.util.HexFormat.of().formatHex(d).substring(0, 12);
    }

    @Test
    void loadNamesTheFileInErrors(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.json");
        assertThatThrownBy(() -> ClusterConfig.load(missing)).hasMessageContaining("config file not found")
                .hasMessageContaining("nope.json");
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"addresses\": 1}");
        assertThatThrownBy(() -> ClusterConfig.load(bad)).hasMessageStartingWith("bad config file")
                .hasMessageContaining("bad.json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "http://127.0.0.1", "localhost", "node-1.example"})
    void hostFormsParse(String ip) throws Exception {
        assertThat(parse("{\"addresses\": [{\"ip\": \"" + ip + "\", \"port\": 80}]}").member(0).host())
                .doesNotContain("://");
    }

    private static final String TLS = "\"tls\": {\"keystore\": \"node.p12\", \"password_file\": \"secret/pw\","
            + " \"truststore\": \"/etc/rrmq/ca.p12\", \"later\": true}";

    @Test
    void tlsMakesEveryMemberHttpsWhetherTheEntryHasASchemeOrNot() throws Exception {
        ClusterConfig c = parse("{" + TLS + ", \"addresses\": [{\"ip\": \"https://127.0.0.1\", \"port\": 8567},"
                + " {\"ip\": \"127.0.0.1\", \"port\": 8568}]}");

        assertThat(c.tls()).isPresent();
        assertThat(c.members()).allMatch(ClusterConfig.Member::https);
        assertThat(c.member(0).url()).isEqualTo("https://127.0.0.1:8567");
        assertThat(c.member(1).url()).isEqualTo("https://127.0.0.1:8568");
    }

    @Test
    void tlsLeavesTheClusterIdAsItWas() throws Exception {
        String plain = parse("{\"addresses\": [{\"ip\": \"127.0.0.1\", \"port\": 8567}]}").clusterId();
        String tls = parse("{" + TLS + ", \"addresses\": [{\"ip\": \"https://127.0.0.1\", \"port\": 8567}]}").clusterId();
        assertThat(tls).isEqualTo(plain);
    }

    @Test
    void withoutTlsNothingIsHttps() throws Exception {
        ClusterConfig c = parse("{\"addresses\": [{\"ip\": \"127.0.0.1\", \"port\": 8567}]}");
        assertThat(c.tls()).isEmpty();
        assertThat(c.member(0).https()).isFalse();
        assertThat(c.member(0).url()).isEqualTo("http://127.0.0.1:8567");
    }

    @Test
    void relativeTlsPathsAreRelativeToTheConfigFilesDirectory(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{" + TLS + ", \"addresses\": [{\"ip\": \"127.0.0.1\", \"port\": 8567}]}");

        TlsConfig tls = ClusterConfig.load(config).tls().orElseThrow();

        assertThat(tls.keystore()).isEqualTo(dir.toAbsolutePath().resolve("node.p12"));
        assertThat(tls.passwordFile()).isEqualTo(dir.toAbsolutePath().resolve("secret/pw"));
        assertThat(tls.truststore()).isEqualTo(Path.of("/etc/rrmq/ca.p12"));
    }

    @Test
    void aMemberMustAgreeWithTheClusterAboutTls() {
        assertThatThrownBy(() -> new ClusterConfig(java.util.List.of(new ClusterConfig.Member(0, "h", 1, 1, true))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

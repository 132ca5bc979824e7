package io.rrmq.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.server.config.ConfigException;
import io.rrmq.server.config.TlsConfig;
import io.rrmq.server.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading the key material of {@code "tls"}: every problem is one line naming the file. */
class TlsContextsTest {
    @TempDir
    Path dir;

    private TestPki ca;
    private TlsConfig config;

    @BeforeEach
    void writeStores() throws Exception {
        ca = TestPki.create("test-ca");
        ca.issue("127.0.0.1", List.of("ip:127.0.0.1")).writeKeystore(dir.resolve("node.p12"), TestPki.PASSWORD);
        ca.writeTruststore(dir.resolve("trust.p12"), TestPki.PASSWORD);
        Files.writeString(dir.resolve("password"), TestPki.PASSWORD + "\n# anything after the first line is ignored\n");
        config = new TlsConfig(Path.of("node.p12"), Path.of("password"), Path.of("trust.p12")).resolveAgainst(dir);
    }

    @Test
    void loadsAKeystoreAndTruststoreOpenedByThePasswordOnTheFirstLine() throws Exception {
        TlsContexts tls = TlsContexts.load(config);

        assertThat(tls.ownCertificate().getSubjectX500Principal().getName()).isEqualTo("CN=127.0.0.1");
        assertThat(tls.standard().getProtocol()).isEqualTo("TLS");
        assertThat(tls.membersOnly(new MemberCertificates(List.of()))).isNotSameAs(tls.standard());
    }

    @Test
    void aWrongPasswordIsAConfigErrorNamingTheStore() throws Exception {
        Files.writeString(dir.resolve("password"), "not-the-password");
        assertThatThrownBy(() -> TlsContexts.load(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("node.p12").hasMessageContaining("wrong password");
    }

    @Test
    void missingFilesAreConfigErrors() throws Exception {
        Files.delete(dir.resolve("trust.p12"));
        assertThatThrownBy(() -> TlsContexts.load(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.truststore not found");
        Files.delete(dir.resolve("password"));
        assertThatThrownBy(() -> TlsContexts.load(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("tls.password_file not found");
    }

    @Test
    void anEmptyPasswordFileIsRefused() throws Exception {
        Files.writeString(dir.resolve("password"), "\n");
        assertThatThrownBy(() -> TlsContexts.load(config)).hasMessageContaining("is empty");
    }

    @Test
    void aKeystoreWithoutAPrivateKeyIsRefused() throws Exception {
        ca.writeTruststore(dir.resolve("node.p12"), TestPki.PASSWORD); // certificates only
        assertThatThrownBy(() -> TlsContexts.load(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("holds no private key");
    }
}

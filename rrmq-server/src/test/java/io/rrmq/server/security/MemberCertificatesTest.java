package io.rrmq.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.server.config.ClusterConfig.Member;
import io.rrmq.server.testing.TestPki;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The allow-list of mutual TLS: a peer certificate counts only if it names a member's host. */
class MemberCertificatesTest {
    private static final MemberCertificates MEMBERS = new MemberCertificates(List.of(
            new Member(0, "127.0.0.1", 8567),
            new Member(1, "127.0.0.1", 8568),
            new Member(2, "node-2.example", 8569),
            new Member(3, "[::1]", 8570)));

    private static X509Certificate cert(String cn, String... sans) {
        return TestPki.selfSigned(cn, List.of(sans)).certificate();
    }

    @Test
    void aSubjectAltNameIpNamesEveryMemberOnThatAddress() {
        assertThat(MEMBERS.membersNamedBy(cert("whatever", "ip:127.0.0.1"))).containsExactly(0, 1);
    }

    @Test
    void aSubjectAltNameDnsNamesTheMemberIgnoringCaseAndTrailingDot() {
        assertThat(MEMBERS.membersNamedBy(cert("whatever", "dns:Node-2.Example."))).containsExactly(2);
    }

    @Test
    void ipv6AddressesCompareAsAddressesNotAsText() {
        assertThat(MEMBERS.membersNamedBy(cert("x", "ip:0:0:0:0:0:0:0:1"))).containsExactly(3);
    }

    @Test
    void theCommonNameCountsWhenTheCertificateHasNoSubjectAltName() {
        assertThat(MEMBERS.membersNamedBy(cert("node-2.example"))).containsExactly(2);
        assertThat(MEMBERS.membersNamedBy(cert("127.0.0.1"))).containsExactly(0, 1);
    }

    @Test
    void theCommonNameIsIgnoredWhenSubjectAltNamesArePresent() {
        // RFC 6125 §6.4.4: a CA that wrote SANs said which hosts the certificate is for.
        assertThat(MEMBERS.membersNamedBy(cert("127.0.0.1", "dns:intruder.example"))).isEmpty();
    }

    @Test
    void anIntruderCertificateNamesNobody() {
        assertThat(MEMBERS.membersNamedBy(cert("intruder", "dns:intruder.example"))).isEmpty();
        assertThat(MEMBERS.membersNamedBy(cert("intruder"))).isEmpty();
    }

    @ParameterizedTest(name = "{0} does not name {1}")
    @CsvSource({
        "dns:*.example, node-2.example",       // no wildcards
        "dns:example, node-2.example",         // no suffix matching
        "dns:node-2.example.evil, node-2.example",
        "ip:127.0.0.1, 127.0.0.01",            // an ambiguous literal (octal to some parsers) is not an address
    })
    void namesMatchExactly(String san, String host) {
        MemberCertificates members = new MemberCertificates(List.of(new Member(0, host, 1)));
        assertThat(members.membersNamedBy(cert("x", san))).isEmpty();
    }

    @Test
    void nothingIsResolved() {
        // "localhost" is 127.0.0.1 to a resolver, but the check compares names, never looks them up.
        MemberCertificates members = new MemberCertificates(List.of(new Member(0, "localhost", 1)));
        assertThat(members.membersNamedBy(cert("x", "ip:127.0.0.1"))).isEmpty();
        assertThat(members.membersNamedBy(cert("x", "dns:localhost"))).containsExactly(0);
    }

    @Test
    void canonicalFormsOfHostsAndAddresses() {
        assertThat(MemberCertificates.canonical("[::1]")).isEqualTo(MemberCertificates.canonical("0:0:0:0:0:0:0:1"));
        assertThat(MemberCertificates.canonical("Node.Example.")).isEqualTo("node.example");
        assertThat(MemberCertificates.canonical("127.0.0.1")).isEqualTo("127.0.0.1");
    }

    @Test
    void theMembersOnlyTrustManagerRefusesACaIssuedCertificateThatNamesNoMember() throws Exception {
        TestPki ca = TestPki.create("test-ca");
        X509ExtendedTrustManager trust = MEMBERS.membersOnly(pkix(ca));

        X509Certificate[] member = ca.issue("node", List.of("ip:127.0.0.1")).chain().toArray(new X509Certificate[0]);
        X509Certificate[] intruder = ca.issue("intruder", List.of("dns:intruder.example")).chain()
                .toArray(new X509Certificate[0]);
        X509Certificate[] otherCa = TestPki.create("other-ca").issue("node", List.of("ip:127.0.0.1")).chain()
                .toArray(new X509Certificate[0]);

        assertThatCode(() -> trust.checkClientTrusted(member, "UNKNOWN")).doesNotThrowAnyException();
        assertThatThrownBy(() -> trust.checkClientTrusted(intruder, "UNKNOWN"))
                .isInstanceOf(CertificateException.class).hasMessageContaining("intruder.example");
        assertThatThrownBy(() -> trust.checkClientTrusted(otherCa, "UNKNOWN"))
                .isInstanceOf(CertificateException.class);
    }

    private static X509ExtendedTrustManager pkix(TestPki ca) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return x;
            }
        }
        throw new AssertionError("no X509ExtendedTrustManager");
    }
}

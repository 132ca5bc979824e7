package io.rrmq.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdminSignatureTest {
    private static final byte[] KEY = KeyText.parse("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    private static final byte[] BODY = "{\"url\":\"http://127.0.0.1:8570\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aSignatureVerifiesForItsMethodPathAndBodyOnly() {
        AdminSignature signer = new AdminSignature(KEY);
        String header = signer.sign("POST", "/cluster/members", BODY);
        assertThat(signer.problem(header, "POST", "/cluster/members", BODY)).isNull();
        assertThat(signer.problem(header, "DELETE", "/cluster/members", BODY)).contains("bad signature");
        assertThat(signer.problem(header, "POST", "/cluster/leader", BODY)).contains("bad signature");
        assertThat(signer.problem(header, "POST", "/cluster/members", new byte[0])).contains("bad signature");
    }

    @Test
    void anotherKeyOrAMangledHeaderIsRefused() {
        byte[] other = KEY.clone();
        other[0] ^= 1;
        String header = new AdminSignature(other).sign("GET", "/cluster/members", new byte[0]);
        AdminSignature verifier = new AdminSignature(KEY);
        assertThat(verifier.problem(header, "GET", "/cluster/members", new byte[0])).contains("bad signature");
        assertThat(verifier.problem(null, "GET", "/cluster/members", new byte[0])).contains("no ");
        assertThat(verifier.problem("1 x y", "GET", "/cluster/members", new byte[0])).contains("malformed");
        assertThat(verifier.problem(header.substring(2), "GET", "/cluster/members", new byte[0])).contains("malformed");
    }

    @Test
    void anOldSignatureIsRefused() {
        AtomicLong now = new AtomicLong(1_000_000);
        AdminSignature signer = new AdminSignature(KEY, now::get);
        String header = signer.sign("GET", "/cluster/members", new byte[0]);
        now.addAndGet(AdminSignature.MAX_SKEW.toMillis() + 1);
        assertThat(signer.problem(header, "GET", "/cluster/members", new byte[0])).contains("too far");
    }

    @Test
    void keyTextIsSixtyFourHexDigits() {
        assertThat(KeyText.format(KEY).strip()).hasSize(64);
        assertThat(KeyText.parse(KeyText.format(KEY))).isEqualTo(KEY);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KeyText.parse("abc"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

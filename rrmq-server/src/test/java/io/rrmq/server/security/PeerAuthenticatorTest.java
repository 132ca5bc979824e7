package io.rrmq.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerAuthenticatorTest {
    private static final byte[] BODY = "a batch".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private PeerAuthenticator node0;
    private PeerAuthenticator node1;
    private ClusterKey key;

    @BeforeEach
    void keys() throws Exception {
        key = ClusterKey.loadOrCreate(ClusterKey.locate(Optional.empty(), Map.of(), dir));
        node0 = new PeerAuthenticator(key, "test-cluster", clock::get);
        node1 = new PeerAuthenticator(key, "test-cluster", clock::get);
    }

    @Test
    void acceptsWhatAMemberSignedForItAndNamesTheSender() {
        PeerAuthenticator.Verdict v = node1.verify(node0.sign(0, 1, BODY), 1, BODY);
        assertThat(v.ok()).isTrue();
        assertThat(v.sender()).isEqualTo(0);
    }

    @Test
    void refusesAnotherBodyReceiverSenderOrKey() throws Exception {
        String signature = node0.sign(0, 1, BODY);
        assertThat(node1.verify(signature, 1, "another".getBytes(StandardCharsets.UTF_8)).ok()).isFalse();
        assertThat(node1.verify(signature, 2, BODY).ok()).isFalse();
        assertThat(node1.verify(signature.replaceFirst("^2 0 ", "2 2 "), 1, BODY).ok()).isFalse();
        ClusterKey other = ClusterKey.loadOrCreate(ClusterKey.locate(Optional.empty(), Map.of(), dir.resolve("other")));
        assertThat(new PeerAuthenticator(other, "test-cluster", clock::get).verify(signature, 1, BODY).problem())
                .contains("bad signature");
    }

    @Test
    void refusesSignaturesOutsideTheClockSkew() {
        String signature = node0.sign(0, 1, BODY);
        clock.addAndGet(PeerAuthenticator.MAX_SKEW.toMillis());
        assertThat(node1.verify(signature, 1, BODY).ok()).as("at the limit").isTrue();
        clock.incrementAndGet();
        assertThat(node1.verify(signature, 1, BODY).problem()).contains("away from this node's clock");
        clock.addAndGet(-2 * PeerAuthenticator.MAX_SKEW.toMillis() - 2);
        assertThat(node1.verify(signature, 1, BODY).ok()).as("from the future").isFalse();
    }

    /** Found by fuzzing: now - millis overflowed to Long.MIN_VALUE, whose Math.abs is negative. */
    @Test
    void refusesASignatureWhoseDistanceFromTheClockOverflowsALong() {
        long now = clock.get();
        clock.set(now + Long.MIN_VALUE); // wraps round: 2^63 ms before now
        String signature = node0.sign(0, 1, BODY);
        clock.set(now);

        assertThat(node1.verify(signature, 1, BODY).problem()).contains("away from this node's clock");
    }

    @Test
    void refusesMissingAndMalformedHeaders() {
        for (String header : new String[] {null, "", "1 0 1", "2 0 1 5 " + "0".repeat(64), "1 a 1 5 " + "0".repeat(64),
                "1 0 1 5 zz", "1 0 1 5 " + "g".repeat(64), "1 0 1 99999999999999999999 " + "0".repeat(64)}) {
            assertThat(node1.verify(header, 1, BODY).ok()).as(String.valueOf(header)).isFalse();
        }
    }

    @Test
    void aPeerOfAnotherClusterWithTheSameKeyIsRefused() {
        String signature = node0.sign(0, 1, BODY);
        PeerAuthenticator otherCluster = new PeerAuthenticator(key, "another-cluster", clock::get);
        assertThat(otherCluster.verify(signature, 1, BODY).problem()).contains("bad signature");
    }
}

package io.rrmq.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.fuzz.Mutations;
import io.rrmq.raft.fuzz.Mutations.Edit;
import io.rrmq.server.testing.TestKeys;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link PeerAuthenticator#verify} on any header: a refusal {@link PeerAuthenticator.Verdict}, never
 * an exception (the listener answers 401 or 403 from it), and acceptance only for what a member
 * signed: the same sender, receiver and body, at a time within {@link PeerAuthenticator#MAX_SKEW} of
 * the receiver's clock.
 */
class PeerAuthenticatorFuzzTest {
    private static final ClusterKey KEY = TestKeys.fresh();
    private static final long NOW = 1_700_000_000_000L;
    private static final PeerAuthenticator RECEIVER = new PeerAuthenticator(KEY, "test-cluster", () -> NOW);
    private static final byte[] BODY = "a batch".getBytes(StandardCharsets.UTF_8);
    private static final String SIGNED = new PeerAuthenticator(KEY, "test-cluster", () -> NOW).sign(0, 1, BODY);

    @Property(tries = 1000)
    void anyHeaderIsRefusedUnlessItIsTheSignatureOfThisBody(@ForAll("headers") String header,
                                                           @ForAll("bodies") byte[] body) {
        PeerAuthenticator.Verdict verdict = RECEIVER.verify(header, 1, body);

        if (verdict.ok()) {
            // A header may spell the numbers another way ("+0", "00") and still be the signature.
            assertThat(body).isEqualTo(BODY);
            assertThat(verdict.sender()).isZero();
        } else {
            assertThat(verdict.problem()).isNotBlank();
            assertThat(verdict.sender()).isEqualTo(-1);
        }
    }

    @Property(tries = 300)
    void aSignatureIsAcceptedExactlyWithinTheClockSkew(@ForAll("signingTimes") long signedAt) {
        String header = new PeerAuthenticator(KEY, "test-cluster", () -> signedAt).sign(0, 1, BODY);

        BigInteger skew = BigInteger.valueOf(NOW).subtract(BigInteger.valueOf(signedAt)).abs();
        assertThat(RECEIVER.verify(header, 1, BODY).ok())
                .as("signed at %d, %s ms from the receiver's clock", signedAt, skew)
                .isEqualTo(skew.compareTo(BigInteger.valueOf(PeerAuthenticator.MAX_SKEW.toMillis())) <= 0);
    }

    @Provide
    @SuppressWarnings("unchecked")
    Arbitrary<String> headers() {
        byte[] signed = SIGNED.getBytes(StandardCharsets.ISO_8859_1);
        Arbitrary<String> damaged = Mutations.edits().list().ofMinSize(1).ofMaxSize(3)
                .map((List<Edit> edits) -> new String(Mutations.apply(signed, edits, signed), StandardCharsets.ISO_8859_1));
        Arbitrary<String> respelled = Arbitraries.of(SIGNED.replaceFirst("^1 0 1 ", "1 +0 01 "),
                SIGNED.replaceFirst("^1 0 1 ", "1 \u0660 \u0661 "), " " + SIGNED + "\t", SIGNED.toUpperCase(),
                SIGNED.replace(" ", "  "), SIGNED + " ", SIGNED.replaceFirst("^1 ", "01 "));
        return Arbitraries.frequencyOf(
                Tuple.of(6, damaged),
                Tuple.of(2, respelled),
                Tuple.of(1, Arbitraries.just(SIGNED)),
                Tuple.of(2, Arbitraries.strings().all().ofMaxLength(100)),
                Tuple.of(1, Arbitraries.strings().withChars("1 0-+9abcdefABCDEF\u0660").ofMaxLength(90)));
    }

    @Provide
    @SuppressWarnings("unchecked")
    Arbitrary<byte[]> bodies() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(BODY)),
                Tuple.of(1, Mutations.mutated(Arbitraries.just(BODY), 2)));
    }

    @Provide
    Arbitrary<Long> signingTimes() {
        long limit = PeerAuthenticator.MAX_SKEW.toMillis();
        return Arbitraries.oneOf(
                Arbitraries.longs().between(NOW - 2 * limit, NOW + 2 * limit),
                Arbitraries.of(NOW - limit, NOW - limit - 1, NOW + limit, NOW + limit + 1, 0L, -1L,
                        Long.MIN_VALUE, Long.MAX_VALUE,
                        NOW + Long.MIN_VALUE, NOW + Long.MIN_VALUE + 1, NOW + Long.MAX_VALUE),
                Arbitraries.longs());
    }
}

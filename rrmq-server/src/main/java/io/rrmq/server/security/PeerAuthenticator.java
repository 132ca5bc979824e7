package io.rrmq.server.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks peer requests ({@code POST /raft}) with the {@link ClusterKey}.
 *
 * <p>Header {@value #HEADER}: {@code 1 FROM TO MILLIS MAC}, where {@code MAC} is the hex of
 * HMAC-SHA256 under the cluster key over {@code "rrmq-raft-v2 CLUSTER_ID FROM TO MILLIS\n"} followed by
 * the body. So a signature binds the cluster, the sender, the receiver, the time and every byte of the
 * batch: a forger without the key can neither make one nor move one to another body, sender, receiver
 * or cluster (two clusters given the same key file still refuse each other's peers). The prefix keeps
 * these MACs apart from any other use of the key (admin requests sign another prefix).
 *
 * <p><b>Replay.</b> A captured authentic batch can be sent again within {@link #MAX_SKEW}. That cannot
 * hurt safety: Raft already tolerates duplicated, delayed and reordered messages (each carries its
 * term, and a stale one is answered or ignored as the protocol says), and the network may duplicate
 * them anyway. The time bound keeps old captures from being replayed later, when they could only
 * cost work; it assumes members' clocks agree within a minute.
 *
 * <p>Thread-safe: each thread gets its own {@link Mac}.
 */
public final class PeerAuthenticator {
    /** The request header that carries the signature. */
    public static final String HEADER = "X-RRMQ-Peer-Auth";
    /** How far a signature's time may be from the receiver's clock. */
    public static final Duration MAX_SKEW = Duration.ofSeconds(60);

    private static final String VERSION = "2";
    private static final String ALGORITHM = "HmacSHA256";
    private static final int MAC_HEX_LENGTH = 64;

    private final SecretKeySpec key;
    private final String clusterId;
    private final LongSupplier clockMillis;
    private final ThreadLocal<Mac> macs;

    /** The outcome of {@link #verify}: the authenticated sender, or why the request is refused. */
    public record Verdict(int sender, String problem) {
        public boolean ok() {
            return problem == null;
        }

        static Verdict refused(String problem) {
            return new Verdict(-1, problem);
        }
    }

    /** @param clusterId the cluster's stable id: peers of another cluster are refused */
    public PeerAuthenticator(ClusterKey clusterKey, String clusterId) {
        this(clusterKey, clusterId, System::currentTimeMillis);
    }

    PeerAuthenticator(ClusterKey clusterKey, String clusterId, LongSupplier clockMillis) {
        this.key = new SecretKeySpec(clusterKey.bytes(), ALGORITHM);
        this.clusterId = clusterId;
        this.clockMillis = clockMillis;
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            // Every Java SE runtime has HmacSHA256.
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** The header value that authenticates {@code body} sent by {@code from} to {@code to}, now. */
    public String sign(int from, int to, byte[] body) {
        long millis = clockMillis.getAsLong();
        return VERSION + " " + from + " " + to + " " + millis + " "
                + HexFormat.of().formatHex(mac(from, to, millis, body));
    }

    /**
     * Checks a request's {@value #HEADER} value against its body, for receiver {@code self}.
     *
     * @param header the header's value, or null when absent
     */
    public Verdict verify(String header, int self, byte[] body) {
        if (header == null) {
            return Verdict.refused("no " + HEADER + " header");
        }
        String[] fields = header.strip().split(" ");
        if (fields.length != 5 || !fields[0].equals(VERSION)) {
            return Verdict.refused("malformed " + HEADER + " header");
        }
        int from;
        int to;
        long millis;
        try {
            from = Integer.parseInt(fields[1]);
            to = Integer.parseInt(fields[2]);
            millis = Long.parseLong(fields[3]);
        } catch (NumberFormatException e) {
            return Verdict.refused("malformed " + HEADER + " header");
        }
        if (fields[4].length() != MAC_HEX_LENGTH) {
            return Verdict.refused("malformed " + HEADER + " header");
        }
        byte[] presented;
        try {
            presented = HexFormat.of().parseHex(fields[4]);
        } catch (IllegalArgumentException e) {
            return Verdict.refused("malformed " + HEADER + " header");
        }
        // Compare the MAC first, so that what follows only ever describes authentic requests.
        if (!MessageDigest.isEqual(presented, mac(from, to, millis, body))) {
            return Verdict.refused("bad signature (not signed with this cluster's key for cluster " + clusterId + ")");
        }
        if (to != self) {
            return Verdict.refused("signed for node " + to + ", not for this node " + self);
        }
        long skew;
        try {
            skew = Math.absExact(Math.subtractExact(clockMillis.getAsLong(), millis));
        } catch (ArithmeticException e) {
            // Math.abs of a wrapped difference can be negative, and so pass for no skew at all.
            skew = Long.MAX_VALUE;
        }
        if (skew > MAX_SKEW.toMillis()) {
            return Verdict.refused("signed " + skew + " ms away from this node's clock (limit "
                    + MAX_SKEW.toMillis() + " ms)");
        }
        return new Verdict(from, null);
    }

    private byte[] mac(int from, int to, long millis, byte[] body) {
        Mac mac = macs.get();
        mac.update(("rrmq-raft-v2 " + clusterId + " " + from + " " + to + " " + millis + "\n")
                .getBytes(StandardCharsets.UTF_8));
        return mac.doFinal(body);
    }
}

package io.rrmq.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks admin requests ({@code /cluster/...}) with the cluster key: whoever can read the
 * key file may administer the cluster, as {@code rabbitmqctl} with the Erlang cookie.
 *
 * <p>Header {@value #HEADER}: {@code 1 MILLIS MAC}, the hex of HMAC-SHA256 under the cluster key over
 * {@code "rrmq-admin-v1 METHOD PATH MILLIS\n"} followed by the body. The prefix differs from the peer
 * signature's ({@code rrmq-raft-v1}), so neither can stand in for the other. A captured request can
 * be replayed within {@link #MAX_SKEW}; the admin operations are idempotent in
 * effect (adding a member twice, removing one twice) except leadership transfer, which only moves
 * leadership once more.
 */
public final class AdminSignature {
    /** The request header that carries the signature. */
    public static final String HEADER = "X-RRMQ-Admin-Auth";

    /** How far a signature's time may be from the receiver's clock (as for peer requests). */
    public static final Duration MAX_SKEW = Duration.ofSeconds(60);

    private static final String VERSION = "1";
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final LongSupplier clockMillis;

    /** @param key the cluster key's bytes ({@link KeyText#parse}) */
    public AdminSignature(byte[] key) {
        this(key, System::currentTimeMillis);
    }

    AdminSignature(byte[] key, LongSupplier clockMillis) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.clockMillis = clockMillis;
    }

    /** The header value for {@code method path} with {@code body}, now. */
    public String sign(String method, String path, byte[] body) {
        long millis = clockMillis.getAsLong();
        return VERSION + " " + millis + " " + HexFormat.of().formatHex(mac(method, path, millis, body));
    }

    /**
     * Checks a request's signature.
     *
     * @param header the header's value, or null when absent
     * @return null if authentic and fresh, else why not
     */
    public String problem(String header, String method, String path, byte[] body) {
        if (header == null) {
            return "no " + HEADER + " header";
        }
        String[] fields = header.strip().split(" ");
        if (fields.length != 3 || !fields[0].equals(VERSION) || fields[2].length() != 64) {
            return "malformed " + HEADER + " header";
        }
        long millis;
        byte[] presented;
        try {
            millis = Long.parseLong(fields[1]);
            presented = HexFormat.of().parseHex(fields[2]);
        } catch (IllegalArgumentException e) {
            return "malformed " + HEADER + " header";
        }
        if (!MessageDigest.isEqual(presented, mac(method, path, millis, body))) {
            return "bad signature (not signed with this cluster's key)";
        }
        long now = clockMillis.getAsLong();
        if (millis < now - MAX_SKEW.toMillis() || millis > now + MAX_SKEW.toMillis()) {
            return "signed too far from this node's clock (limit " + MAX_SKEW.toSeconds() + " s)";
        }
        return null;
    }

    private byte[] mac(String method, String path, long millis, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(("rrmq-admin-v1 " + method + " " + path + " " + millis + "\n").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}

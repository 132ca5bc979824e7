package io.rrmq.server.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away certificate authority for tests: EC P-256 keys, X.509 v3 certificates written with a
 * minimal DER encoder and signed with {@code SHA256withECDSA}, PKCS12 stores written to a directory.
 * Everything is made at test time (nothing is committed) in milliseconds, without starting a
 * {@code keytool} JVM per step.
 *
 * <pre>{@code
 * TestPki ca = TestPki.create("test-ca");
 * TestPki.Identity node = ca.issue("127.0.0.1", List.of("ip:127.0.0.1", "dns:localhost"));
 * node.writeKeystore(dir.resolve("node.p12"), TestPki.PASSWORD);
 * ca.writeTruststore(dir.resolve("trust.p12"), TestPki.PASSWORD);
 * }</pre>
 */
public final class TestPki {
    /** The password of every store the tests write. */
    public static final String PASSWORD = "test-password";

    private static final byte[] ECDSA_SHA256 = oid(1, 2, 840, 10045, 4, 3, 2);
    private static final byte[] COMMON_NAME = oid(2, 5, 4, 3);
    private static final byte[] SUBJECT_ALT_NAME = oid(2, 5, 29, 17);
    private static final byte[] BASIC_CONSTRAINTS = oid(2, 5, 29, 19);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final Identity authority;

    /** A certificate with its private key (and the CA's certificate above it, unless self-signed). */
    public record Identity(KeyPair keys, X509Certificate certificate, List<X509Certificate> chain) {
        /** A PKCS12 keystore holding this identity as alias {@code node}. */
        public void writeKeystore(Path file, String password) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("node", keys.getPrivate(), password.toCharArray(),
                        chain.toArray(new Certificate[0]));
                write(store, file, password);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** An SSLContext presenting this identity and trusting {@code ca}. */
        public SSLContext sslContext(TestPki ca) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("node", keys.getPrivate(), PASSWORD.toCharArray(), chain.toArray(new Certificate[0]));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(store, PASSWORD.toCharArray());
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), ca.trustManagerFactory().getTrustManagers(), null);
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private TestPki(String name, Identity authority) {
        this.name = name;
        this.authority = authority;
    }

    /** A new self-signed CA named {@code CN=name}. */
    public static TestPki create(String name) {
        KeyPair keys = newKeys();
        X509Certificate cert = sign(keys, name, List.of(), true, keys, name);
        return new TestPki(name, new Identity(keys, cert, List.of(cert)));
    }

    /** A self-signed certificate (no CA), {@code CN=cn} with {@code sans} ({@code ip:...} / {@code dns:...}). */
    public static Identity selfSigned(String cn, List<String> sans) {
        KeyPair keys = newKeys();
        X509Certificate cert = sign(keys, cn, sans, false, keys, cn);
        return new Identity(keys, cert, List.of(cert));
    }

    /** A certificate issued by this CA to {@code CN=cn} with subjectAltNames {@code sans} ({@code ip:...} / {@code dns:...}). */
    public Identity issue(String cn, List<String> sans) {
        KeyPair keys = newKeys();
        X509Certificate cert = sign(keys, cn, sans, false, authority.keys(), name);
        return new Identity(keys, cert, List.of(cert, authority.certificate()));
    }

    public X509Certificate certificate() {
        return authority.certificate();
    }

    /** A PKCS12 truststore holding this CA's certificate. */
    public void writeTruststore(Path file, String password) {
        try {
            write(trustStore(), file, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This CA's certificate in PEM. */
    public void writePem(Path file) {
        try {
            Files.writeString(file, pem(authority.certificate()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SSLContext that trusts this CA and presents no certificate. */
    public SSLContext clientContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagerFactory().getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private TrustManagerFactory trustManagerFactory() throws GeneralSecurityException, IOException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore());
        return tmf;
    }

    private KeyStore trustStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", authority.certificate());
        return store;
    }

    private static void write(KeyStore store, Path file, String password) throws GeneralSecurityException, IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, password.toCharArray());
        }
    }

    public static String pem(X509Certificate certificate) throws GeneralSecurityException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    private static KeyPair newKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- X.509 (RFC 5280) in DER --------------------------------------------------------------

    private static X509Certificate sign(KeyPair subjectKeys, String subjectCn, List<String> sans, boolean ca,
                                        KeyPair issuerKeys, String issuerCn) {
        try {
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            List<byte[]> extensions = new ArrayList<>();
            if (ca) {
                extensions.add(seq(BASIC_CONSTRAINTS, tlv(0x01, new byte[] {(byte) 0xff}),
                        tlv(0x04, seq(tlv(0x01, new byte[] {(byte) 0xff})))));
            }
            if (!sans.isEmpty()) {
                List<byte[]> names = new ArrayList<>();
                for (String san : sans) {
                    if (san.startsWith("ip:")) {
                        names.add(tlv(0x87, InetAddress.getByName(san.substring(3)).getAddress()));
                    } else if (san.startsWith("dns:")) {
                        names.add(tlv(0x82, san.substring(4).getBytes(StandardCharsets.US_ASCII)));
                    } else {
                        throw new IllegalArgumentException("ip:ADDRESS or dns:NAME, not " + san);
                    }
                }
                extensions.add(seq(SUBJECT_ALT_NAME, tlv(0x04, seq(names.toArray(new byte[0][])))));
            }
            byte[] algorithm = seq(ECDSA_SHA256);
            List<byte[]> tbs = new ArrayList<>(List.of(
                    tlv(0xa0, tlv(0x02, new byte[] {2})),                           // v3
                    tlv(0x02, new BigInteger(64, RANDOM).add(BigInteger.ONE).toByteArray()),
                    algorithm,
                    name(issuerCn),
                    seq(time(now.minusHours(1)), time(now.plusDays(2))),
                    name(subjectCn),
                    subjectKeys.getPublic().getEncoded()));                          // SubjectPublicKeyInfo
            if (!extensions.isEmpty()) {
                tbs.add(tlv(0xa3, seq(extensions.toArray(new byte[0][]))));
            }
            byte[] tbsCertificate = seq(tbs.toArray(new byte[0][]));
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(issuerKeys.getPrivate());
            signer.update(tbsCertificate);
            byte[] signature = signer.sign();
            byte[] bits = new byte[signature.length + 1];                          // no unused bits
            System.arraycopy(signature, 0, bits, 1, signature.length);
            byte[] der = seq(tbsCertificate, algorithm, tlv(0x03, bits));
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] name(String cn) {
        return seq(tlv(0x31, seq(COMMON_NAME, tlv(0x0c, cn.getBytes(StandardCharsets.UTF_8)))));
    }

    private static byte[] time(ZonedDateTime t) {
        return tlv(0x17, t.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")).getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] oid(int... arcs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(40 * arcs[0] + arcs[1]);
        for (int i = 2; i < arcs.length; i++) {
            int arc = arcs[i];
            int groups = 1;
            while (arc >>> (7 * groups) != 0) {
                groups++;
            }
            for (int g = groups - 1; g >= 0; g--) {
                out.write(((arc >>> (7 * g)) & 0x7f) | (g > 0 ? 0x80 : 0));
            }
        }
        return tlv(0x06, out.toByteArray());
    }

    private static byte[] seq(byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            body.writeBytes(p);
        }
        return tlv(0x30, body.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(value);
        return out.toByteArray();
    }
}

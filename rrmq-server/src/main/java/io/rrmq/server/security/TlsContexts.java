package io.rrmq.server.security;

import io.rrmq.server.config.ConfigException;
import io.rrmq.server.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A node's TLS key material, read once at start-up from the files of {@link TlsConfig}, and the
 * {@link SSLContext}s built from it.
 *
 * <ul>
 *   <li>{@link #standard()}: this node's key and certificate, and trust in the truststore's CAs
 *       (PKIX). Serves the client port, and is the client side of outgoing peer connections.</li>
 *   <li>{@link #membersOnly}: the same, but a client certificate must also name a member
 *       ({@link MemberCertificates}); serves the separate peer port.</li>
 * </ul>
 * Every problem with the files (missing, unreadable, wrong password, no private key, empty
 * truststore) is a {@link ConfigException} naming the file, so a node refuses to start with one line
 * rather than failing its first handshake.
 */
public final class TlsContexts {
    private final KeyManager[] keyManagers;
    private final X509ExtendedTrustManager pkix;
    private final X509Certificate ownCertificate;
    private final SSLContext standard;

    private TlsContexts(KeyManager[] keyManagers, X509ExtendedTrustManager pkix, X509Certificate ownCertificate)
            throws GeneralSecurityException {
        this.keyManagers = keyManagers;
        this.pkix = pkix;
        this.ownCertificate = ownCertificate;
        this.standard = context(pkix);
    }

    /** Reads the password, the keystore and the truststore. */
    public static TlsContexts load(TlsConfig config) throws ConfigException {
        char[] password = readPassword(config.passwordFile());
        KeyStore keystore = readStore(config.keystore(), password, "keystore");
        KeyStore truststore = readStore(config.truststore(), password, "truststore");
        try {
            X509Certificate own = ownCertificate(keystore)
                    .orElseThrow(() -> new ConfigException("keystore " + config.keystore()
                            + " holds no private key with an X.509 certificate"));
            if (Collections.list(truststore.aliases()).stream().noneMatch(a -> isCertificate(truststore, a))) {
                throw new ConfigException("truststore " + config.truststore() + " holds no certificate");
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keystore, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(truststore);
            X509ExtendedTrustManager pkix = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    pkix = x;
                }
            }
            if (pkix == null) {
                throw new ConfigException("the JDK offers no X.509 trust manager");
            }
            return new TlsContexts(kmf.getKeyManagers(), pkix, own);
        } catch (UnrecoverableKeyException e) {
            throw new ConfigException("keystore " + config.keystore() + ": the private key does not open with the"
                    + " password in " + config.passwordFile());
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot use the TLS key material: " + e);
        } finally {
            java.util.Arrays.fill(password, '\0');
        }
    }

    /** Our key, trust in the truststore's CAs. */
    public SSLContext standard() {
        return standard;
    }

    /** Our key, trust in the truststore's CAs for certificates that name a member. */
    public SSLContext membersOnly(MemberCertificates members) {
        try {
            return context(members.membersOnly(pkix));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("an SSLContext built once builds again", e);
        }
    }

    /** This node's own certificate (to check at start-up that it names this node). */
    public X509Certificate ownCertificate() {
        return ownCertificate;
    }

    private SSLContext context(X509ExtendedTrustManager trust) throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers, new TrustManager[] {trust}, null);
        return context;
    }

    private static char[] readPassword(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("tls.password_file not found: " + file);
        } catch (IOException e) {
            throw new ConfigException("cannot read tls.password_file " + file + ": " + e.getMessage());
        }
        int end = text.indexOf('\n');
        String line = (end < 0 ? text : text.substring(0, end)).stripTrailing();
        if (line.isEmpty()) {
            throw new ConfigException("tls.password_file " + file + " is empty (the password goes on its first line)");
        }
        return line.toCharArray();
    }

    private static KeyStore readStore(Path file, char[] password, String what) throws ConfigException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            return store;
        } catch (NoSuchFileException e) {
            throw new ConfigException("tls." + what + " not found: " + file);
        } catch (IOException e) {
            // PKCS12 reports a wrong password as an IOException caused by UnrecoverableKeyException.
            String why = e.getCause() instanceof UnrecoverableKeyException
                    ? "wrong password, or not a PKCS12 file" : e.getMessage();
            throw new ConfigException("cannot open " + what + " " + file + " as PKCS12: " + why);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("cannot open " + what + " " + file + " as PKCS12: " + e.getMessage());
        }
    }

    private static Optional<X509Certificate> ownCertificate(KeyStore keystore) throws KeyStoreException {
        for (String alias : Collections.list(keystore.aliases())) {
            if (keystore.isKeyEntry(alias) && keystore.getCertificate(alias) instanceof X509Certificate c) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    private static boolean isCertificate(KeyStore store, String alias) {
        try {
            Certificate c = store.getCertificate(alias);
            return c != null;
        } catch (KeyStoreException e) {
            return false;
        }
    }
}

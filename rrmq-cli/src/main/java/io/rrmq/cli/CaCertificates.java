package io.rrmq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * {@code --cacert FILE}: the CA certificate(s) that issued the nodes' certificates, in PEM (one or
 * more {@code -----BEGIN CERTIFICATE-----} blocks, what {@code openssl} and {@code keytool -rfc}
 * write). The client then trusts these CAs, and only these, for {@code https://} nodes; it still
 * checks that a node's certificate names the host it dialled.
 */
final class CaCertificates {
    private CaCertificates() {
    }

    /** An SSLContext trusting the certificates in {@code pem}. */
    static SSLContext trusting(Path pem) throws UsageException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(pem)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (NoSuchFileException e) {
            throw new UsageException("--cacert: file not found: " + pem);
        } catch (IOException | GeneralSecurityException e) {
            throw new UsageException("--cacert: cannot read " + pem + " as PEM certificates: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new UsageException("--cacert: no certificate in " + pem);
        }
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot build a TLS context", e);
        }
    }
}

package io.rrmq.server.security;

import io.rrmq.server.config.ClusterConfig;
import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Which members a peer's certificate names: the allow-list behind mutual TLS (SPEC, "Security").
 *
 * <p>A certificate that chains to our truststore is not enough: the CA may well have issued
 * certificates to clients, monitoring agents or other clusters, and any of them could then speak
 * Raft to us (HashiCorp Consul's CVE-2021-37219: "any certificate of our CA" let a client
 * certificate join the servers). So a peer's leaf certificate must also <em>name the host of a
 * member</em> of the configuration: a subjectAltName of type IP address or DNS name equal to a
 * member's {@code ip}, or, only when it carries no such subjectAltName (RFC 6125 §6.4.4), its
 * subject's CN. Names are compared exactly (DNS names ignoring case and a trailing dot, IP
 * addresses as addresses, so {@code ::1} and {@code [0:0:0:0:0:0:0:1]} are one); wildcards are
 * not honoured. Nothing is ever resolved through DNS.
 *
 * <p>"Current member" means a member of this configuration; the membership is static in this
 * release. Several members may share a host (a cluster on one machine), so a certificate names a
 * set of members; the Raft handler then also requires the request's signed sender to be one of
 * them.
 *
 * <p>Immutable and thread-safe.
 */
public final class MemberCertificates {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");

    private final Supplier<Collection<ClusterConfig.Member>> members;

    public MemberCertificates(ClusterConfig cluster) {
        this(cluster.members());
    }

    MemberCertificates(Collection<ClusterConfig.Member> members) {
        List<ClusterConfig.Member> fixed = List.copyOf(members);
        this.members = () -> fixed;
    }

    /** Certificates of the members {@code directory} knows now, as the configuration changes. */
    public MemberCertificates(io.rrmq.server.membership.PeerDirectory directory) {
        this.members = directory::knownMembers;
    }

    /** The ids of the members whose host {@code certificate} names; empty if it names none. */
    public Set<Integer> membersNamedBy(X509Certificate certificate) {
        return membersNamed(namesOf(certificate));
    }

    /** The ids of the members whose host is one of {@code names} (as {@link #namesOf} gives them). */
    Set<Integer> membersNamed(Collection<String> names) {
        Set<Integer> ids = new TreeSet<>();
        for (ClusterConfig.Member m : members.get()) {
            String host = canonical(m.host());
            for (String name : names) {
                if (host.equals(canonical(name))) {
                    ids.add(m.id());
                    break;
                }
            }
        }
        return ids;
    }

    /**
     * The host names and addresses a certificate is issued to: its IP and DNS subjectAltNames, or,
     * when it has none of those, the CN(s) of its subject.
     */
    static List<String> namesOf(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return names; // an unreadable extension names nobody
        }
        if (alternatives != null) {
            for (List<?> alternative : alternatives) {
                Object type = alternative.get(0);
                if ((Integer.valueOf(SAN_DNS).equals(type) || Integer.valueOf(SAN_IP).equals(type))
                        && alternative.get(1) instanceof String name) {
                    names.add(name);
                }
            }
        }
        if (names.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
                        names.add(cn);
                    }
                }
            } catch (InvalidNameException e) {
                // a subject we cannot read names nobody
            }
        }
        return names;
    }

    /**
     * A host name or address in one spelling per host: IP literals as {@link InetAddress#getHostAddress}
     * (IPv6 without brackets, fully expanded), DNS names in lower case without a trailing dot.
     */
    static String canonical(String name) {
        String s = name.strip();
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        byte[] ipv4 = ipv4(s);
        if (ipv4 != null) {
            try {
                return InetAddress.getByAddress(ipv4).getHostAddress();
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are an IPv4 address", e);
            }
        }
        if (IPV6.matcher(s).matches()) {
            try {
                // With a ':' the JDK parses an IPv6 literal or fails; it never looks such a name up.
                return InetAddress.getByName(s).getHostAddress();
            } catch (UnknownHostException e) {
                return s; // not a valid literal after all: compare as written
            }
        }
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.toLowerCase(Locale.ROOT);
    }

    /** A dotted-quad IPv4 literal's bytes; null for anything else, including ambiguous leading zeros. */
    private static byte[] ipv4(String s) {
        if (!IPV4.matcher(s).matches()) {
            return null;
        }
        String[] parts = s.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            int octet = Integer.parseInt(parts[i]);
            if (octet > 255 || parts[i].length() > 1 && parts[i].charAt(0) == '0') {
                return null;
            }
            bytes[i] = (byte) octet;
        }
        return bytes;
    }

    /**
     * {@code pkix}, which validates chains against the truststore, plus the member check on client
     * certificates: a client whose certificate names no member fails the TLS handshake. For the
     * peer listener, where every client must be a member. Server certificates are checked by
     * {@code pkix} alone (our client verifies the host name it dialled, which is a member's).
     */
    public X509ExtendedTrustManager membersOnly(X509ExtendedTrustManager pkix) {
        return new MembersOnlyTrustManager(pkix);
    }

    private final class MembersOnlyTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;

        MembersOnlyTrustManager(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        private void requireMember(X509Certificate[] chain) throws CertificateException {
            if (membersNamedBy(chain[0]).isEmpty()) {
                throw new CertificateException("the client certificate names " + namesOf(chain[0])
                        + ", no member of the cluster");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            pkix.checkClientTrusted(chain, authType, socket);
            requireMember(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            pkix.checkClientTrusted(chain, authType, engine);
            requireMember(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkClientTrusted(chain, authType);
            requireMember(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            pkix.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            pkix.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return pkix.getAcceptedIssuers();
        }
    }
}

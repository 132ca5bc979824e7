package io.rrmq.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.rrmq.server.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster as the configuration file describes it: {@code {"addresses": [{"ip": ..., "port": ...},
 * ...]}}. A member's id is its position in the list, so every node must be given the same list in
 * the same order.
 *
 * <p>{@code ip} may carry a scheme or not ({@code "http://127.0.0.1"} and {@code "127.0.0.1"} mean
 * the same). The optional top-level {@code "tls"} object ({@link TlsConfig}) turns TLS on for every
 * node: then a bare {@code ip} means {@code https://}, {@code "https://..."} is expected, and
 * {@code "http://..."} is refused; without it {@code "https://..."} is refused. So the scheme written
 * can never disagree with what the nodes speak. An entry's optional {@code internal_port} gives the
 * node a separate listener for Raft traffic (SPEC, "Security"). Keys this release does not know are
 * ignored.
 *
 * @param members    the nodes, in id order; never empty; each {@link Member#https()} equals
 *                   {@code tls.isPresent()}
 * @param tls        the {@code "tls"} object, when TLS is on
 * @param tokensFile {@code "tokens_file"}: client tokens (SPEC, "Security"), empty when the client
 *                   API is open. Like every path in the file, relative to the config file's directory.
 */
public record ClusterConfig(List<Member> members, Optional<TlsConfig> tls, Optional<Path> tokensFile) {

    /**
     * One node of the cluster.
     *
     * @param id       its position in the address list
     * @param host     host name or address, without scheme or port; an IPv6 address keeps its brackets
     * @param port     its HTTP port for clients (and for peers, unless it has a peer port)
     * @param peerPort the port of its Raft listener: {@code "internal_port"} when the entry has one,
     *                 else {@code port}
     * @param https    whether it speaks TLS (the configuration has {@code "tls"})
     */
    public record Member(int id, String host, int port, int peerPort, boolean https) {
        /** A member speaking plain HTTP. */
        public Member(int id, String host, int port, int peerPort) {
            this(id, host, port, peerPort, false);
        }

        /** A member speaking plain HTTP, without a separate peer port. */
        public Member(int id, String host, int port) {
            this(id, host, port, port);
        }

        /** Whether Raft traffic has a listener of its own ({@code "internal_port"}). */
        public boolean separatePeerPort() {
            return peerPort != port;
        }

        /** {@code host:port}, the form used to derive the cluster id. */
        public String hostPort() {
            return host + ":" + port;
        }

        /** The base URL clients use, e.g. {@code http://127.0.0.1:8567} or {@code https://...}. */
        public String url() {
            return (https ? "https://" : "http://") + hostPort();
        }
    }

    public ClusterConfig {
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a cluster has at least one member");
        }
        for (Member m : members) {
            if (m.https() != tls.isPresent()) {
                throw new IllegalArgumentException("member " + m.id() + (m.https() ? " speaks" : " does not speak")
                        + " TLS, but TLS is " + (tls.isPresent() ? "on" : "off"));
            }
        }
    }

    /** A cluster speaking plain HTTP, its client API open. */
    public ClusterConfig(List<Member> members) {
        this(members, Optional.empty());
    }

    /** A cluster whose client API is open. */
    public ClusterConfig(List<Member> members, Optional<TlsConfig> tls) {
        this(members, tls, Optional.empty());
    }

    /** Reads and validates the configuration file at {@code path}. */
    public static ClusterConfig load(Path path) throws ConfigException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file not found: " + path);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + path + ": " + e.getMessage());
        }
        try {
            // Relative key-material paths are relative to the config file, whatever the working directory.
            return parse(bytes, path.toAbsolutePath().getParent());
        } catch (ConfigException e) {
            throw new ConfigException("bad config file " + path + ": " + e.getMessage());
        }
    }

    /** Parses and validates a configuration document; relative {@code "tls"} paths stay relative (to the working directory). */
    public static ClusterConfig parse(byte[] json) throws ConfigException {
        return parse(json, Path.of(""));
    }

    /** Parses and validates a configuration document whose relative {@code "tls"} paths are relative to {@code directory}. */
    public static ClusterConfig parse(byte[] json, Path directory) throws ConfigException {
        try (JsonParser parser = Json.FACTORY.createParser(json)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new ConfigException("the file is empty");
            }
            if (token != JsonToken.START_OBJECT) {
                throw new ConfigException("expected a JSON object with an \"addresses\" list, got "
                        + Json.describe(token));
            }
            List<Entry> entries = null;
            TlsConfig tls = null;
            Optional<Path> tokensFile = Optional.empty();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("addresses")) {
                    entries = parseMembers(parser);
                } else if (name.equals("tls")) {
                    tls = TlsConfig.parse(parser).resolveAgainst(directory);
                } else if (name.equals("tokens_file")) {
                    if (value != JsonToken.VALUE_STRING || parser.getText().isBlank()) {
                        throw new ConfigException("tokens_file must be a file name, got " + Json.describe(value));
                    }
                    try {
                        tokensFile = Optional.of(directory.resolve(parser.getText()));
                    } catch (java.nio.file.InvalidPathException e) {
                        throw new ConfigException("tokens_file is not a usable path: " + e.getMessage());
                    }
                } else {
                    parser.skipChildren(); // unknown keys are tolerated
                }
            }
            if (parser.nextToken() != null) {
                throw new ConfigException("unexpected data after the JSON object");
            }
            if (entries == null) {
                throw new ConfigException("\"addresses\" is missing");
            }
            return new ClusterConfig(withScheme(entries, tls != null), Optional.ofNullable(tls), tokensFile);
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid JSON: " + Json.describe(e));
        } catch (IOException e) {
            throw new ConfigException("not valid JSON: " + e.getMessage());
        }
    }

    /** A parsed {@code addresses} entry and the scheme its {@code ip} was written with (null: none). */
    private record Entry(Member member, String scheme) {
    }

    /** The members, speaking TLS or not as {@code tls} says; an entry whose scheme disagrees is refused. */
    private static List<Member> withScheme(List<Entry> entries, boolean tls) throws ConfigException {
        List<Member> members = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            Member m = e.member();
            if (e.scheme() != null && e.scheme().equals("https") != tls) {
                throw new ConfigException("addresses[" + m.id() + "].ip: " + e.scheme() + ":// but TLS is "
                        + (tls ? "on (\"tls\" is set): write https:// or no scheme"
                                : "off: https:// needs a \"tls\" object with the key material"));
            }
            members.add(new Member(m.id(), m.host(), m.port(), m.peerPort(), tls));
        }
        return members;
    }

    private static List<Entry> parseMembers(JsonParser parser) throws IOException, ConfigException {
        if (parser.currentToken() != JsonToken.START_ARRAY) {
            throw new ConfigException("\"addresses\" must be a list of {\"ip\": ..., \"port\": ...}, got "
                    + Json.describe(parser.currentToken()));
        }
        List<Entry> members = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            int i = members.size();
            Entry entry = parseMember(i, parser);
            Member m = entry.member();
            if (!seen.add(m.hostPort())) {
                throw new ConfigException("addresses[" + i + "]: " + m.hostPort() + " is listed twice");
            }
            if (m.separatePeerPort() && !seen.add(m.host() + ":" + m.peerPort())) {
                throw new ConfigException("addresses[" + i + "].internal_port: " + m.host() + ":" + m.peerPort()
                        + " is listed twice");
            }
            members.add(entry);
        }
        if (members.isEmpty()) {
            throw new ConfigException("\"addresses\" is empty");
        }
        return members;
    }

    private static Entry parseMember(int i, JsonParser parser) throws IOException, ConfigException {
        String where = "addresses[" + i + "]";
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new ConfigException(where + " must be an object {\"ip\": ..., \"port\": ...}, got "
                    + Json.describe(parser.currentToken()));
        }
        String host = null;
        String scheme = null;
        Integer port = null;
        Integer peerPort = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("ip")) {
                if (value != JsonToken.VALUE_STRING) {
                    throw new ConfigException(where + ".ip must be a string such as \"127.0.0.1\", got "
                            + Json.describe(value));
                }
                scheme = parseScheme(where, parser.getText());
                host = parseHost(where, parser.getText());
            } else if (name.equals("port")) {
                port = parsePort(where + ".port", parser, value);
            } else if (name.equals("internal_port")) {
                peerPort = parsePort(where + ".internal_port", parser, value);
            } else {
                parser.skipChildren(); // keys of later releases are tolerated
            }
        }
        if (host == null) {
            throw new ConfigException(where + ".ip is missing");
        }
        if (port == null) {
            throw new ConfigException(where + ".port is missing");
        }
        return new Entry(new Member(i, host, port, peerPort == null ? port : peerPort), scheme);
    }

    private static int parsePort(String where, JsonParser parser, JsonToken value) throws IOException, ConfigException {
        if (value != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                || parser.getIntValue() < 1 || parser.getIntValue() > 65535) {
            throw new ConfigException(where + " must be a whole number from 1 to 65535, got "
                    + (value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT
                    ? parser.getText() : Json.describe(value)));
        }
        return parser.getIntValue();
    }

    /** The scheme of {@code ip} ({@code "http"} or {@code "https"}), or null when it has none. */
    private static String parseScheme(String where, String raw) throws ConfigException {
        int end = raw.strip().indexOf("://");
        if (end < 0) {
            return null;
        }
        String name = raw.strip().substring(0, end).toLowerCase(Locale.ROOT);
        if (!name.equals("http") && !name.equals("https")) {
            throw new ConfigException(where + ".ip: scheme \"" + name
                    + "://\" is not supported (write \"http://host\", \"https://host\" or just \"host\")");
        }
        return name;
    }

    private static String parseHost(String where, String raw) throws ConfigException {
        String host = raw.strip();
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        if (host.endsWith("/")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new ConfigException(where + ".ip is empty");
        }
        if (host.startsWith("[")) {
            // IPv6 literal: [::1]
            if (!host.endsWith("]") || host.length() < 3 || host.indexOf(']') != host.length() - 1) {
                throw new ConfigException(where + ".ip: bad IPv6 literal \"" + raw + "\"");
            }
            return host.toLowerCase(Locale.ROOT);
        }
        for (int c = 0; c < host.length(); c++) {
            char ch = host.charAt(c);
            if (ch == ':') {
                throw new ConfigException(where + ".ip \"" + raw
                        + "\" must not contain a port; put it in the \"port\" field");
            }
            if (ch == '/' || ch == '?' || ch == '#' || ch == '@' || Character.isWhitespace(ch)) {
                throw new ConfigException(where + ".ip \"" + raw + "\" is not a host name or address");
            }
        }
        return host.toLowerCase(Locale.ROOT);
    }

    /** Number of members. */
    public int size() {
        return members.size();
    }

    /** The member with id {@code id}. */
    public Member member(int id) {
        return members.get(id);
    }

    /** Every member's id, in order: {@code 0 .. size()-1}. */
    public List<Integer> ids() {
        List<Integer> ids = new ArrayList<>(members.size());
        for (Member m : members) {
            ids.add(m.id());
        }
        return ids;
    }

    /**
     * A short name for this exact cluster: the first 12 hex digits of the SHA-256 of the members'
     * {@code host:port} joined by commas, in order. Two configurations with different addresses (or
     * order) get different ids, so their nodes never share a data directory by accident.
     */
    public String clusterId() {
        StringBuilder canonical = new StringBuilder();
        for (Member m : members) {
            if (canonical.length() > 0) {
                canonical.append(',');
            }
            canonical.append(m.hostPort());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}

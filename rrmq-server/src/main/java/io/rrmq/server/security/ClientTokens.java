package io.rrmq.server.security;

import io.rrmq.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The client tokens of a node ({@code "tokens_file"}): one {@code TOKEN ROLE} per line, ROLE
 * {@code client} or {@code admin}; blank lines and lines starting with {@code #} are ignored.
 *
 * <p>A presented token is compared with every known one in constant time, on SHA-256 digests, and
 * all of them are compared whatever matched first: how long a lookup takes says nothing about which
 * prefix of which token was right. Only the digests are kept in memory.
 */
public final class ClientTokens {
    /** What a token may do. */
    public enum Role {
        /** The client API: topics, messages, status, metrics. */
        CLIENT,
        /** Everything a client may do, and admin operations (membership, leadership transfer). */
        ADMIN
    }

    private record Entry(byte[] digest, Role role) {
    }

    /** Tokens shorter than this are refused when the file is read: they could be guessed. */
    static final int MIN_TOKEN_LENGTH = 16;

    private final List<Entry> entries;

    private ClientTokens(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Reads a tokens file.
     *
     * @throws ConfigException the file is missing, or a line is not {@code TOKEN ROLE} with a known
     *                         role and a token of at least {@value #MIN_TOKEN_LENGTH} printable characters
     */
    public static ClientTokens load(Path file) throws ConfigException, IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("tokens file " + file + " does not exist");
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigException("tokens file " + file + " is not UTF-8 text");
        }
        return parse(lines, file.toString());
    }

    static ClientTokens parse(List<String> lines, String source) throws ConfigException {
        List<Entry> entries = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + ", line " + (i + 1);
            String[] fields = line.split("\\s+");
            if (fields.length != 2) {
                throw new ConfigException(where + ": expected \"TOKEN ROLE\"");
            }
            String token = fields[0];
            Role role;
            try {
                role = Role.valueOf(fields[1].toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(where + ": role must be client or admin, got \"" + fields[1] + "\"");
            }
            if (token.length() < MIN_TOKEN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new ConfigException(where + ": a token has at least " + MIN_TOKEN_LENGTH
                        + " printable ASCII characters");
            }
            if (!seen.add(token)) {
                throw new ConfigException(where + ": the token is listed twice");
            }
            entries.add(new Entry(digest(token), role));
        }
        if (entries.isEmpty()) {
            throw new ConfigException(source + " lists no token (every request would be refused)");
        }
        return new ClientTokens(entries);
    }

    /** The role of {@code token}, or empty if it is not one of ours. */
    public Optional<Role> roleOf(String token) {
        byte[] presented = digest(token);
        Role found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), presented) && found == null) {
                found = e.role();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e); // every Java SE runtime has it
        }
    }
}

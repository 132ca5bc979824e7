package io.rrmq.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.rrmq.server.json.Json;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The configuration's optional {@code "tls"} object (SPEC, "Security"):
 * {@code {"keystore": FILE, "password_file": FILE, "truststore": FILE}}, both stores PKCS12.
 *
 * <p>A relative path is relative to the directory of the configuration file, so a config and its
 * key material can move together and every node finds them whatever its working directory.
 * {@code password_file} holds one password on its first line; it opens the keystore, the private key
 * in it and the truststore alike (one secret to protect, mode 0600, like {@code cluster.key}).
 *
 * @param keystore     this node's private key and certificate chain; the certificate must name the
 *                     node's {@code ip} (subjectAltName IP or DNS, or CN when it has no subjectAltName)
 * @param passwordFile the file whose first line is the password of both stores
 * @param truststore   the CA certificate(s) that issue the members' certificates
 */
public record TlsConfig(Path keystore, Path passwordFile, Path truststore) {

    /** The same files with relative paths resolved against {@code directory}. */
    public TlsConfig resolveAgainst(Path directory) {
        return new TlsConfig(directory.resolve(keystore), directory.resolve(passwordFile),
                directory.resolve(truststore));
    }

    /** Parses the value of {@code "tls"}; the parser is on its {@code START_OBJECT}. Unknown keys are tolerated. */
    static TlsConfig parse(JsonParser parser) throws IOException, ConfigException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw new ConfigException("\"tls\" must be an object {\"keystore\": FILE, \"password_file\": FILE,"
                    + " \"truststore\": FILE}, got " + Json.describe(parser.currentToken()));
        }
        Path keystore = null;
        Path passwordFile = null;
        Path truststore = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (name) {
                case "keystore" -> keystore = path(name, parser, value);
                case "password_file" -> passwordFile = path(name, parser, value);
                case "truststore" -> truststore = path(name, parser, value);
                default -> parser.skipChildren();
            }
        }
        requirePresent("keystore", keystore);
        requirePresent("password_file", passwordFile);
        requirePresent("truststore", truststore);
        return new TlsConfig(keystore, passwordFile, truststore);
    }

    private static void requirePresent(String name, Path value) throws ConfigException {
        if (value == null) {
            throw new ConfigException("tls." + name + " is missing");
        }
    }

    private static Path path(String name, JsonParser parser, JsonToken value) throws IOException, ConfigException {
        if (value != JsonToken.VALUE_STRING || parser.getText().isBlank()) {
            throw new ConfigException("tls." + name + " must be a file name, got " + Json.describe(value));
        }
        try {
            return Path.of(parser.getText());
        } catch (InvalidPathException e) {
            throw new ConfigException("tls." + name + ": not a file name: " + e.getMessage());
        }
    }
}

package io.rrmq.server.testing;

import io.rrmq.server.config.ConfigException;
import io.rrmq.server.security.ClusterKey;
import io.rrmq.server.security.PeerAuthenticator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Fresh cluster keys for tests, created the way a node creates its own. */
public final class TestKeys {
    private TestKeys() {
    }

    /** A new random key in a new temporary directory. */
    public static ClusterKey fresh() {
        try {
            Path dir = Files.createTempDirectory("rrmq-test-key");
            dir.toFile().deleteOnExit();
            ClusterKey key = ClusterKey.loadOrCreate(ClusterKey.locate(Optional.empty(), Map.of(), dir));
            key.file().toFile().deleteOnExit();
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An authenticator under a new random key. */
    public static PeerAuthenticator authenticator() {
        return new PeerAuthenticator(fresh(), "test-cluster");
    }
}

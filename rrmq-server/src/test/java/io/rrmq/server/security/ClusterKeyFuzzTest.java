package io.rrmq.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.fuzz.Mutations;
import io.rrmq.server.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * {@link ClusterKey#load} on a key file with any content: the key, or a {@link ConfigException}
 * saying the file does not hold one; never another exception, for a file that can be read.
 */
class ClusterKeyFuzzTest {
    private static Path file;

    @BeforeContainer
    static void createFile() throws IOException {
        file = Files.createTempFile("rrmq-key-fuzz", ".key");
    }

    @AfterContainer
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @Property(tries = 500)
    void aKeyFileHoldsAKeyOrIsRefusedWithAConfigException(@ForAll("keyFiles") byte[] content) throws IOException {
        Files.write(file, content);
        try {
            ClusterKey key = ClusterKey.load(file);
            String text = new String(content, StandardCharsets.US_ASCII).strip();
            assertThat(text).matches("[0-9a-fA-F]{64}");
            assertThat(key.bytes()).hasSize(ClusterKey.KEY_BYTES);
        } catch (ConfigException refused) {
            assertThat(refused.getMessage()).contains(file.toString());
        }
    }

    @Provide
    Arbitrary<byte[]> keyFiles() {
        Arbitrary<byte[]> valid = Arbitraries.bytes().array(byte[].class).ofSize(ClusterKey.KEY_BYTES)
                .map(key -> (java.util.HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII));
        return Mutations.hostile(valid);
    }
}

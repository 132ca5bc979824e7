package io.rrmq.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.server.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientTokensTest {
    @TempDir
    Path dir;

    @Test
    void readsTokensWithTheirRolesSkippingCommentsAndBlankLines() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), """
                # operators
                admin-token-0123456789 admin

                client-token-012345678   client
                """);
        ClientTokens tokens = ClientTokens.load(file);

        assertThat(tokens.roleOf("admin-token-0123456789")).hasValue(ClientTokens.Role.ADMIN);
        assertThat(tokens.roleOf("client-token-012345678")).hasValue(ClientTokens.Role.CLIENT);
        assertThat(tokens.roleOf("client-token-01234567")).as("a prefix").isEmpty();
        assertThat(tokens.roleOf("client-token-0123456789")).as("a longer one").isEmpty();
        assertThat(tokens.roleOf("")).isEmpty();
    }

    @Test
    void refusesFilesThatWouldWeakenOrConfuseTheCheck() {
        assertRefused(List.of("short admin"), "at least 16");
        assertRefused(List.of("a-long-enough-token-1 root"), "role must be client or admin");
        assertRefused(List.of("a-long-enough-token-1"), "expected \"TOKEN ROLE\"");
        assertRefused(List.of("a-long-enough-token-1 client", "a-long-enough-token-1 admin"), "listed twice");
        assertRefused(List.of("# nothing"), "lists no token");
        assertThatThrownBy(() -> ClientTokens.load(dir.resolve("missing"))).isInstanceOf(ConfigException.class)
                .hasMessageContaining("does not exist");
    }

    private static void assertRefused(List<String> lines, String why) {
        assertThatThrownBy(() -> ClientTokens.parse(lines, "tokens")).isInstanceOf(ConfigException.class)
                .hasMessageContaining(why);
    }
}

package io.rrmq.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rrmq.raft.fuzz.Allocations;
import io.rrmq.raft.fuzz.Mutations;
import io.rrmq.server.json.Json;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * {@link ClusterConfig#parse} on any bytes: a configuration that keeps the record's promises, or a
 * {@link ConfigException} (one line for the operator), never another exception that would reach
 * {@code Main} as a stack trace.
 *
 * <p>jqwik damages valid configurations ({@link Mutations}) on every build. Jazzer's
 * coverage-guided {@link #parse} replays its committed corpus
 * ({@code ClusterConfigFuzzTestInputs/parse} under test resources) on every build and fuzzes only
 * when asked: {@code JAZZER_FUZZ=1 mvn -pl rrmq-server -am test -Dtest=ClusterConfigFuzzTest#parse
 * -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration=60s}.
 */
class ClusterConfigFuzzTest {

    static void parsesOrIsRefused(byte[] json) {
        ClusterConfig config = Allocations.measureWithin(Allocations.budget(json.length, 64),
                        () -> ClusterConfig.parse(json))
                .valueOrDocumentedRejection(ConfigException.class);
        if (config == null) {
            return;
        }
        assertThat(config.size()).isPositive();
        assertThat(config.ids()).isEqualTo(java.util.stream.IntStream.range(0, config.size()).boxed().toList());
        Set<String> listeners = new HashSet<>();
        for (ClusterConfig.Member member : config.members()) {
            assertThat(member.host()).isNotEmpty().isEqualTo(member.host().toLowerCase(java.util.Locale.ROOT));
            assertThat(member.host().startsWith("[") || member.host().indexOf(':') < 0).as(member.host()).isTrue();
            assertThat(member.port()).isBetween(1, 65535);
            assertThat(member.peerPort()).isBetween(1, 65535);
            assertThat(listeners.add(member.hostPort())).as("listed once: %s", member.hostPort()).isTrue();
            if (member.separatePeerPort()) {
                assertThat(listeners.add(member.host() + ":" + member.peerPort())).isTrue();
            }
        }
        assertThat(config.clusterId()).matches("[0-9a-f]{12}");
    }

    @FuzzTest(maxDuration = "60s")
    void parse(byte[] json) {
        parsesOrIsRefused(json);
    }

    @Property(tries = 800)
    void damagedConfigurationsParseOrAreRefused(@ForAll("hostileConfigs") byte[] json) {
        parsesOrIsRefused(json);
    }

    @Provide
    Arbitrary<byte[]> hostileConfigs() {
        return Mutations.hostile(configs());
    }

    /** Configurations as operators write them: schemes or not, IPv6, peer ports, unknown keys. */
    @SuppressWarnings("unchecked")
    static Arbitrary<byte[]> configs() {
        Arbitrary<String> ip = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.of("127.0.0.1", "http://127.0.0.1", "HTTP://Node-1.example/", "[::1]",
                        "10.0.0.2", " localhost ", "https://x", "a:1", "[::1", "")),
                Tuple.of(1, Arbitraries.strings().ofMaxLength(6)));
        Arbitrary<Integer> port = Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.integers().between(8000, 8004)),
                Tuple.of(1, Arbitraries.of(0, 1, 65535, 65536, -1)));
        Arbitrary<Member> member = Combinators.combine(ip, port, port.optional(), Arbitraries.of(false, true))
                .as(Member::new);
        return member.list().ofMinSize(0).ofMaxSize(4).map(members -> Json.write(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("addresses");
            for (Member m : members) {
                json.writeStartObject();
                json.writeStringField("ip", m.ip());
                json.writeNumberField("port", m.port());
                if (m.internalPort().isPresent()) {
                    json.writeNumberField("internal_port", m.internalPort().get());
                }
                if (m.unknownKey()) {
                    json.writeObjectFieldStart("later");
                    json.writeArrayFieldStart("list");
                    json.writeNumber(1);
                    json.writeEndArray();
                    json.writeEndObject();
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }));
    }

    record Member(String ip, int port, Optional<Integer> internalPort, boolean unknownKey) {
    }
}

package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.mq.MqCommand;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ApiRequestsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String errorOf(ThrowingBody call) {
        try {
            call.run();
        } catch (BadRequestException e) {
            assertThat(e.reply().status()).isEqualTo(400);
            return e.reply().bodyText();
        }
        throw new AssertionError("accepted");
    }

    @FunctionalInterface
    private interface ThrowingBody {
        void run() throws BadRequestException;
    }

    @Test
    void parsesValidBodies() throws Exception {
        assertThat(ApiRequests.createTopic(utf8(" {\"topic\" : \"a b\"}\n")))
                .isEqualTo(new MqCommand.CreateTopic("a b"));
        assertThat(ApiRequests.putMessage(utf8("{\"message\": \"\", \"topic\": \"t\"}")))
                .isEqualTo(new MqCommand.PutMessage("t", ""));
        assertThat(ApiRequests.putMessage(utf8("{\"topic\": \"\\u00fc\", \"message\": \"\\uD83D\\uDE00\\n\"}")))
                .isEqualTo(new MqCommand.PutMessage("ü", "\uD83D\uDE00\n"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                   | request body is empty",
        "' '                                  | request body is empty",
        "[]                                   | expected a JSON object, got a list",
        "null                                 | expected a JSON object, got null",
        "{                                    | malformed JSON",
        "{\"topic\": \"a\"} {}                | unexpected data after the JSON object",
        "{\"topic\": \"a\"} x                 | malformed JSON",
        "{\"topic\": \"a\", \"topic\": \"b\"} | malformed JSON: Duplicate field 'topic'",
        "{\"topic\": 1}                       | \\\"topic\\\" must be a string, got a number",
        "{\"topic\": true}                    | got a boolean",
        "{\"topic\": {}}                      | got an object",
        "{\"topic\": \"\"}                    | \\\"topic\\\" must not be empty",
        "{}                                   | missing field \\\"topic\\\"",
        "{\"Topic\": \"a\"}                   | unknown field \\\"Topic\\\"",
        "{\"topic\": \"\\ud800\"}             | unpaired surrogate",
    })
    void refusesBadTopicBodies(String body, String expected) {
        assertThat(errorOf(() -> ApiRequests.createTopic(utf8(body)))).contains(expected)
                .startsWith("{\"success\":false,\"error\":\"");
    }

    @Test
    void refusesBadMessageBodies() {
        assertThat(errorOf(() -> ApiRequests.putMessage(utf8("{\"topic\": \"a\"}"))))
                .contains("missing field \\\"message\\\"");
        assertThat(errorOf(() -> ApiRequests.putMessage(utf8("{\"topic\": \"a\", \"message\": [\"x\"]}"))))
                .contains("\\\"message\\\" must be a string, got a list");
        assertThat(errorOf(() -> ApiRequests.putMessage(utf8("{\"topic\": \"a\", \"message\": \"m\", \"id\": 1}"))))
                .contains("unknown field \\\"id\\\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "Application/JSON; charset=UTF-8", "application/problem+json", "",
        "application/x-www-form-urlencoded", "text/plain; charset=utf-8"})
    void acceptsJsonContentTypes(String type) throws Exception {
        ApiRequests.requireJson(type);
        ApiRequests.requireJson(null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/xml", "multipart/form-data; boundary=x", "text/html",
        "application/jsonx", "application/octet-stream"})
    void refusesOtherContentTypesWith415(String type) {
        assertThatThrownBy(() -> ApiRequests.requireJson(type))
                .isInstanceOf(BadRequestException.class)
                .satisfies(e -> assertThat(((BadRequestException) e).reply().status()).isEqualTo(415));
    }

    @Test
    void wellFormedMeansNoUnpairedSurrogates() {
        assertThat(ApiRequests.isWellFormed("a\uD83D\uDE00b")).isTrue();
        assertThat(ApiRequests.isWellFormed("\uD83D")).isFalse();
        assertThat(ApiRequests.isWellFormed("\uDE00\uD83D")).isFalse();
    }
}

package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicListRepliesTest {
    private final TopicListReplies replies = new TopicListReplies(new OutcomeMapper(id -> null));

    private static byte[] encoded(String... topics) {
        return MqCodec.encodeResult(MqResult.topics(List.of(topics)));
    }

    @Test
    void rendersTheListItIsGivenAndReusesTheRenderingWhileTheListStaysTheSame() {
        Reply first = replies.reply(encoded("orders"));
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.bodyText()).isEqualTo("{\"success\":true,\"topics\":[\"orders\"]}");
        assertThat(replies.reply(encoded("orders"))).isSameAs(first);

        Reply second = replies.reply(encoded("orders", "billing"));
        assertThat(second.bodyText()).isEqualTo("{\"success\":true,\"topics\":[\"orders\",\"billing\"]}");
        assertThat(replies.reply(encoded("orders")).bodyText()).isEqualTo(first.bodyText());
    }

    @Test
    void aCallerChangingItsResultBytesAfterwardsChangesNoLaterReply() {
        byte[] result = encoded("orders");
        replies.reply(result);
        java.util.Arrays.fill(result, (byte) 0);
        assertThat(replies.reply(encoded("orders")).bodyText()).isEqualTo("{\"success\":true,\"topics\":[\"orders\"]}");
    }
}

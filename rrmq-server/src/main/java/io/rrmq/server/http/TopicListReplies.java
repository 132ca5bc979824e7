package io.rrmq.server.http;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import java.util.Arrays;

/**
 * The {@code GET /topic} reply for a state machine's encoded topic list, rendered once per list:
 * the list changes only when a topic is created, and decoding it and writing its JSON was a
 * quarter of the leader's I/O-thread time under read load (JFR, BENCHMARKS.md). Keeps the last
 * rendering; a different list replaces it. Safe on any I/O thread: the cached value is an
 * immutable pair behind a volatile field, and a race at worst renders the same list twice.
 */
final class TopicListReplies {
    private record Rendered(byte[] result, Reply reply) {
    }

    private static final MqCommand LIST_TOPICS = new MqCommand.ListTopics();

    private final OutcomeMapper outcomes;
    private volatile Rendered last = new Rendered(new byte[0], null);

    TopicListReplies(OutcomeMapper outcomes) {
        this.outcomes = outcomes;
    }

    /** The reply for {@code result}, the encoded answer of a {@code ListTopics} query. */
    Reply reply(byte[] result) {
        Rendered cached = last;
        if (Arrays.equals(cached.result(), result)) {
            return cached.reply();
        }
        MqResult decoded = MqCodec.decodeResult(result);
        Reply reply = outcomes.applied(LIST_TOPICS, decoded);
        if (reply.status() == 200) {
            last = new Rendered(result.clone(), reply);
        }
        return reply;
    }
}

package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.raft.LeadershipLostException;
import io.rrmq.raft.NodeClosedException;
import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.OverloadedException;
import io.rrmq.raft.RaftStatus;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class OutcomeMapperTest {
    private final OutcomeMapper mapper = new OutcomeMapper(id -> id == 1 ? "http://10.0.0.2:8568" : null);

    @Test
    void identifiedWritesMapLikeTheirWriteAndReplaysAreMarked() {
        MqCommand pop = new MqCommand.Identified("c-1", new MqCommand.PopMessage("t"));

        Reply first = mapper.applied(pop, MqResult.popped("m"));
        Reply replay = mapper.applied(pop, MqResult.popped("m").asReplay());
        Reply reused = mapper.applied(pop, MqResult.of(MqResult.Outcome.REQUEST_ID_REUSED));

        assertThat(first.bodyText()).isEqualTo("{\"success\":true,\"message\":\"m\"}");
        assertThat(first.headers()).doesNotContainKey(Reply.REPLAYED_HEADER);
        assertThat(replay.bodyText()).isEqualTo(first.bodyText());
        assertThat(replay.headers()).containsEntry(Reply.REPLAYED_HEADER, "true");
        assertThat(reused.status()).isEqualTo(422);
        assertThat(reused.bodyText()).isEqualTo("{\"success\":false}");
        assertThat(reused.error()).isEqualTo("request-id-reused");
    }

    @Test
    void aFullQueueIs503WithRetryAfter() {
        Reply full = mapper.queueFull();

        assertThat(full.status()).isEqualTo(503);
        assertThat(full.bodyText()).isEqualTo("{\"success\":false}");
        assertThat(full.error()).isEqualTo("queue-full");
        assertThat(full.headers()).containsKey("Retry-After");
    }

    @Test
    void appliedResultsMapToTheApisExactBodies() {
        Reply created = mapper.applied(new MqCommand.CreateTopic("t"), MqResult.ok());
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.bodyText()).isEqualTo("{\"success\":true}");
        assertThat(created.headers()).isEmpty();

        Reply list = mapper.applied(new MqCommand.ListTopics(), MqResult.topics(List.of("a", "b\"")));
        assertThat(list.bodyText()).isEqualTo("{\"success\":true,\"topics\":[\"a\",\"b\\\"\"]}");

        Reply popped = mapper.applied(new MqCommand.PopMessage("t"), MqResult.popped("m"));
        assertThat(popped.bodyText()).isEqualTo("{\"success\":true,\"message\":\"m\"}");

        Reply exists = mapper.applied(new MqCommand.CreateTopic("t"), MqResult.of(MqResult.Outcome.TOPIC_EXISTS));
        assertThat(exists.status()).isEqualTo(409);
        assertThat(exists.bodyText()).isEqualTo("{\"success\":false}");
        assertThat(exists.error()).isEqualTo("topic-exists");

        Reply noTopic = mapper.applied(new MqCommand.PutMessage("t", "m"), MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC));
        assertThat(noTopic.status()).isEqualTo(404);
        assertThat(noTopic.error()).isEqualTo("no-such-topic");

        Reply empty = mapper.applied(new MqCommand.PopMessage("t"), MqResult.of(MqResult.Outcome.QUEUE_EMPTY));
        assertThat(empty.status()).isEqualTo(404);
        assertThat(empty.bodyText()).isEqualTo("{\"success\":false}");
        assertThat(empty.error()).isEqualTo("queue-empty");
    }

    @Test
    void invalidCommandIsAnInternalErrorWithAJsonBody() {
        Reply r = mapper.applied(new MqCommand.CreateTopic("t"), MqResult.of(MqResult.Outcome.INVALID_COMMAND));
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.bodyText()).startsWith("{\"success\":false,\"error\":");
        assertThat(r.error()).isEqualTo("internal-error");
    }

    @Test
    void notLeaderWithAKnownLeaderIs421NamingIt() {
        Reply r = mapper.failed(new CompletionException(new NotLeaderException(1)));
        assertThat(r.status()).isEqualTo(421);
        assertThat(r.bodyText()).isEqualTo("{\"success\":false}");
        assertThat(r.headers()).containsEntry("X-RRMQ-Leader", "http://10.0.0.2:8568")
                .containsEntry("X-RRMQ-Error", "not-leader");
    }

    @Test
    void noLeaderAndOverloadAre503WithRetryAfter() {
        for (Throwable t : List.of(new NotLeaderException(RaftStatus.NO_LEADER), new NotLeaderException(7),
                new OverloadedException(10))) {
            Reply r = mapper.failed(t);
            assertThat(r.status()).as(t.toString()).isEqualTo(503);
            assertThat(r.headers()).as(t.toString()).containsEntry("Retry-After", "1");
            assertThat(r.bodyText()).isEqualTo("{\"success\":false}");
        }
        assertThat(mapper.starting().status()).isEqualTo(503);
        assertThat(mapper.starting().error()).isEqualTo("starting");
    }

    @Test
    void aDiskBelowItsReserveIs503DiskFullWithRetryAfter() {
        Reply r = mapper.failed(new CompletionException(new io.rrmq.raft.StorageFullException("disk-full: 1 byte free")));
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.headers()).containsEntry("Retry-After", "1").containsEntry("X-RRMQ-Error", "disk-full");
    }

    @Test
    void unknownOutcomesAre504() {
        assertThat(mapper.failed(new LeadershipLostException(5, 2)).status()).isEqualTo(504);
        assertThat(mapper.failed(new NodeClosedException()).status()).isEqualTo(504);
        Reply timeout = mapper.failed(new CompletionException(new TimeoutException()));
        assertThat(timeout.status()).isEqualTo(504);
        assertThat(timeout.error()).isEqualTo("timeout");
        assertThat(timeout.bodyText()).isEqualTo("{\"success\":false}");
    }

    @Test
    void anythingElseIs500() {
        Reply r = mapper.failed(new IllegalStateException("bug"));
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.bodyText()).doesNotContain("bug").doesNotContain("IllegalState");
    }
}

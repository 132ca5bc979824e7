package io.rrmq.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.LogEntry;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.ReadIndexResponse;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ServerSettings;
import io.rrmq.server.http.HttpServer;
import io.rrmq.server.membership.PeerDirectory;
import io.rrmq.server.security.PeerAuthenticator;
import io.rrmq.server.testing.FakeRaftNode;
import io.rrmq.server.testing.TestKeys;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats answered in the reply to their own POST: a leader (node 0) and a follower (node 1), each
 * with a real HTTP server, {@link RaftMessageHandler} and {@link HttpTransport} on loopback; the
 * follower's "engine" answers from another thread, as the real event loop does.
 */
class ReplyHoldsTest {
    private static final Duration WAIT = Duration.ofMillis(300);

    private final PeerAuthenticator authenticator = TestKeys.authenticator();
    private final FakeRaftNode leader = new FakeRaftNode(0);
    private final FakeRaftNode follower = new FakeRaftNode(1);
    private final ExecutorService followerLoop = Executors.newSingleThreadExecutor();
    private final ReplyHolds holds = new ReplyHolds(() -> 1, authenticator, WAIT);
    private HttpServer leaderServer;
    private HttpServer followerServer;
    private HttpTransport leaderTransport;
    private HttpTransport followerTransport;

    @BeforeEach
    void start() throws Exception {
        leaderServer = HttpServer.start("127.0.0.1", 0, ServerSettings.defaults(),
                new RaftMessageHandler(() -> 0, () -> leader, 1 << 20, authenticator, null, null));
        followerServer = HttpServer.start("127.0.0.1", 0, ServerSettings.defaults(),
                new RaftMessageHandler(() -> 1, () -> follower, 1 << 20, authenticator, null, holds));
        ClusterConfig cluster = new ClusterConfig(List.of(
                new ClusterConfig.Member(0, "127.0.0.1", leaderServer.port()),
                new ClusterConfig.Member(1, "127.0.0.1", followerServer.port())));
        leaderTransport = new HttpTransport(new PeerDirectory(Optional.of(cluster)), 0, ServerSettings.defaults(),
                authenticator, null, null, leader::receive);
        followerTransport = new HttpTransport(new PeerDirectory(Optional.of(cluster)), 1, ServerSettings.defaults(),
                authenticator, null, holds, follower::receive);
        leaderTransport.start();
        followerTransport.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        followerLoop.shutdownNow();
        followerLoop.awaitTermination(5, TimeUnit.SECONDS);
        leaderTransport.close();
        followerTransport.close();
        leaderServer.close();
        followerServer.close();
        leader.close();
        follower.close();
    }

    /** The follower's engine answers every AppendEntries from its own thread. */
    private void followerAnswersAppends() {
        follower.onReceive(m -> {
            if (m instanceof AppendEntries a) {
                followerLoop.execute(() -> followerTransport.send(answer(a)));
            }
        });
    }

    private static AppendEntriesResponse answer(AppendEntries a) {
        return new AppendEntriesResponse(1, 0, a.term(), true, a.prevLogIndex() + a.entries().size(), 0, 0, 0,
                a.readContext());
    }

    private static AppendEntries heartbeat(long readContext) {
        return new AppendEntries(0, 1, 3, 10, 3, 10, List.of(), readContext);
    }

    private long laneMessagesToLeader() {
        return followerTransport.stats().get(0).sentMessages();
    }

    @Test
    void heartbeatsAreAnsweredInTheirReplyNotByASecondPost() {
        followerAnswersAppends();
        for (int round = 1; round <= 20; round++) {
            AppendEntries beat = heartbeat(round);
            leaderTransport.send(beat);
            int expected = round;
            await().atMost(Duration.ofSeconds(5)).until(() -> leader.received().size() == expected);
            assertThat(leader.received().get(round - 1)).isEqualTo(answer(beat));
        }
        assertThat(holds.answered()).isEqualTo(20);
        assertThat(holds.expired()).isZero();
        // counted just after the engine got the last one
        await().atMost(Duration.ofSeconds(5)).until(() -> leaderTransport.repliesReceived() == 20);
        assertThat(laneMessagesToLeader()).isZero(); // the follower never posted to the leader
    }

    @Test
    void entriesAreNotHeldTheirAnswersTakeTheLane() {
        followerAnswersAppends();
        AppendEntries append = new AppendEntries(0, 1, 3, 10, 3, 10,
                List.of(LogEntry.command(11, 3, new byte[] {1, 2, 3})), 0);
        leaderTransport.send(append);
        await().atMost(Duration.ofSeconds(5)).until(() -> leader.received().size() == 1);
        assertThat(leader.received()).containsExactly(answer(append));
        // counted once the lane's POST returned, which may be just after the leader got it
        await().atMost(Duration.ofSeconds(5)).until(() -> laneMessagesToLeader() == 1);
        assertThat(holds.answered()).isZero();
        assertThat(leaderTransport.repliesReceived()).isZero();
    }

    @Test
    void aHeartbeatWithoutAnAnswerEndsAfterTheWaitAndALateAnswerTakesTheLane() {
        AppendEntries beat = heartbeat(7); // the engine stays silent
        leaderTransport.send(beat);
        await().atMost(Duration.ofSeconds(5)).until(() -> holds.expired() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> leaderTransport.stats().get(0).sentBatches() == 1);
        followerTransport.send(answer(beat));
        await().atMost(Duration.ofSeconds(5)).until(() -> leader.received().size() == 1);
        assertThat(leader.received()).containsExactly(answer(beat));
        // counted once the lane's POST returned, which may be just after the leader got it
        await().atMost(Duration.ofSeconds(5)).until(() -> laneMessagesToLeader() == 1);
        assertThat(holds.answered()).isZero();
    }

    @Test
    void theReplyIsSignedByTheFollowerForTheLeader() throws Exception {
        followerAnswersAppends();
        byte[] batch = MessageCodec.encodeBatch(List.of(heartbeat(5)));
        try (PeerConnection connection = leaderConnection()) {
            PeerReply reply = connection.post(batch);
            assertThat(reply.status()).isEqualTo(200);
            assertThat(MessageCodec.decodeBatch(reply.body())).containsExactly(answer(heartbeat(5)));
            PeerAuthenticator.Verdict verdict = authenticator.verify(reply.signature(), 0, reply.body());
            assertThat(verdict.ok()).isTrue();
            assertThat(verdict.sender()).isEqualTo(1);
            assertThat(authenticator.verify(reply.signature(), 2, reply.body()).ok()).isFalse();
        }
    }

    @Test
    void aBatchOfHeartbeatsIsAnsweredOnceEachHasItsAnswerOrWithThoseThatCameWhenTheWaitEnds() throws Exception {
        followerAnswersAppends();
        List<AppendEntries> three = List.of(heartbeat(1), heartbeat(2), heartbeat(3));
        try (PeerConnection connection = leaderConnection()) {
            PeerReply reply = connection.post(MessageCodec.encodeBatch(List.copyOf(three)));
            assertThat(reply.status()).isEqualTo(200);
            assertThat(MessageCodec.decodeBatch(reply.body()))
                    .containsExactly(answer(three.get(0)), answer(three.get(1)), answer(three.get(2)));
            assertThat(holds.answered()).isEqualTo(1);

            // The engine answers one of two: the reply carries it when the wait ends.
            follower.onReceive(m -> {
                if (m instanceof AppendEntries a && a.readContext() == 4) {
                    followerLoop.execute(() -> followerTransport.send(answer(a)));
                }
            });
            long started = System.nanoTime();
            reply = connection.post(MessageCodec.encodeBatch(List.of(heartbeat(4), heartbeat(5))));
            assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(WAIT.toNanos());
            assertThat(reply.status()).isEqualTo(200);
            assertThat(MessageCodec.decodeBatch(reply.body())).containsExactly(answer(heartbeat(4)));
            assertThat(holds.answered()).isEqualTo(2);
            assertThat(holds.expired()).isZero();
        }
        assertThat(laneMessagesToLeader()).isZero();
    }

    private PeerConnection leaderConnection() {
        return new PeerConnection("127.0.0.1", followerServer.port(), "/raft",
                Duration.ofSeconds(2), Duration.ofSeconds(5), body -> authenticator.sign(0, 1, body));
    }

    @Test
    void onlyHeartbeatBatchesWithoutVotesOrDataAreWorthHolding() {
        AppendEntries beat = heartbeat(0);
        AppendEntries entries = new AppendEntries(0, 1, 3, 10, 3, 10, List.of(LogEntry.command(11, 3, new byte[1])), 0);
        RaftMessage vote = new VoteRequest(0, 1, 4, 10, 3, false);
        RaftMessage chunk = new InstallSnapshot(0, 1, 3, 10, 3, 0, new byte[1], true);
        RaftMessage readAnswer = new ReadIndexResponse(0, 1, 3, 9, 10, true, 0);
        assertThat(ReplyHolds.heartbeatsToHold(List.of(beat))).isEqualTo(1);
        assertThat(ReplyHolds.heartbeatsToHold(List.of(readAnswer, beat, heartbeat(1)))).isEqualTo(2);
        assertThat(ReplyHolds.heartbeatsToHold(List.of(readAnswer))).isZero();
        assertThat(ReplyHolds.heartbeatsToHold(List.of(beat, entries))).isZero();
        assertThat(ReplyHolds.heartbeatsToHold(List.of(beat, vote))).isZero();
        assertThat(ReplyHolds.heartbeatsToHold(List.of(chunk, beat))).isZero();
    }

    @Test
    void aReplyThatIsUnsignedSignedByAnotherNodeOrMisaddressedReachesNoEngine() {
        List<RaftMessage> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        ReplyReader reader = new ReplyReader(0, authenticator, got::add);
        AppendEntriesResponse fine = answer(heartbeat(1));
        byte[] body = MessageCodec.encodeBatch(List.of(fine));
        reader.deliver(1, new PeerReply(200, null, body));
        reader.deliver(1, new PeerReply(200, authenticator.sign(2, 0, body), body)); // node 2 posing as 1
        reader.deliver(1, new PeerReply(200, authenticator.sign(1, 2, body), body)); // meant for node 2
        reader.deliver(1, new PeerReply(200, authenticator.sign(1, 0, body), new byte[] {9, 9}));
        byte[] misaddressed = MessageCodec.encodeBatch(List.of(new AppendEntriesResponse(2, 0, 3, true, 1, 0, 0, 0, 0)));
        reader.deliver(1, new PeerReply(200, authenticator.sign(1, 0, misaddressed), misaddressed));
        assertThat(got).isEmpty();
        assertThat(reader.refused()).isEqualTo(5);
        reader.deliver(1, new PeerReply(200, authenticator.sign(1, 0, body), body));
        assertThat(got).containsExactly(fine);
        assertThat(reader.received()).isEqualTo(1);
    }
}

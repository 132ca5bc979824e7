package io.rrmq.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.MessageCodec;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queueing, batching and failure handling of one peer lane, with a scripted sink. */
class PeerSenderTest {
    private final List<Thread> threads = new ArrayList<>();
    private final List<PeerSender> senders = new ArrayList<>();

    /** A message whose term is its sequence number, so order is easy to check. */
    private static RaftMessage message(long seq) {
        return new VoteRequest(0, 1, seq, 0, 0, false);
    }

    private static List<Long> seqs(byte[] batch) {
        List<Long> out = new ArrayList<>();
        for (RaftMessage m : MessageCodec.decodeBatch(batch)) {
            out.add(m.term());
        }
        return out;
    }

    private PeerSender start(BatchSink sink, int capacity, Duration backoff) {
        return start(sink, capacity, 16 << 20, backoff);
    }

    private PeerSender start(BatchSink sink, int capacity, long maxBatchBytes, Duration backoff) {
        PeerSender sender = new PeerSender(1, "http://peer", sink, capacity, 4096, maxBatchBytes, backoff);
        Thread t = new Thread(sender, "test-sender");
        t.setDaemon(true);
        t.start();
        threads.add(t);
        senders.add(sender);
        return sender;
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (PeerSender s : senders) {
            s.close();
        }
        for (Thread t : threads) {
            t.interrupt();
            t.join(2000);
            assertThat(t.isAlive()).as("sender thread ends on close").isFalse();
        }
    }

    @Test
    void deliversInOrderAndBatchesWhatQueuedDuringAPost() throws Exception {
        CountDownLatch firstPostStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Long>> batches = new CopyOnWriteArrayList<>();
        PeerSender sender = start(batch -> {
            batches.add(seqs(batch));
            firstPostStarted.countDown();
            release.await();
            return PeerReply.of(204);
        }, 1000, Duration.ofMillis(10));

        sender.enqueue(message(0));
        assertThat(firstPostStarted.await(5, TimeUnit.SECONDS)).isTrue();
        for (long i = 1; i < 100; i++) {
            sender.enqueue(message(i));
        }
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.stats().sentMessages() == 100);

        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).containsExactly(0L);
        assertThat(batches.get(1)).hasSize(99).isSorted().startsWith(1L).endsWith(99L);
        assertThat(sender.stats().reachable()).isTrue();
        assertThat(sender.stats().sentBatches()).isEqualTo(2);
    }

    @Test
    void dropsAndCountsWhatDoesNotFitTheQueue() throws Exception {
        CountDownLatch posting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PeerSender sender = start(batch -> {
            posting.countDown();
            release.await();
            return PeerReply.of(204);
        }, 10, Duration.ofMillis(10));

        sender.enqueue(message(0));
        assertThat(posting.await(5, TimeUnit.SECONDS)).isTrue();
        for (long i = 1; i <= 50; i++) {
            sender.enqueue(message(i)); // never blocks
        }
        assertThat(sender.stats().queued()).isEqualTo(10);
        assertThat(sender.stats().droppedQueueFull()).isEqualTo(40);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.stats().sentMessages() == 11);
    }

    @Test
    void snapshotChunksCountByTheirBytesInBatchesAndInTheQueue() throws Exception {
        // 1 MiB chunks (plus framing) on a lane of 4 MiB batches: each batch holds at most 3 of
        // them, and while a POST hangs the queue takes what fits in two batches (7), dropping the rest.
        CountDownLatch posting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        PeerSender sender = start(batch -> {
            batchSizes.add(MessageCodec.decodeBatch(batch).size());
            posting.countDown();
            release.await();
            return PeerReply.of(204);
        }, 50_000, 4 << 20, Duration.ofMillis(10));
        sender.enqueue(chunk(0));
        assertThat(posting.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 40; i++) {
            sender.enqueue(chunk(i));
        }
        assertThat(sender.stats().queued()).isEqualTo(7);
        assertThat(sender.stats().droppedQueueFull()).isEqualTo(33);
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.stats().sentMessages() == 8);
        assertThat(batchSizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3));
        sender.enqueue(chunk(41)); // the bytes sent no longer count
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.stats().sentMessages() == 9);
    }

    private static InstallSnapshot chunk(int n) {
        return new InstallSnapshot(0, 1, 3, 100, 2, (long) n << 20, new byte[1 << 20], false);
    }

    @Test
    void backsOffAfterAFailureInsteadOfSpinningAndDropsStaleMessages() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        PeerSender sender = start(batch -> {
            attempts.incrementAndGet();
            throw new ConnectException("Connection refused");
        }, 100_000, Duration.ofMillis(50));

        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        long seq = 0;
        while (System.nanoTime() < end) {
            sender.enqueue(message(seq++)); // a busy engine keeps sending
            Thread.sleep(1);
        }
        // At most one attempt per back-off period (plus one), not one per message.
        assertThat(attempts.get()).isBetween(2, 12);
        PeerStats stats = sender.stats();
        assertThat(stats.reachable()).isFalse();
        assertThat(stats.sentMessages()).isZero();
        // Every message is accounted for: dropped, none delivered, none left behind for long.
        long enqueued = seq;
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            PeerStats now = sender.stats();
            assertThat(now.queued()).isZero();
            assertThat(now.droppedUndelivered() + now.droppedQueueFull()).isEqualTo(enqueued);
        });
    }

    @Test
    void recoversWhenThePeerAnswersAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PeerSender sender = start(batch -> {
            if (calls.incrementAndGet() <= 3) {
                throw new IOException("down");
            }
            return PeerReply.of(204);
        }, 1000, Duration.ofMillis(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            sender.enqueue(message(1));
            return sender.stats().reachable();
        });
        assertThat(calls.get()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void aPeerStillStartingDropsTheBatchWithoutMarkingItDown() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        PeerSender sender = start(batch -> {
            calls.incrementAndGet();
            return PeerReply.of(503);
        }, 1000, Duration.ofSeconds(10));
        sender.enqueue(message(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.stats().droppedUndelivered() == 1);
        sender.enqueue(message(2));
        // No ten-second back-off after a 503: the next message goes out at once.
        await().atMost(Duration.ofSeconds(2)).until(() -> calls.get() == 2);
    }

    @Test
    void batchesRespectTheByteLimit() throws Exception {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        CountDownLatch posting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PeerSender sender = start(batch -> {
            sizes.add(MessageCodec.decodeBatch(batch).size());
            posting.countDown();
            release.await();
            return PeerReply.of(204);
        }, 1000, 48 * 10, Duration.ofMillis(5));
        sender.enqueue(message(0));
        assertThat(posting.await(5, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 15; i++) { // within the queue's bytes (two batches)
            sender.enqueue(message(i));
        }
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sender.stats().sentMessages() == 16);
        assertThat(sizes).containsExactly(1, 10, 5);
    }
}

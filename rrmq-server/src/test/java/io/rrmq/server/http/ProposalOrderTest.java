package io.rrmq.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.rrmq.raft.RaftNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ProposalOrderTest {
    private final List<String> proposed = new CopyOnWriteArrayList<>();
    private final RaftNode raft = mock(RaftNode.class); // only propose() is used: the seam under test

    ProposalOrderTest() {
        when(raft.propose(any())).thenAnswer(call -> {
            proposed.add(new String(call.<byte[]>getArgument(0), StandardCharsets.UTF_8));
            return new CompletableFuture<byte[]>();
        });
    }

    @Test
    void aProposalMadeWhileAWaiterIsCheckedEntersTheLogAfterTheWaitersPop() throws Exception {
        ProposalOrder order = new ProposalOrder();
        Thread[] put = new Thread[1];
        CompletableFuture<byte[]> pop = order.proposeIf(() -> {
            // A put arrives on another I/O thread while the waiter's connection is being checked.
            put[0] = new Thread(() -> order.propose(raft, bytes("put")), "put");
            put[0].start();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> put[0].getState() == Thread.State.BLOCKED);
            return true;
        }, raft, bytes("pop"));
        put[0].join(10_000);
        assertThat(pop).isNotNull();
        assertThat(proposed).containsExactly("pop", "put");
    }

    @Test
    void aWaiterFoundGoneGetsNothingProposed() {
        ProposalOrder order = new ProposalOrder();
        assertThat(order.proposeIf(() -> false, raft, bytes("pop"))).isNull();
        verify(raft, never()).propose(any());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

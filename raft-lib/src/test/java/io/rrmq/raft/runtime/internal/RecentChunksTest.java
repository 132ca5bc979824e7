package io.rrmq.raft.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentChunksTest {
    private static final long WINDOW = 1_000;

    @Test
    void aChunkSentWithinTheWindowIsRecentForThatPeerSnapshotAndOffsetOnly() {
        RecentChunks recent = new RecentChunks(WINDOW);
        assertThat(recent.sentRecently(2, 30, 0, 100)).isFalse();
        recent.sent(2, 30, 0, 100);
        assertThat(recent.sentRecently(2, 30, 0, 100 + WINDOW - 1)).isTrue();
        assertThat(recent.sentRecently(1, 30, 0, 200)).as("another follower").isFalse();
        assertThat(recent.sentRecently(2, 31, 0, 200)).as("another snapshot").isFalse();
        assertThat(recent.sentRecently(2, 30, 64, 200)).as("another chunk").isFalse();
    }

    @Test
    void aChunkIsSentAgainOnceTheWindowHasPassed() {
        RecentChunks recent = new RecentChunks(WINDOW);
        recent.sent(2, 30, 0, 100);
        assertThat(recent.sentRecently(2, 30, 0, 100 + WINDOW)).isFalse();
        recent.sent(2, 30, 0, 100 + WINDOW);
        assertThat(recent.sentRecently(2, 30, 0, 100 + WINDOW + 1)).isTrue();
    }
}

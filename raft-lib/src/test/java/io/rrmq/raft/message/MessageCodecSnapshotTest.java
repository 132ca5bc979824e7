package io.rrmq.raft.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageCodecSnapshotTest {
    @Test
    void installSnapshotAndItsResponseRoundTrip() {
        List<RaftMessage> batch = List.of(
                new InstallSnapshot(1, 2, 7, 500, 6, 4096, new byte[] {1, 2, 3}, false),
                new InstallSnapshot(1, 2, 7, 500, 6, 4099, new byte[0], true),
                new InstallSnapshotResponse(2, 1, 7, 500, 4099, true));
        assertThat(MessageCodec.decodeBatch(MessageCodec.encodeBatch(batch))).isEqualTo(batch);
    }

    @Test
    void aTruncatedChunkIsRejected() {
        byte[] bytes = MessageCodec.encodeBatch(List.of(new InstallSnapshot(1, 2, 7, 500, 6, 0, new byte[100], false)));
        assertThatThrownBy(() -> MessageCodec.decodeBatch(Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

package io.rrmq.mq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The consumer commands and results in {@link MqCodec}'s format: round trips and refusals. */
class ConsumerCodecTest {
    private static final byte[] NONCE = new byte[16];

    @Test
    void everyConsumerCommandRoundTripsToTheSameBytes() {
        List<MqCommand> commands = List.of(
                new MqCommand.PutBatch("t", List.of("a", "", "🙂")),
                new MqCommand.SetPolicy("t", 3, "dead"),
                new MqCommand.SetPolicy("t", 0, ""),
                new MqCommand.Stamped(42, NONCE, new MqCommand.Receive("t", 10, 30_000)),
                new MqCommand.Stamped(43, NONCE, new MqCommand.Ack("t", List.of("r1", "r2"))),
                new MqCommand.Stamped(44, NONCE, new MqCommand.Nack("t", List.of())),
                new MqCommand.Stamped(45, NONCE, new MqCommand.Tick()),
                new MqCommand.Stamped(46, NONCE, new MqCommand.Identified("id", new MqCommand.Receive("t", 1, 1))),
                new MqCommand.Identified("id", new MqCommand.PutBatch("t", List.of("x"))));
        for (MqCommand command : commands) {
            byte[] bytes = MqCodec.encodeCommand(command);
            MqCommand decoded = MqCodec.decodeCommand(bytes);
            assertThat(decoded).as(command.toString()).isEqualTo(command);
            assertThat(MqCodec.encodeCommand(decoded)).isEqualTo(bytes);
            for (int cut = 0; cut < bytes.length; cut++) {
                byte[] truncated = Arrays.copyOf(bytes, cut);
                assertThatThrownBy(() -> MqCodec.decodeCommand(truncated)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void consumerResultsRoundTrip() {
        for (MqResult result : List.of(
                MqResult.received(List.of(new MqResult.Delivery("m", "0123456789abcdef0123456789abcdef", 3))),
                MqResult.counted(0), MqResult.counted(1000), MqResult.counted(7).asReplay())) {
            assertThat(MqCodec.decodeResult(MqCodec.encodeResult(result))).isEqualTo(result);
        }
    }

    @Test
    void refusesWhatMayNotBeStampedOrIdentified() {
        assertThatThrownBy(() -> new MqCommand.Stamped(1, NONCE, new MqCommand.PutMessage("t", "m")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MqCommand.Stamped(1, NONCE, new MqCommand.Identified("i", new MqCommand.Tick())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MqCommand.Identified("i", new MqCommand.Tick())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MqCommand.Stamped(1, new byte[15], new MqCommand.Tick()))
                .isInstanceOf(IllegalArgumentException.class);
        // A stamped put (opcode 12 around opcode 2) is refused by the decoder, so it applies as INVALID_COMMAND.
        byte[] put = MqCodec.encodeCommand(new MqCommand.PutMessage("t", "m"));
        byte[] stampedPut = new byte[2 + 24 + put.length - 1];
        stampedPut[0] = 1;
        stampedPut[1] = 12;
        System.arraycopy(put, 1, stampedPut, 26, put.length - 1);
        assertThatThrownBy(() -> MqCodec.decodeCommand(stampedPut)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MqCodec.decodeResult(new byte[] {1, 1, 8, 0, 0, 0, 0}))
                .as("an empty delivery list has one encoding: no flag").isInstanceOf(IllegalArgumentException.class);
    }
}

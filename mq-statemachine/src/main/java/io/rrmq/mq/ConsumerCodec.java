package io.rrmq.mq;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** The encoders of the consumer commands (opcodes 6 to 11 of {@link MqCodec}'s format). */
final class ConsumerCodec {
    private ConsumerCodec() {
    }

    static byte[] encode(MqCommand command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeByte(MqCodec.VERSION);
            if (command instanceof MqCommand.PutBatch b) {
                out.writeByte(6);
                string(out, b.topic(), "topic");
                strings(out, b.messages(), "message");
            } else if (command instanceof MqCommand.Receive r) {
                out.writeByte(7);
                string(out, r.topic(), "topic");
                out.writeInt(r.max());
                out.writeLong(r.visibilityMillis());
            } else if (command instanceof MqCommand.Ack a) {
                out.writeByte(8);
                string(out, a.topic(), "topic");
                strings(out, a.receipts(), "receipt");
            } else if (command instanceof MqCommand.Nack n) {
                out.writeByte(9);
                string(out, n.topic(), "topic");
                strings(out, n.receipts(), "receipt");
            } else if (command instanceof MqCommand.SetPolicy p) {
                out.writeByte(10);
                string(out, p.topic(), "topic");
                out.writeInt(p.maxDeliveries());
                string(out, p.deadLetterTopic(), "dead-letter topic");
            } else if (command instanceof MqCommand.Tick) {
                out.writeByte(11);
            } else {
                throw new IllegalArgumentException("not a consumer command: " + command);
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        if (bytes.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("encoding would be too large");
        }
        return bytes.toByteArray();
    }

    private static void strings(DataOutputStream out, List<String> strings, String what) throws IOException {
        out.writeInt(strings.size());
        for (String s : strings) {
            string(out, s, what);
        }
    }

    private static void string(DataOutputStream out, String s, String what) throws IOException {
        byte[] utf8 = MqCodec.utf8(s, what);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}

package io.rrmq.mq;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Drives a {@link TopicStateMachine} the way the Raft runtime does: encoded entries, rising indexes. */
final class MachineDriver {
    final TopicStateMachine machine;

    MachineDriver() {
        this(new TopicStateMachine());
    }

    MachineDriver(TopicStateMachine machine) {
        this.machine = machine;
    }

    /** Applies raw entry bytes at the next index, as a committed log entry would be. */
    byte[] applyBytes(byte[] entry) {
        return machine.apply(machine.lastAppliedIndex() + 1, entry);
    }

    MqResult apply(MqCommand command) {
        return MqCodec.decodeResult(applyBytes(MqCodec.encodeCommand(command)));
    }

    MqResult create(String topic) {
        return apply(new MqCommand.CreateTopic(topic));
    }

    MqResult put(String topic, String message) {
        return apply(new MqCommand.PutMessage(topic, message));
    }

    MqResult pop(String topic) {
        return apply(new MqCommand.PopMessage(topic));
    }

    /** Applies {@code command} under {@code requestId}, as the server does for a write with an id. */
    MqResult identified(String requestId, MqCommand command) {
        return apply(new MqCommand.Identified(requestId, command));
    }

    MqResult list() {
        return apply(new MqCommand.ListTopics());
    }

    /** The snapshot bytes of {@code machine}. */
    static byte[] snapshotOf(TopicStateMachine machine) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            machine.writeSnapshot(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The snapshot without its applied index and checksum: the observable state (topics, messages,
     * remembered requests), so that two machines at different indexes can be compared.
     */
    static byte[] stateOf(TopicStateMachine machine) {
        byte[] snapshot = snapshotOf(machine);
        return java.util.Arrays.copyOfRange(snapshot, 4 + 1 + 8, snapshot.length - 4);
    }

    /** Pops every queue empty, topic by topic in creation order; the full observable content. */
    Map<String, List<String>> drainAll() {
        Map<String, List<String>> content = new LinkedHashMap<>();
        for (String topic : list().topics()) {
            List<String> messages = new ArrayList<>();
            MqResult popped;
            while ((popped = pop(topic)).outcome() == MqResult.Outcome.OK) {
                messages.add(popped.message());
            }
            content.put(topic, messages);
        }
        return content;
    }
}

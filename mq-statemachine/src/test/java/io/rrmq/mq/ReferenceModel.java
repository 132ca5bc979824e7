package io.rrmq.mq;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The queue semantics written as plainly as possible, to check {@link TopicStateMachine} against. */
final class ReferenceModel {
    private final Map<String, List<String>> topics = new LinkedHashMap<>();
    /** Every identified write ever applied, with its first result: no expiry, as tests stay small. */
    private final Map<String, Map.Entry<MqCommand, MqResult>> requests = new LinkedHashMap<>();

    /**
     * Whether this model knows what {@code entry} does: the assignment's commands, a clock tick and
     * undecodable bytes. The consumer commands (batches, receipts, policies, stamps) are not modelled
     * here (ConsumerStateMachineTest and the MQ simulation check them); a corrupted entry sometimes
     * decodes into one, and a comparison must stop there.
     */
    boolean models(byte[] entry) {
        MqCommand command;
        try {
            command = MqCodec.decodeCommand(entry);
        } catch (IllegalArgumentException e) {
            return true;
        }
        if (command instanceof MqCommand.Identified identified) {
            command = identified.command();
        }
        return command instanceof MqCommand.CreateTopic || command instanceof MqCommand.PutMessage
                || command instanceof MqCommand.PopMessage || command instanceof MqCommand.ListTopics
                || command instanceof MqCommand.Tick;
    }

    MqResult apply(byte[] entry) {
        MqCommand command;
        try {
            command = MqCodec.decodeCommand(entry);
        } catch (IllegalArgumentException e) {
            return MqResult.of(MqResult.Outcome.INVALID_COMMAND);
        }
        if (command instanceof MqCommand.Identified identified) {
            Map.Entry<MqCommand, MqResult> earlier = requests.get(identified.requestId());
            if (earlier == null) {
                MqResult result = execute(identified.command());
                if (result.outcome() != MqResult.Outcome.QUEUE_EMPTY) { // an empty pop changed nothing
                    requests.put(identified.requestId(), Map.entry(identified.command(), result));
                }
                return result;
            }
            return earlier.getKey().equals(identified.command()) ? earlier.getValue().asReplay()
                    : MqResult.of(MqResult.Outcome.REQUEST_ID_REUSED);
        }
        return execute(command);
    }

    private MqResult execute(MqCommand command) {
        if (command instanceof MqCommand.CreateTopic c) {
            if (topics.containsKey(c.topic())) {
                return MqResult.of(MqResult.Outcome.TOPIC_EXISTS);
            }
            topics.put(c.topic(), new ArrayList<>());
            return MqResult.ok();
        } else if (command instanceof MqCommand.PutMessage p) {
            if (!topics.containsKey(p.topic())) {
                return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
            }
            topics.get(p.topic()).add(p.message());
            return MqResult.ok();
        } else if (command instanceof MqCommand.PopMessage p) {
            if (!topics.containsKey(p.topic())) {
                return MqResult.of(MqResult.Outcome.NO_SUCH_TOPIC);
            }
            List<String> queue = topics.get(p.topic());
            if (queue.isEmpty()) {
                return MqResult.of(MqResult.Outcome.QUEUE_EMPTY);
            }
            return MqResult.popped(queue.remove(0));
        } else if (command instanceof MqCommand.ListTopics) {
            return MqResult.topics(new ArrayList<>(topics.keySet()));
        } else if (command instanceof MqCommand.Tick) {
            return MqResult.ok(); // unstamped: no clock to advance
        }
        throw new IllegalArgumentException("not modelled (see models): " + command);
    }

    int topicCount() {
        return topics.size();
    }

    long messageCount() {
        return topics.values().stream().mapToLong(List::size).sum();
    }
}

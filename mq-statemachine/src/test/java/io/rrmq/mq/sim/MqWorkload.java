package io.rrmq.mq.sim;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.sim.Proposal;
import io.rrmq.raft.sim.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Producers, consumers and topic creators of the message queue, each with at most one request
 * outstanding, as an HTTP client waiting for its answer. Producers put unique payloads
 * {@code p<producer>-<n>} with n increasing; a put whose outcome is unknown is not retried (the workload
 * sends no request ids; their retries are tested by the chaos process test, not here). After healing, producers stop
 * and consumers drain until each topic has answered "empty" to a pop sent after healing: every put
 * that can still commit is then before that pop in the log.
 */
final class MqWorkload implements Workload {
    private static final String[] TOPICS = {"orders", "events"};
    private static final int PRODUCERS = 3;
    private static final int CONSUMERS = 2;

    private enum Kind { CREATOR, PRODUCER, CONSUMER }

    private record Client(int id, Kind kind, int number) {
    }

    private final List<Client> clients = new ArrayList<>();
    private final boolean[] busy;
    private final MqCommand[] sent;
    private final boolean[] sentAfterHeal;
    private final long[] nextPayload = new long[PRODUCERS];
    private final boolean[] created = new boolean[TOPICS.length];
    private final boolean[] drained = new boolean[TOPICS.length];
    private final List<MqOperation> history = new ArrayList<>();

    MqWorkload() {
        for (int t = 0; t < TOPICS.length; t++) {
            clients.add(new Client(clients.size(), Kind.CREATOR, t));
        }
        for (int p = 0; p < PRODUCERS; p++) {
            clients.add(new Client(clients.size(), Kind.PRODUCER, p));
        }
        for (int c = 0; c < CONSUMERS; c++) {
            clients.add(new Client(clients.size(), Kind.CONSUMER, c));
        }
        busy = new boolean[clients.size()];
        sent = new MqCommand[clients.size()];
        sentAfterHeal = new boolean[clients.size()];
    }

    static List<String> topics() {
        return List.of(TOPICS);
    }

    @Override
    public StateMachine newStateMachine() {
        return new TopicStateMachine();
    }

    @Override
    public Command next(Random random, boolean healed) {
        List<Client> idle = new ArrayList<>();
        for (Client c : clients) {
            if (!busy[c.id()] && wantsToSend(c, healed)) {
                idle.add(c);
            }
        }
        if (idle.isEmpty()) {
            return null;
        }
        Client c = idle.get(random.nextInt(idle.size()));
        MqCommand command = switch (c.kind()) {
            case CREATOR -> new MqCommand.CreateTopic(TOPICS[c.number()]);
            case PRODUCER -> new MqCommand.PutMessage(TOPICS[random.nextInt(TOPICS.length)],
                    "p" + c.number() + "-" + nextPayload[c.number()]++);
            case CONSUMER -> new MqCommand.PopMessage(healed ? undrainedTopic(random) : TOPICS[random.nextInt(TOPICS.length)]);
        };
        busy[c.id()] = true;
        sent[c.id()] = command;
        sentAfterHeal[c.id()] = healed;
        return new Command(c.id(), MqCodec.encodeCommand(command));
    }

    private boolean wantsToSend(Client c, boolean healed) {
        return switch (c.kind()) {
            case CREATOR -> !created[c.number()];
            case PRODUCER -> !healed;
            case CONSUMER -> !healed || !finished();
        };
    }

    private String undrainedTopic(Random random) {
        List<String> left = new ArrayList<>();
        for (int t = 0; t < TOPICS.length; t++) {
            if (!drained[t]) {
                left.add(TOPICS[t]);
            }
        }
        return left.isEmpty() ? TOPICS[0] : left.get(random.nextInt(left.size()));
    }

    @Override
    public void acknowledged(Proposal proposal, byte[] resultBytes) {
        int client = proposal.client();
        MqResult result = MqCodec.decodeResult(resultBytes);
        MqCommand command = sent[client];
        history.add(new MqOperation(client, command, proposal, MqOperation.Outcome.ACKNOWLEDGED, result,
                sentAfterHeal[client]));
        if (command instanceof MqCommand.CreateTopic c) {
            created[indexOf(c.topic())] = true; // OK, or TOPIC_EXISTS after an earlier unknown attempt
        } else if (command instanceof MqCommand.PopMessage p && sentAfterHeal[client]
                && result.outcome() == MqResult.Outcome.QUEUE_EMPTY) {
            drained[indexOf(p.topic())] = true;
        }
        busy[client] = false;
    }

    @Override
    public void outcomeUnknown(Proposal proposal) {
        int client = proposal.client();
        history.add(new MqOperation(client, sent[client], proposal, MqOperation.Outcome.UNKNOWN, null,
                sentAfterHeal[client]));
        busy[client] = false;
    }

    @Override
    public void rejected(Command command) {
        busy[command.client()] = false; // not appended anywhere: nothing happened
    }

    @Override
    public boolean finished() {
        for (boolean d : drained) {
            if (!d) {
                return false;
            }
        }
        return true;
    }

    List<MqOperation> history() {
        return List.copyOf(history);
    }

    private static int indexOf(String topic) {
        for (int t = 0; t < TOPICS.length; t++) {
            if (TOPICS[t].equals(topic)) {
                return t;
            }
        }
        throw new IllegalArgumentException(topic);
    }
}

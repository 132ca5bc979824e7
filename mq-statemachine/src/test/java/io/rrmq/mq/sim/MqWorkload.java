package io.rrmq.mq.sim;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.StateMachine;
import io.rrmq.raft.testkit.Proposal;
import io.rrmq.raft.testkit.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Producers, consumers and topic creators of the message queue, each with at most one request
 * outstanding, as an HTTP client waiting for its answer.
 * <ul>
 *   <li>Producers put unique payloads {@code p<producer>-<n>} with n increasing, one at a time or in
 *       batches of 2-4 ({@code PutBatch}); a put whose outcome is unknown is not retried.</li>
 *   <li>Poppers pop destructively, as the assignment's GET does.</li>
 *   <li>Receivers receive (1-3 messages, 20-300 ms visibility) and then ack all, ack some, nack, or
 *       drop what they hold (a consumer that crashed); every receive, ack and nack carries a request
 *       id and is retried with it, under a new stamp, until its outcome is known.</li>
 *   <li>A ticker proposes clock entries. Time is a logical clock of the workload, advanced at every
 *       request; stamps jitter up to 50 ms behind it, as a new leader's clock may be behind.</li>
 *   <li>{@code orders} sends a message to {@code dead} after its 3rd unacknowledged delivery.</li>
 * </ul>
 * After healing, producers and receivers stop; once every receiver is idle, the ticker proposes one
 * entry an hour ahead (every delivery then expires), and poppers drain until each topic has
 * answered "empty" to a pop sent after that entry was acknowledged.
 */
final class MqWorkload implements Workload {
    static final String DEAD = "dead";
    static final String[] TOPICS = {"orders", "events", DEAD};
    static final int MAX_DELIVERIES = 3;
    private static final int PRODUCERS = 3;
    private static final int POPPERS = 2;
    private static final int RECEIVERS = 2;

    private enum Kind { CREATOR, POLICY, PRODUCER, POPPER, RECEIVER, TICKER }

    private record Client(int id, Kind kind, int number) {
    }

    private final List<Client> clients = new ArrayList<>();
    private final boolean[] busy;
    private final MqCommand[] sent;
    private final boolean[] sentAfterFlush;
    /** A receiver's request that must be retried with its id until its outcome is known. */
    private final MqCommand[] retry;
    private final List<List<MqResult.Delivery>> held = new ArrayList<>();
    private final String[] heldTopic;
    private final long[] nextPayload = new long[PRODUCERS];
    private final int[] nextRequest;
    private final boolean[] created = new boolean[TOPICS.length];
    private boolean policySet;
    private final boolean[] drained = new boolean[TOPICS.length];
    private boolean flushSent;
    private boolean flushAcked;
    private long clock = 1_000_000;
    private final List<MqOperation> history = new ArrayList<>();

    /**
     * How each node incarnation's state machine is made, given the node's id: the simulation makes a
     * new one at every (re)start.
     */
    private final java.util.function.IntFunction<TopicStateMachine> machines;

    MqWorkload() {
        this(node -> new TopicStateMachine());
    }

    MqWorkload(java.util.function.IntFunction<TopicStateMachine> machines) {
        this.machines = machines;
        for (int t = 0; t < TOPICS.length; t++) {
            clients.add(new Client(clients.size(), Kind.CREATOR, t));
        }
        clients.add(new Client(clients.size(), Kind.POLICY, 0));
        for (int p = 0; p < PRODUCERS; p++) {
            clients.add(new Client(clients.size(), Kind.PRODUCER, p));
        }
        for (int c = 0; c < POPPERS; c++) {
            clients.add(new Client(clients.size(), Kind.POPPER, c));
        }
        for (int r = 0; r < RECEIVERS; r++) {
            clients.add(new Client(clients.size(), Kind.RECEIVER, r));
        }
        clients.add(new Client(clients.size(), Kind.TICKER, 0));
        busy = new boolean[clients.size()];
        sent = new MqCommand[clients.size()];
        sentAfterFlush = new boolean[clients.size()];
        retry = new MqCommand[clients.size()];
        heldTopic = new String[clients.size()];
        nextRequest = new int[clients.size()];
        for (int i = 0; i < clients.size(); i++) {
            held.add(List.of());
        }
    }

    @Override
    public StateMachine newStateMachine() {
        throw new UnsupportedOperationException("the simulation names the node: newStateMachine(node)");
    }

    @Override
    public StateMachine newStateMachine(int node) {
        return machines.apply(node);
    }

    @Override
    public Command next(Random random, boolean healed) {
        clock += random.nextInt(20);
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
            case POLICY -> new MqCommand.SetPolicy(TOPICS[0], MAX_DELIVERIES, DEAD);
            case PRODUCER -> produce(random, c.number());
            case POPPER -> new MqCommand.PopMessage(healed ? undrainedTopic(random) : TOPICS[random.nextInt(TOPICS.length)]);
            case RECEIVER -> stamp(random, receiverRequest(random, c.id()));
            case TICKER -> {
                if (healed) {
                    flushSent = true;
                    yield new MqCommand.Stamped(clock + 3_600_000, nonce(random), new MqCommand.Tick());
                }
                yield stamp(random, new MqCommand.Tick());
            }
        };
        busy[c.id()] = true;
        sent[c.id()] = command;
        sentAfterFlush[c.id()] = flushAcked;
        return new Command(c.id(), MqCodec.encodeCommand(command));
    }

    private MqCommand produce(Random random, int producer) {
        String topic = TOPICS[random.nextInt(2)];
        if (random.nextInt(4) == 0) {
            List<String> batch = new ArrayList<>();
            for (int i = 2 + random.nextInt(3); i > 0; i--) {
                batch.add("p" + producer + "-" + nextPayload[producer]++);
            }
            return new MqCommand.PutBatch(topic, batch);
        }
        return new MqCommand.PutMessage(topic, "p" + producer + "-" + nextPayload[producer]++);
    }

    /** A receiver's next request: the retry of an unknown one, else ack/nack/drop what it holds, else a receive. */
    private MqCommand receiverRequest(Random random, int client) {
        if (retry[client] != null) {
            return retry[client];
        }
        String id = "c" + client + "-" + nextRequest[client]++;
        List<MqResult.Delivery> holding = held.get(client);
        MqCommand request;
        if (!holding.isEmpty()) {
            List<String> receipts = new ArrayList<>();
            for (MqResult.Delivery d : holding) {
                if (random.nextInt(5) > 0) {
                    receipts.add(d.receipt());
                }
            }
            if (receipts.isEmpty()) {
                receipts.add(holding.get(0).receipt());
            }
            int choice = random.nextInt(10);
            // Acks for another topic's receipts now and then: they must count nothing.
            String topic = random.nextInt(20) == 0 ? TOPICS[random.nextInt(TOPICS.length)] : heldTopic[client];
            held.set(client, List.of());
            if (choice == 0) {
                return receive(random, id); // dropped: a consumer that crashed; they must come back
            }
            request = choice < 3 ? new MqCommand.Nack(topic, receipts) : new MqCommand.Ack(topic, receipts);
        } else {
            request = receive(random, id).command();
        }
        MqCommand identified = request instanceof MqCommand.Identified ? request : new MqCommand.Identified(id, request);
        retry[client] = identified;
        return identified;
    }

    private MqCommand.Identified receive(Random random, String id) {
        String topic = TOPICS[random.nextInt(TOPICS.length)];
        return new MqCommand.Identified(id, new MqCommand.Receive(topic, 1 + random.nextInt(3), 20 + random.nextInt(280)));
    }

    private MqCommand stamp(Random random, MqCommand command) {
        return new MqCommand.Stamped(clock - random.nextInt(50), nonce(random), command);
    }

    private static byte[] nonce(Random random) {
        byte[] nonce = new byte[MqCommand.Stamped.NONCE_BYTES];
        random.nextBytes(nonce);
        return nonce;
    }

    private boolean wantsToSend(Client c, boolean healed) {
        return switch (c.kind()) {
            case CREATOR -> !created[c.number()];
            case POLICY -> !policySet && allCreated();
            case PRODUCER -> !healed;
            case POPPER -> !healed || (flushAcked && !finished());
            case RECEIVER -> !healed;
            case TICKER -> !healed ? true : !flushAcked && receiversIdle() && allCreated() && policySet;
        };
    }

    private boolean allCreated() {
        for (boolean b : created) {
            if (!b) {
                return false;
            }
        }
        return true;
    }

    private boolean receiversIdle() {
        for (Client c : clients) {
            if (c.kind() == Kind.RECEIVER && busy[c.id()]) {
                return false;
            }
        }
        return true;
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
                sentAfterFlush[client]));
        MqCommand inner = command instanceof MqCommand.Stamped s ? s.command() : command;
        MqCommand write = inner instanceof MqCommand.Identified i ? i.command() : inner;
        if (write instanceof MqCommand.CreateTopic c) {
            created[indexOf(c.topic())] = true; // OK, or TOPIC_EXISTS after an earlier unknown attempt
        } else if (write instanceof MqCommand.SetPolicy) {
            policySet = result.outcome() == MqResult.Outcome.OK;
        } else if (write instanceof MqCommand.PopMessage p && sentAfterFlush[client]
                && result.outcome() == MqResult.Outcome.QUEUE_EMPTY) {
            drained[indexOf(p.topic())] = true;
        } else if (write instanceof MqCommand.Receive r) {
            held.set(client, result.deliveries());
            heldTopic[client] = r.topic();
        } else if (write instanceof MqCommand.Tick && flushSent) {
            flushAcked = true;
        }
        retry[client] = null;
        busy[client] = false;
    }

    @Override
    public void outcomeUnknown(Proposal proposal) {
        int client = proposal.client();
        history.add(new MqOperation(client, sent[client], proposal, MqOperation.Outcome.UNKNOWN, null,
                sentAfterFlush[client]));
        busy[client] = false;
    }

    @Override
    public void rejected(Command command) {
        busy[command.client()] = false; // not appended anywhere: nothing happened (a retry stays pending)
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

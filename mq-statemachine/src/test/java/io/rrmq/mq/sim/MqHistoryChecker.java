package io.rrmq.mq.sim;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.LogEntry;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a queue history against the committed log. The committed log, replayed on a fresh
 * {@link TopicStateMachine}, is the truth: it says what each committed request did, including those
 * whose client never learned the outcome. Against it:
 * <ul>
 *   <li>every acknowledged request is committed where it was appended, with the result the client got;</li>
 *   <li>the machine's results agree, entry by entry, with a plain model of the contract (below);</li>
 *   <li>every acknowledged put is consumed (popped, or received and acked) exactly once by the end
 *       of the drain: nothing lost, nothing consumed twice;</li>
 *   <li>a put whose outcome is unknown is in the log at most once; no two poppers got one message.</li>
 * </ul>
 * The model: every message is visible, in flight (one live receipt, a deadline) or consumed. Time
 * is the largest stamp so far. A stamped entry first expires, in (deadline, delivery) order, every
 * delivery due by then: the message is visible again at its place, or, after the topic's
 * {@code maxDeliveries}-th delivery, appended to the dead-letter topic. A pop or receive must hand
 * out exactly the oldest visible messages of the topic (FIFO among visible: returned messages at
 * their original place, ahead of newer ones), each with its delivery count; so an acked message is
 * never delivered again, an in-flight one not before its deadline or nack, and an unacked one comes
 * back. An ack or nack must count exactly the receipts that name a live delivery of that topic.
 */
final class MqHistoryChecker {
    private record Applied(MqCommand command, MqResult result) {
    }

    private static final class Message {
        final String payload;
        String topic;
        long seq;
        int deliveries;
        boolean consumed;
        boolean inDeadLetters;
        String receipt;
        long deadline;
        long order;

        Message(String payload) {
            this.payload = payload;
        }
    }

    /** The plain model of the queue contract. */
    private static final class Model {
        final Map<String, TreeMap<Long, Message>> visible = new HashMap<>();
        final Map<String, Long> nextSeq = new HashMap<>();
        final Map<String, Message> byPayload = new HashMap<>();
        final Map<String, Message> byReceipt = new HashMap<>();
        final TreeSet<Message> inFlight = new TreeSet<>((a, b) -> a.deadline != b.deadline
                ? Long.compare(a.deadline, b.deadline) : Long.compare(a.order, b.order));
        final Map<String, Integer> maxDeliveries = new HashMap<>();
        final Map<String, String> deadLetterTopic = new HashMap<>();
        final Set<String> consumed = new HashSet<>();
        long clock;
        long nextOrder;
        long deadLettered;

        void createTopic(String topic) {
            visible.putIfAbsent(topic, new TreeMap<>());
            nextSeq.putIfAbsent(topic, 0L);
        }

        void append(String topic, Message m) {
            m.topic = topic;
            m.seq = nextSeq.merge(topic, 1L, Long::sum) - 1;
            visible.get(topic).put(m.seq, m);
        }

        void put(long index, String topic, String payload) {
            if (byPayload.containsKey(payload)) {
                fail("payload " + payload + " put twice (again at index " + index + ")");
            }
            Message m = new Message(payload);
            byPayload.put(payload, m);
            append(topic, m);
        }

        void advance(long stamp) {
            clock = Math.max(clock, stamp);
            while (!inFlight.isEmpty() && inFlight.first().deadline <= clock) {
                endWithoutAck(inFlight.pollFirst());
            }
        }

        void endWithoutAck(Message m) {
            byReceipt.remove(m.receipt);
            m.receipt = null;
            Integer max = maxDeliveries.get(m.topic);
            if (max != null && max > 0 && m.deliveries >= max) {
                m.deliveries = 0;
                m.inDeadLetters = true;
                deadLettered++;
                append(deadLetterTopic.get(m.topic), m);
            } else {
                visible.get(m.topic).put(m.seq, m);
            }
        }

        /** The oldest visible message of {@code topic}, removed, or null. */
        Message takeOldest(String topic) {
            Map.Entry<Long, Message> first = visible.get(topic).pollFirstEntry();
            return first == null ? null : first.getValue();
        }

        void consume(long index, Message m) {
            if (!consumed.add(m.payload)) {
                fail("message " + m.payload + " consumed twice (again at index " + index + ")");
            }
            m.consumed = true;
        }
    }

    private MqHistoryChecker() {
    }

    /** Throws AssertionError naming the first broken property. */
    static void check(List<MqOperation> history, List<LogEntry> committedLog) {
        TreeMap<Long, Applied> truth = replay(committedLog);
        requireAcknowledgedMatchTruth(history, committedLog, truth);
        Model model = new Model();
        for (Map.Entry<Long, Applied> e : truth.entrySet()) {
            follow(model, e.getKey(), e.getValue().command(), e.getValue().result());
        }
        for (MqOperation op : history) {
            if (op.outcome() != MqOperation.Outcome.ACKNOWLEDGED || op.result().outcome() != MqResult.Outcome.OK) {
                continue;
            }
            MqCommand write = unwrap(op.command());
            List<String> payloads = write instanceof MqCommand.PutMessage p ? List.of(p.message())
                    : write instanceof MqCommand.PutBatch b ? b.messages() : List.of();
            for (String payload : payloads) {
                if (!model.consumed.contains(payload)) {
                    fail("acknowledged put " + payload + " (index " + op.proposal().index() + ") never consumed");
                }
            }
        }
        requireClientsSawNoDuplicate(history);
    }

    /** How many messages went to a dead-letter topic in this history (for the test's summary). */
    static long deadLettered(List<LogEntry> committedLog) {
        Model model = new Model();
        for (Map.Entry<Long, Applied> e : replay(committedLog).entrySet()) {
            follow(model, e.getKey(), e.getValue().command(), e.getValue().result());
        }
        return model.deadLettered;
    }

    private static MqCommand unwrap(MqCommand command) {
        MqCommand inner = command instanceof MqCommand.Stamped s ? s.command() : command;
        return inner instanceof MqCommand.Identified i ? i.command() : inner;
    }

    /** Applies one committed entry to the model and checks the machine's result against it. */
    private static void follow(Model model, long index, MqCommand command, MqResult result) {
        boolean stamped = command instanceof MqCommand.Stamped;
        if (command instanceof MqCommand.Stamped s) {
            model.advance(s.nowMillis());
        }
        if (result.replayed() || result.outcome() == MqResult.Outcome.REQUEST_ID_REUSED) {
            return; // an earlier application's result: nothing happened now
        }
        MqCommand write = unwrap(command);
        String at = " at index " + index + " (" + write + ")";
        if (write instanceof MqCommand.CreateTopic c) {
            model.createTopic(c.topic());
        } else if (write instanceof MqCommand.SetPolicy p && result.outcome() == MqResult.Outcome.OK) {
            model.maxDeliveries.put(p.topic(), p.maxDeliveries());
            model.deadLetterTopic.put(p.topic(), p.deadLetterTopic());
        } else if (write instanceof MqCommand.PutMessage p && result.outcome() == MqResult.Outcome.OK) {
            model.put(index, p.topic(), p.message());
        } else if (write instanceof MqCommand.PutBatch b && result.outcome() == MqResult.Outcome.OK) {
            for (String payload : b.messages()) {
                model.put(index, b.topic(), payload);
            }
        } else if (write instanceof MqCommand.PopMessage p && model.visible.containsKey(p.topic())) {
            Message expected = model.takeOldest(p.topic());
            String got = result.outcome() == MqResult.Outcome.OK ? result.message() : null;
            if (expected == null ? got != null : !expected.payload.equals(got)) {
                fail("pop" + at + " returned " + got + "; the oldest visible message was "
                        + (expected == null ? "none" : expected.payload));
            }
            if (expected != null) {
                model.consume(index, expected);
            }
        } else if (write instanceof MqCommand.Receive r && model.visible.containsKey(r.topic())) {
            if (!stamped) {
                return;
            }
            List<MqResult.Delivery> got = result.deliveries();
            for (int i = 0; i < r.max(); i++) {
                Message expected = model.takeOldest(r.topic());
                if (expected == null) {
                    if (got.size() != i) {
                        fail("receive" + at + " handed out " + got.size() + " messages; " + i + " were visible");
                    }
                    break;
                }
                if (i >= got.size() || !got.get(i).message().equals(expected.payload)) {
                    fail("receive" + at + " handed out " + got + "; message " + i + " should be " + expected.payload
                            + " (the oldest visible)");
                }
                expected.deliveries++;
                if (got.get(i).deliveries() != expected.deliveries) {
                    fail("receive" + at + ": " + expected.payload + " delivery count " + got.get(i).deliveries()
                            + ", expected " + expected.deliveries);
                }
                String receipt = got.get(i).receipt();
                if (model.byReceipt.put(receipt, expected) != null) {
                    fail("receipt " + receipt + " handed out twice" + at);
                }
                expected.receipt = receipt;
                expected.deadline = model.clock + r.visibilityMillis();
                expected.order = model.nextOrder++;
                model.inFlight.add(expected);
            }
        } else if ((write instanceof MqCommand.Ack || write instanceof MqCommand.Nack)
                && result.outcome() == MqResult.Outcome.OK) {
            boolean ack = write instanceof MqCommand.Ack;
            String topic = ack ? ((MqCommand.Ack) write).topic() : ((MqCommand.Nack) write).topic();
            List<String> receipts = ack ? ((MqCommand.Ack) write).receipts() : ((MqCommand.Nack) write).receipts();
            int live = 0;
            for (String receipt : new LinkedHashSet<>(receipts)) {
                Message m = model.byReceipt.get(receipt);
                if (m == null || !m.topic.equals(topic)) {
                    continue;
                }
                live++;
                model.inFlight.remove(m);
                if (ack) {
                    model.byReceipt.remove(receipt);
                    m.receipt = null;
                    model.consume(index, m);
                } else {
                    model.endWithoutAck(m);
                }
            }
            if (live != result.count()) {
                fail((ack ? "ack" : "nack") + at + " counted " + result.count() + "; " + live
                        + " receipts named a live delivery of " + topic);
            }
        }
    }

    private static TreeMap<Long, Applied> replay(List<LogEntry> committedLog) {
        TopicStateMachine machine = new TopicStateMachine();
        TreeMap<Long, Applied> truth = new TreeMap<>();
        for (LogEntry e : committedLog) {
            if (e.type() == LogEntry.Type.COMMAND) {
                MqResult result = MqCodec.decodeResult(machine.apply(e.index(), e.data()));
                truth.put(e.index(), new Applied(MqCodec.decodeCommand(e.data()), result));
            }
        }
        return truth;
    }

    private static void requireAcknowledgedMatchTruth(List<MqOperation> history, List<LogEntry> committedLog,
                                                      TreeMap<Long, Applied> truth) {
        for (MqOperation op : history) {
            if (op.outcome() != MqOperation.Outcome.ACKNOWLEDGED) {
                continue;
            }
            long index = op.proposal().index();
            LogEntry entry = index <= committedLog.size() ? committedLog.get((int) index - 1) : null;
            if (entry == null || entry.term() != op.proposal().term()
                    || !Arrays.equals(entry.data(), op.proposal().command())) {
                fail("acknowledged " + op.command() + " at " + index + " is not what was committed there: " + entry);
            }
            if (!truth.get(index).result().equals(op.result())) {
                fail("client got " + op.result() + " for " + op.command() + " at " + index + "; the log says "
                        + truth.get(index).result());
            }
        }
    }

    private static void requireClientsSawNoDuplicate(List<MqOperation> history) {
        Set<String> unique = new HashSet<>();
        for (MqOperation op : history) {
            if (op.outcome() == MqOperation.Outcome.ACKNOWLEDGED && unwrap(op.command()) instanceof MqCommand.PopMessage
                    && op.result().message() != null) {
                if (!unique.add(op.result().message())) {
                    fail("two consumers were handed " + op.result().message());
                }
            }
        }
    }


    private static void fail(String problem) {
        throw new AssertionError("queue history: " + problem);
    }
}

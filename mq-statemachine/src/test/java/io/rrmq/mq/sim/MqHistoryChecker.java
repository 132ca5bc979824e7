package io.rrmq.mq.sim;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.MqResult;
import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.LogEntry;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a queue history against the committed log. The committed log, replayed on a fresh
 * {@link TopicStateMachine}, is the truth: it says what each committed request did, including those
 * whose client never learned the outcome (a pop that committed after its leader was deposed
 * consumed its message all the same). Against it:
 * <ul>
 *   <li>every acknowledged request is committed where it was appended, with the result the client got;</li>
 *   <li>no message is popped twice, and no pop returns a message that was not put;</li>
 *   <li>every acknowledged put is popped exactly once by the end of the drain;</li>
 *   <li>a put whose outcome is unknown is in the log at most once;</li>
 *   <li>FIFO: per topic, each producer's messages come out in the order it put them.</li>
 * </ul>
 */
final class MqHistoryChecker {
    /** What a committed command did, by log index. */
    private record Applied(MqCommand command, MqResult result) {
    }

    private MqHistoryChecker() {
    }

    /** Throws AssertionError naming the first broken property. */
    static void check(List<MqOperation> history, List<LogEntry> committedLog) {
        TreeMap<Long, Applied> truth = replay(committedLog);
        requireAcknowledgedMatchTruth(history, committedLog, truth);

        Map<String, Integer> timesPut = new HashMap<>();
        Set<String> popped = new HashSet<>();
        Map<String, Map<Integer, Long>> lastPoppedPerProducer = new HashMap<>();
        for (Map.Entry<Long, Applied> e : truth.entrySet()) {
            MqCommand command = e.getValue().command();
            MqResult result = e.getValue().result();
            if (command instanceof MqCommand.PutMessage put && result.outcome() == MqResult.Outcome.OK) {
                if (timesPut.merge(put.message(), 1, Integer::sum) > 1) {
                    fail("payload " + put.message() + " put twice (second at index " + e.getKey() + ")");
                }
            } else if (command instanceof MqCommand.PopMessage pop && result.outcome() == MqResult.Outcome.OK) {
                String message = result.message();
                if (!timesPut.containsKey(message)) {
                    fail("pop at " + e.getKey() + " returned " + message + ", never put");
                }
                if (!popped.add(message)) {
                    fail("message " + message + " popped twice (again at index " + e.getKey() + ")");
                }
                int producer = producerOf(message);
                long sequence = sequenceOf(message);
                Long before = lastPoppedPerProducer.computeIfAbsent(pop.topic(), t -> new HashMap<>()).put(producer, sequence);
                if (before != null && before >= sequence) {
                    fail("FIFO broken on " + pop.topic() + ": " + message + " popped after p" + producer + "-" + before);
                }
            }
        }
        for (MqOperation op : history) {
            if (op.outcome() == MqOperation.Outcome.ACKNOWLEDGED && op.command() instanceof MqCommand.PutMessage put
                    && op.result().outcome() == MqResult.Outcome.OK && !popped.contains(put.message())) {
                fail("acknowledged put " + put.message() + " (index " + op.proposal().index() + ") never popped");
            }
        }
        requireClientsSawNoDuplicate(history);
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
            if (op.outcome() == MqOperation.Outcome.ACKNOWLEDGED && op.command() instanceof MqCommand.PopMessage
                    && op.result().message() != null) {
                if (!unique.add(op.result().message())) {
                    fail("two consumers were handed " + op.result().message());
                }
            }
        }
    }

    private static int producerOf(String payload) {
        return Integer.parseInt(payload.substring(1, payload.indexOf('-')));
    }

    private static long sequenceOf(String payload) {
        return Long.parseLong(payload.substring(payload.indexOf('-') + 1));
    }

    private static void fail(String problem) {
        throw new AssertionError("queue history: " + problem);
    }
}

package io.rrmq.server.chaos;

import io.rrmq.server.chaos.Operation.Kind;
import io.rrmq.server.chaos.Operation.Outcome;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a finished chaos history of puts and pops against RRMQ's queue contract.
 *
 * <h2>What a history must look like (preconditions; violated preconditions throw)</h2>
 * <ul>
 *   <li>Every put payload is unique across the history.</li>
 *   <li>One producer per topic: the puts of a topic never overlap in time. Their invocation order is
 *       the topic's <em>put order</em> (for the chaos test: increasing sequence numbers).</li>
 * </ul>
 *
 * <h2>What an outcome tells the checker</h2>
 * An {@code OK} put took effect exactly once, between its invocation and its completion. A
 * {@code FAILED} put never took effect. An {@code UNKNOWN} put took effect at most once, at some
 * time after its invocation, possibly after the client gave up (even after the drain). An
 * {@code OK} pop removed exactly the message it returned (or nothing, if it found the queue empty)
 * within its interval; a {@code FAILED} pop removed nothing; an {@code UNKNOWN} pop removed at most
 * one message of its topic, at some time after its invocation. With request ids, clients retry an
 * unanswered operation with the same id until a definite answer, so {@code UNKNOWN} is left only for
 * operations whose retry budget ran out; it should be rare, and the summary counts it.
 *
 * <h2>What is rejected (a violation each)</h2>
 * <ol>
 *   <li><b>phantom</b>: a pop returned a payload no put of that topic carried;</li>
 *   <li><b>failed put delivered</b>: a pop returned the payload of a {@code FAILED} put;</li>
 *   <li><b>duplicate delivery</b>: two ok pops returned the same payload;</li>
 *   <li><b>read from the future</b>: a pop returned a payload whose put was invoked only after the
 *       pop completed;</li>
 *   <li><b>FIFO</b>: pop A completed before pop B was invoked, on the same topic, yet A returned a
 *       message later in put order than B's. (With concurrent consumers the order of overlapping
 *       pops is unknown, so only real-time-ordered pairs are compared; an unknown put may be absent,
 *       never out of place.)</li>
 *   <li><b>empty while waiting</b>: a pop found a topic empty although an {@code OK} put of that
 *       topic had completed before the pop was invoked and the message was popped only by a pop
 *       invoked after the empty pop completed;</li>
 *   <li><b>not drained</b>: a topic with puts has no ok pop that found it empty after every
 *       {@code OK} put of it completed (the history must end with a drain, or "lost" means
 *       nothing);</li>
 *   <li><b>lost</b>: more {@code OK} puts of a topic were never delivered than there are
 *       {@code UNKNOWN} pops of that topic. An unknown pop may have consumed one message unseen, so
 *       each may account for one missing acknowledged put (it may have taken effect at any time
 *       after its invocation, hence no timing constraint); any acknowledged put beyond that count is
 *       lost. Missing puts so attributed are counted in the verdict, not hidden.</li>
 * </ol>
 * Accepted: anything else, in particular unknown puts that never show up, unknown puts delivered
 * once in their place, and empty pops of queues whose only messages are unknown puts.
 */
public final class HistoryChecker {
    /** At most this many violations of one kind are listed; the rest are counted. */
    private static final int LISTED_PER_KIND = 10;

    private HistoryChecker() {
    }

    /**
     * The result: the violations (the first few of each kind listed, all counted; none when the history
     * is accepted) and counts for the summary.
     */
    public record Verdict(List<String> violations, int violationCount, Map<Kind, Map<Outcome, Integer>> counts,
                          int delivered, int emptyPops, int replayed, int savedByRetry,
                          int missingAttributedToUnknownPops) {
        public boolean ok() {
            return violationCount == 0;
        }

        /** One line: operations per kind and outcome, deliveries, and the number of violations. */
        public String summary() {
            StringBuilder b = new StringBuilder();
            for (Kind kind : Kind.values()) {
                Map<Outcome, Integer> byOutcome = counts.get(kind);
                b.append(kind.name().toLowerCase()).append(' ');
                for (Outcome o : Outcome.values()) {
                    b.append(o.name().toLowerCase()).append('=').append(byOutcome.get(o)).append(' ');
                }
                b.append("| ");
            }
            return b.append("delivered=").append(delivered).append(" empty-pops=").append(emptyPops)
                    .append(" replayed=").append(replayed).append(" ok-after-uncertain-attempt=").append(savedByRetry)
                    .append(" acked-missing-attributed-to-unknown-pops=").append(missingAttributedToUnknownPops)
                    .append(" | violations=").append(violationCount).toString();
        }
    }

    public static Verdict check(List<Operation> history) {
        Map<Kind, Map<Outcome, Integer>> counts = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            Map<Outcome, Integer> m = new EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                m.put(o, 0);
            }
            counts.put(k, m);
        }
        Map<String, List<Operation>> byTopic = new LinkedHashMap<>();
        Map<String, Operation> putByPayload = new HashMap<>();
        int replayed = 0;
        int savedByRetry = 0;
        for (Operation op : history) {
            counts.get(op.kind()).merge(op.outcome(), 1, Integer::sum);
            replayed += op.replayed() ? 1 : 0;
            savedByRetry += op.outcome() == Outcome.OK && op.uncertain() > 0 ? 1 : 0;
            byTopic.computeIfAbsent(op.topic(), t -> new ArrayList<>()).add(op);
            if (op.kind() == Kind.PUT && putByPayload.put(op.value(), op) != null) {
                throw new IllegalArgumentException("payload put twice: " + op.value());
            }
        }
        Violations violations = new Violations();
        int delivered = 0;
        int empty = 0;
        int attributed = 0;
        for (Map.Entry<String, List<Operation>> e : byTopic.entrySet()) {
            TopicCheck topic = new TopicCheck(e.getKey(), e.getValue(), violations);
            topic.run();
            delivered += topic.pops.size();
            empty += topic.empties.size();
            attributed += topic.attributed;
        }
        return new Verdict(violations.list(), violations.count(), counts, delivered, empty, replayed, savedByRetry,
                attributed);
    }

    /** The checks of one topic. */
    private static final class TopicCheck {
        private final String topic;
        private final Violations violations;
        private final List<Operation> puts = new ArrayList<>();
        /** Ok pops that returned a message. */
        private final List<Operation> pops = new ArrayList<>();
        private final List<Operation> empties = new ArrayList<>();
        private int unknownPops;
        /** Put order: payload to its put's position. */
        private final Map<String, Integer> rank = new HashMap<>();
        /** Payload to the first ok pop that returned it. */
        private final Map<String, Operation> popOf = new HashMap<>();
        private int attributed;

        TopicCheck(String topic, List<Operation> ops, Violations violations) {
            this.topic = topic;
            this.violations = violations;
            for (Operation op : ops) {
                if (op.kind() == Kind.PUT) {
                    puts.add(op);
                } else if (op.delivered()) {
                    pops.add(op);
                } else if (op.foundEmpty()) {
                    empties.add(op);
                } else if (op.outcome() == Outcome.UNKNOWN) {
                    unknownPops++;
                }
            }
            puts.sort(Comparator.comparingLong(Operation::invokedAt));
            for (int i = 0; i < puts.size(); i++) {
                if (i > 0 && puts.get(i - 1).completedAt() > puts.get(i).invokedAt()) {
                    throw new IllegalArgumentException("puts of topic " + topic + " overlap (one producer per topic): "
                            + puts.get(i - 1) + " / " + puts.get(i));
                }
                rank.put(puts.get(i).value(), i);
            }
        }

        void run() {
            Map<String, Operation> putOf = new HashMap<>();
            for (Operation put : puts) {
                putOf.put(put.value(), put);
            }
            for (Operation pop : pops) {
                Operation put = putOf.get(pop.value());
                Operation first = popOf.putIfAbsent(pop.value(), pop);
                if (put == null) {
                    violations.add("phantom", "topic " + topic + ": " + pop + " returned a message nobody put");
                    continue;
                }
                if (first != null) {
                    violations.add("duplicate delivery", "topic " + topic + ": '" + pop.value()
                            + "' delivered twice: " + first + " and " + pop);
                }
                if (put.outcome() == Outcome.FAILED) {
                    violations.add("failed put delivered", "topic " + topic + ": " + pop + " returned the payload of "
                            + put);
                }
                if (pop.precedes(put)) {
                    violations.add("read from the future", "topic " + topic + ": " + pop + " completed before " + put);
                }
            }
            checkFifo();
            checkEmpties(putOf);
            checkDrainedAndLost();
        }

        /** Sweep: pops by invocation; for each, the highest-ranked pop that completed before it. */
        private void checkFifo() {
            List<Operation> known = pops.stream().filter(p -> rank.containsKey(p.value())).toList();
            List<Operation> byEnd = new ArrayList<>(known);
            byEnd.sort(Comparator.comparingLong(Operation::completedAt));
            List<Operation> byStart = new ArrayList<>(known);
            byStart.sort(Comparator.comparingLong(Operation::invokedAt));
            int next = 0;
            Operation latest = null;
            for (Operation pop : byStart) {
                while (next < byEnd.size() && byEnd.get(next).precedes(pop)) {
                    Operation done = byEnd.get(next++);
                    if (latest == null || rank.get(done.value()) > rank.get(latest.value())) {
                        latest = done;
                    }
                }
                if (latest != null && rank.get(latest.value()) > rank.get(pop.value())) {
                    violations.add("FIFO", "topic " + topic + ": " + latest + " returned '" + latest.value()
                            + "' before " + pop + " returned the earlier '" + pop.value() + "'");
                }
            }
        }

        private void checkEmpties(Map<String, Operation> putOf) {
            for (Operation empty : empties) {
                for (Operation put : puts) {
                    if (put.outcome() != Outcome.OK || !put.precedes(empty)) {
                        continue;
                    }
                    Operation pop = popOf.get(put.value());
                    if (pop != null && empty.precedes(pop)) {
                        violations.add("empty while waiting", "topic " + topic + ": " + empty
                                + " found it empty, but " + put + " was acknowledged before and popped only later by "
                                + pop);
                    }
                }
            }
        }

        private void checkDrainedAndLost() {
            long lastAckedPut = puts.stream().filter(p -> p.outcome() == Outcome.OK)
                    .mapToLong(Operation::completedAt).max().orElse(Long.MIN_VALUE);
            if (!puts.isEmpty() && empties.stream().noneMatch(e -> e.invokedAt() > lastAckedPut)) {
                violations.add("not drained", "topic " + topic + ": no pop found it empty after its last acknowledged put");
            }
            List<Operation> missing = puts.stream()
                    .filter(p -> p.outcome() == Outcome.OK && !popOf.containsKey(p.value())).toList();
            if (missing.size() > unknownPops) {
                List<String> shown = missing.stream().limit(LISTED_PER_KIND).map(Operation::value).toList();
                violations.add("lost", "topic " + topic + ": " + missing.size() + " acknowledged puts never delivered, "
                        + "only " + unknownPops + " unknown pops could have taken them: " + shown
                        + (missing.size() > shown.size() ? " ..." : ""));
            } else {
                attributed = missing.size();
            }
        }
    }

    /** Violations grouped by kind, the first few of each listed. */
    private static final class Violations {
        private final Map<String, List<String>> byKind = new LinkedHashMap<>();

        void add(String kind, String message) {
            byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(kind + ": " + message);
        }

        int count() {
            return byKind.values().stream().mapToInt(List::size).sum();
        }

        List<String> list() {
            List<String> out = new ArrayList<>();
            byKind.forEach((kind, all) -> {
                out.addAll(all.subList(0, Math.min(all.size(), LISTED_PER_KIND)));
                if (all.size() > LISTED_PER_KIND) {
                    out.add(kind + ": ... and " + (all.size() - LISTED_PER_KIND) + " more");
                }
            });
            return out;
        }
    }
}

package io.rrmq.server.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rrmq.server.chaos.Operation.Kind;
import io.rrmq.server.chaos.Operation.Outcome;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on hand-written histories: each rule is shown to reject its violation and to accept its edge cases. */
class HistoryCheckerTest {
    /** Builds a history on a logical clock: each operation gets the interval the test gives it. */
    private static final class Builder {
        private final List<Operation> ops = new ArrayList<>();
        private int ids;

        Builder put(String topic, String payload, Outcome outcome, long from, long to) {
            ops.add(new Operation("producer-" + topic, Kind.PUT, topic, payload, outcome, "r" + ids++, from, to, 1, 0, false));
            return this;
        }

        Builder pop(String consumer, String topic, String message, long from, long to) {
            ops.add(new Operation(consumer, Kind.POP, topic, message, Outcome.OK, "r" + ids++, from, to, 1, 0, false));
            return this;
        }

        Builder pop(String consumer, String topic, Outcome outcome, long from, long to) {
            ops.add(new Operation(consumer, Kind.POP, topic, null, outcome, "r" + ids++, from, to, 1, 0, false));
            return this;
        }

        /** An ok pop that found the queue empty. */
        Builder empty(String consumer, String topic, long from, long to) {
            return pop(consumer, topic, Outcome.OK, from, to);
        }

        HistoryChecker.Verdict check() {
            return HistoryChecker.check(ops);
        }
    }

    private static Builder history() {
        return new Builder();
    }

    private static void assertRejected(HistoryChecker.Verdict verdict, String kind) {
        assertThat(verdict.ok()).as(verdict.summary()).isFalse();
        assertThat(verdict.violations()).as("violations").anyMatch(v -> v.startsWith(kind + ":"));
    }

    private static void assertAccepted(HistoryChecker.Verdict verdict) {
        assertThat(verdict.violations()).as(verdict.summary()).isEmpty();
        assertThat(verdict.ok()).isTrue();
    }

    @Test
    void acceptsASequentialHistoryDrainedToEmpty() {
        assertAccepted(history()
                .put("t", "1", Outcome.OK, 0, 1).put("t", "2", Outcome.OK, 2, 3)
                .pop("c", "t", "1", 4, 5).pop("c", "t", "2", 6, 7).empty("c", "t", 8, 9)
                .check());
    }

    @Test
    void acceptsConcurrentPopsInEitherOrderWhenTheyOverlap() {
        assertAccepted(history()
                .put("t", "1", Outcome.OK, 0, 1).put("t", "2", Outcome.OK, 2, 3)
                .pop("c0", "t", "2", 4, 10).pop("c1", "t", "1", 5, 9).empty("c0", "t", 11, 12)
                .check());
    }

    @Test
    void acceptsAnUnknownPutThatIsAbsentOrDeliveredOnceInPlace() {
        assertAccepted(history()
                .put("t", "1", Outcome.UNKNOWN, 0, 1).put("t", "2", Outcome.UNKNOWN, 2, 3).put("t", "3", Outcome.OK, 4, 5)
                .pop("c", "t", "2", 6, 7).pop("c", "t", "3", 8, 9).empty("c", "t", 10, 11)
                .check());
    }

    @Test
    void acceptsAMissingAcknowledgedPutWhenAnUnknownPopMayHaveTakenIt() {
        HistoryChecker.Verdict verdict = history()
                .put("t", "1", Outcome.OK, 0, 1).put("t", "2", Outcome.OK, 2, 3)
                .pop("c", "t", Outcome.UNKNOWN, 4, 5).pop("c", "t", "2", 6, 7).empty("c", "t", 8, 9)
                .check();
        assertAccepted(verdict);
        assertThat(verdict.missingAttributedToUnknownPops()).isEqualTo(1);
    }

    @Test
    void acceptsDefinitelyFailedOperationsThatLeaveNoTrace() {
        assertAccepted(history()
                .put("t", "1", Outcome.FAILED, 0, 1).put("t", "2", Outcome.OK, 2, 3)
                .pop("c", "t", Outcome.FAILED, 4, 5).pop("c", "t", "2", 6, 7).empty("c", "t", 8, 9)
                .check());
    }

    @Test
    void acceptsAnEmptyPopWhileTheOnlyMessageIsAnUnknownPutOrStillBeingPut() {
        assertAccepted(history()
                .put("t", "1", Outcome.UNKNOWN, 0, 1).empty("c", "t", 2, 3).pop("c", "t", "1", 4, 5)
                .put("t", "2", Outcome.OK, 6, 9).empty("c1", "t", 7, 8).pop("c", "t", "2", 10, 11)
                .empty("c", "t", 12, 13)
                .check());
    }

    @Test
    void rejectsALostAcknowledgedPut() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1).put("t", "2", Outcome.OK, 2, 3)
                .pop("c", "t", "2", 4, 5).empty("c", "t", 6, 7)
                .check(), "lost");
    }

    @Test
    void rejectsMoreMissingAcknowledgedPutsThanUnknownPops() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1).put("t", "2", Outcome.OK, 2, 3).put("t", "3", Outcome.OK, 4, 5)
                .pop("c", "t", Outcome.UNKNOWN, 6, 7).pop("c", "t", "3", 8, 9).empty("c", "t", 10, 11)
                .check(), "lost");
    }

    @Test
    void rejectsAnUnknownPopOfAnotherTopicAsExcuse() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1).pop("c", "u", Outcome.UNKNOWN, 2, 3)
                .empty("c", "t", 4, 5)
                .check(), "lost");
    }

    @Test
    void rejectsAHistoryThatWasNotDrained() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1).put("t", "2", Outcome.OK, 2, 3).empty("c", "t", 1, 2)
                .pop("c", "t", "1", 4, 5).pop("c", "t", "2", 6, 7)
                .check(), "not drained");
    }

    @Test
    void rejectsADuplicateDelivery() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1)
                .pop("c0", "t", "1", 2, 3).pop("c1", "t", "1", 2, 4).empty("c", "t", 5, 6)
                .check(), "duplicate delivery");
    }

    @Test
    void rejectsADuplicateDeliveryOfAnUnknownPutToo() {
        assertRejected(history()
                .put("t", "1", Outcome.UNKNOWN, 0, 1)
                .pop("c0", "t", "1", 2, 3).pop("c0", "t", "1", 4, 5).empty("c", "t", 6, 7)
                .check(), "duplicate delivery");
    }

    @Test
    void rejectsTheDeliveryOfADefinitelyFailedPut() {
        assertRejected(history()
                .put("t", "1", Outcome.FAILED, 0, 1).put("t", "2", Outcome.OK, 2, 3)
                .pop("c", "t", "1", 4, 5).pop("c", "t", "2", 6, 7).empty("c", "t", 8, 9)
                .check(), "failed put delivered");
    }

    @Test
    void rejectsAMessageNobodyPut() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1)
                .pop("c", "t", "1", 2, 3).pop("c", "t", "ghost", 4, 5).empty("c", "t", 6, 7)
                .check(), "phantom");
    }

    @Test
    void rejectsAMessageOfAnotherTopic() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1).put("u", "u1", Outcome.OK, 0, 1)
                .pop("c", "t", "u1", 2, 3).pop("c", "t", "1", 4, 5).pop("c", "u", "u1", 4, 5)
                .empty("c", "t", 6, 7).empty("c", "u", 6, 7)
                .check(), "phantom");
    }

    @Test
    void rejectsReorderingOfRealTimeOrderedPops() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1).put("t", "2", Outcome.OK, 2, 3)
                .pop("c0", "t", "2", 4, 5).pop("c1", "t", "1", 6, 7).empty("c", "t", 8, 9)
                .check(), "FIFO");
    }

    @Test
    void rejectsAnUnknownPutDeliveredOutOfPlace() {
        assertRejected(history()
                .put("t", "1", Outcome.UNKNOWN, 0, 1).put("t", "2", Outcome.OK, 2, 3)
                .pop("c", "t", "2", 4, 5).pop("c", "t", "1", 6, 7).empty("c", "t", 8, 9)
                .check(), "FIFO");
    }

    @Test
    void rejectsAPopThatReturnsAMessageBeforeItWasPut() {
        assertRejected(history()
                .pop("c", "t", "1", 0, 1).put("t", "1", Outcome.OK, 2, 3).empty("c", "t", 4, 5)
                .check(), "read from the future");
    }

    @Test
    void rejectsAnEmptyPopWhileAnAcknowledgedMessageWaited() {
        assertRejected(history()
                .put("t", "1", Outcome.OK, 0, 1).empty("c", "t", 2, 3)
                .pop("c", "t", "1", 4, 5).empty("c", "t", 6, 7)
                .check(), "empty while waiting");
    }

    @Test
    void refusesHistoriesOutsideItsPreconditions() {
        assertThatThrownBy(() -> history().put("t", "1", Outcome.OK, 0, 1).put("u", "1", Outcome.OK, 2, 3).check())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload put twice");
        assertThatThrownBy(() -> history().put("t", "1", Outcome.OK, 0, 5).put("t", "2", Outcome.OK, 2, 3).check())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
    }

    @Test
    void listsTheFirstViolationsOfAKindAndCountsTheRest() {
        Builder b = history();
        for (int i = 0; i < 30; i++) {
            b.put("t", "m" + i, Outcome.OK, 2L * i, 2L * i + 1);
        }
        HistoryChecker.Verdict verdict = b.empty("c", "t", 100, 101).check();
        assertThat(verdict.violationCount()).isEqualTo(1);
        assertThat(verdict.violations().get(0)).startsWith("lost: topic t: 30 acknowledged puts").endsWith("...");
        assertThat(verdict.summary()).contains("put ok=30 failed=0 unknown=0").endsWith("violations=1");
    }
}

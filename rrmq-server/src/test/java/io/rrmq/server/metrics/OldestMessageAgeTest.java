package io.rrmq.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.mq.MqCodec;
import io.rrmq.mq.MqCommand;
import io.rrmq.mq.TopicStateMachine;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The oldest-message age (SQS's ApproximateAgeOfOldestMessage) that the topic sampler estimates
 * from the state machine's order numbers: a real state machine, entries applied as the Raft loop
 * applies them, and a clock the test moves (no sleeps).
 */
class OldestMessageAgeTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final TopicStateMachine machine = new TopicStateMachine();
    private final TopicSampler sampler = new TopicSampler(machine, 10);
    private long index;
    private long now = System.nanoTime();

    private void apply(MqCommand command) {
        machine.apply(++index, MqCodec.encodeCommand(command));
    }

    /** Moves the clock and samples, as the loop's tick does after entries were applied. */
    private TopicSnapshot sampleAfter(long nanos) {
        now += nanos;
        sampler.maybeSample(index, now);
        return sampler.latest();
    }

    private double ageOf(String topic) {
        return sampler.latest().first(10).stream().filter(t -> t.name().equals(topic)).findFirst().orElseThrow()
                .oldestAgeSeconds(now);
    }

    @Test
    void theAgeGrowsWhileNothingIsPoppedAndDropsAfterPops() {
        apply(new MqCommand.CreateTopic("jobs"));
        sampleAfter(SECOND);
        assertThat(ageOf("jobs")).as("an empty topic has no oldest message").isNaN();

        apply(new MqCommand.PutMessage("jobs", "first"));
        sampleAfter(SECOND);
        assertThat(ageOf("jobs")).isEqualTo(0.0);
        for (int second = 1; second <= 5; second++) {
            apply(new MqCommand.PutMessage("jobs", "later " + second));
            sampleAfter(SECOND);
        }
        now += 10 * SECOND; // nothing applied: no sample, yet the age keeps growing when read
        assertThat(ageOf("jobs")).isEqualTo(15.0);

        apply(new MqCommand.PopMessage("jobs")); // "first" goes; "later 1" came 1 s after it
        sampleAfter(SECOND);
        assertThat(ageOf("jobs")).isEqualTo(15.0);
        apply(new MqCommand.PopMessage("jobs"));
        apply(new MqCommand.PopMessage("jobs"));
        apply(new MqCommand.PopMessage("jobs")); // "later 4" is the oldest: first seen by the sample 13 s ago
        sampleAfter(SECOND);
        assertThat(ageOf("jobs")).isEqualTo(13.0);

        apply(new MqCommand.PopMessage("jobs"));
        apply(new MqCommand.PopMessage("jobs"));
        sampleAfter(SECOND);
        assertThat(ageOf("jobs")).as("empty again").isNaN();
        apply(new MqCommand.PutMessage("jobs", "new"));
        sampleAfter(SECOND);
        assertThat(ageOf("jobs")).isEqualTo(0.0);
    }

    @Test
    void messagesFoundAtTheFirstSampleAreDatedFromIt() {
        apply(new MqCommand.CreateTopic("old"));
        apply(new MqCommand.PutMessage("old", "m"));
        sampleAfter(SECOND);
        now += 7 * SECOND;
        assertThat(ageOf("old")).isEqualTo(7.0);
    }

    @Test
    void onlyTheTrackedTopicsHaveAnAge() {
        TopicSampler narrow = new TopicSampler(machine, 1);
        apply(new MqCommand.CreateTopic("a"));
        apply(new MqCommand.CreateTopic("b"));
        apply(new MqCommand.PutMessage("a", "m"));
        apply(new MqCommand.PutMessage("b", "m"));
        narrow.maybeSample(index, now + SECOND);
        assertThat(narrow.latest().first(2)).extracting(t -> Double.isNaN(t.oldestAgeSeconds(now + 2 * SECOND)))
                .containsExactly(false, true);
    }

    @Test
    void aTimelineStaysBoundedAndKeepsALowerBound() {
        ArrivalTimeline timeline = new ArrivalTimeline();
        long t = 0;
        // 100 bursts of one message each, one second apart, nothing popped: message 0 arrived by t = 0.
        for (int burst = 0; burst < 100; burst++) {
            assertThat(timeline.arrivedBy(0, burst + 1, t)).isEqualTo(0);
            assertThat(timeline.size()).isLessThanOrEqualTo(ArrivalTimeline.CAPACITY);
            t += SECOND;
        }
        // Pop up to message 50: its sample was thinned away, so it is dated by a later sample (a lower
        // bound of its age: it arrived at 50 s), never by an earlier one.
        long arrivedBy = timeline.arrivedBy(50, 100, t);
        assertThat(arrivedBy).isGreaterThanOrEqualTo(50 * SECOND).isLessThan(100 * SECOND);
        assertThat(timeline.arrivedBy(100, 100, t)).isEqualTo(ArrivalTimeline.NONE);
    }

    @Test
    void numbersThatGoBackStartTheTimelineOver() {
        ArrivalTimeline timeline = new ArrivalTimeline();
        timeline.arrivedBy(0, 10, 0);
        timeline.arrivedBy(0, 20, SECOND);
        assertThat(timeline.arrivedBy(2, 5, 5 * SECOND)).isEqualTo(5 * SECOND);
        assertThat(timeline.size()).isEqualTo(1);
    }
}

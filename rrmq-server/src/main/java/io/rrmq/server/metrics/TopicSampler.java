package io.rrmq.server.metrics;

import io.rrmq.mq.TopicStateMachine;
import java.util.concurrent.TimeUnit;

/**
 * Samples the depth of every topic from the state machine, on the Raft event loop (the only thread
 * that may read it), and publishes an immutable {@link TopicSnapshot} for any thread to read.
 *
 * <p>Sampled from {@link RaftBinding#ticked}: at most every {@link #MIN_INTERVAL_NANOS}, and only
 * when an entry was applied since the last sample, so an idle node does no work and a busy one pays
 * one pass over its topics (two array copies; ~0.1 ms for 10,000 topics) a few times a second.
 */
final class TopicSampler {
    static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final TopicStateMachine machine;
    private volatile TopicSnapshot latest = TopicSnapshot.EMPTY;
    /** Loop thread only. */
    private long sampledAtNanos;
    private long sampledApplied = -1;

    TopicSampler(TopicStateMachine machine) {
        this.machine = machine;
        this.sampledAtNanos = System.nanoTime() - MIN_INTERVAL_NANOS; // the first tick samples
    }

    /** Event loop: samples if something was applied since the last sample and enough time passed. */
    void maybeSample(long appliedIndex, long now) {
        if (appliedIndex == sampledApplied || now - sampledAtNanos < MIN_INTERVAL_NANOS) {
            return;
        }
        sampledAtNanos = now;
        sampledApplied = appliedIndex;
        int count = machine.topicCount();
        String[] names = new String[count];
        int[] depths = new int[count];
        long[] queued = new long[1];
        int[] i = new int[1];
        machine.forEachTopicDepth((name, depth) -> {
            names[i[0]] = name;
            depths[i[0]] = depth;
            queued[0] += depth;
            i[0]++;
        });
        latest = new TopicSnapshot(names, depths, queued[0], appliedIndex);
    }

    TopicSnapshot latest() {
        return latest;
    }
}

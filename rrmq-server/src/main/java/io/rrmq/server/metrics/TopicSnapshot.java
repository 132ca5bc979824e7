package io.rrmq.server.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;

/**
 * Every topic with its depth, as the state machine held them at one instant (immutable).
 *
 * @param names      topics in creation order
 * @param depths     {@code depths[i]} messages queued in {@code names[i]}
 * @param queued     messages queued in all topics
 * @param appliedIndex the last entry applied when sampled
 * @param arrivedBy  {@code arrivedBy[i]}: {@link System#nanoTime()} by which the oldest message of
 *                   {@code names[i]} had arrived ({@link ArrivalTimeline}), or {@link #UNKNOWN} (no
 *                   message, or a topic past the tracked ones)
 */
public record TopicSnapshot(String[] names, int[] depths, long queued, long appliedIndex, long[] arrivedBy) {
    public static final long UNKNOWN = ArrivalTimeline.NONE;
    public static final TopicSnapshot EMPTY = new TopicSnapshot(new String[0], new int[0], 0, 0);

    /** A snapshot without oldest-message ages. */
    public TopicSnapshot(String[] names, int[] depths, long queued, long appliedIndex) {
        this(names, depths, queued, appliedIndex, unknown(names.length));
    }

    private static long[] unknown(int n) {
        long[] out = new long[n];
        java.util.Arrays.fill(out, UNKNOWN);
        return out;
    }

    /**
     * One topic, its depth, and the {@link System#nanoTime()} by which its oldest message had
     * arrived ({@link #UNKNOWN} if none or not tracked).
     */
    public record Topic(String name, int depth, long arrivedBy) {
        public Topic(String name, int depth) {
            this(name, depth, UNKNOWN);
        }

        /** Seconds since the oldest message arrived, a lower bound ({@link ArrivalTimeline}); NaN if unknown. */
        public double oldestAgeSeconds(long nowNanos) {
            return arrivedBy == UNKNOWN ? Double.NaN : Math.max(0, nowNanos - arrivedBy) / 1e9;
        }
    }

    public int topicCount() {
        return names.length;
    }

    /** The first {@code n} topics in creation order: the bounded set exported as metric labels. */
    public List<Topic> first(int n) {
        List<Topic> out = new ArrayList<>(Math.min(n, names.length));
        for (int i = 0; i < names.length && i < n; i++) {
            out.add(new Topic(names[i], depths[i], arrivedBy[i]));
        }
        return out;
    }

    /**
     * The {@code n} deepest topics whose name contains {@code filter} (case-insensitive; null or
     * empty: every topic), deepest first, ties in creation order. O(topics x log n).
     */
    public List<Topic> deepest(int n, String filter) {
        String needle = filter == null || filter.isEmpty() ? null : filter.toLowerCase(Locale.ROOT);
        // A min-heap of indexes: the shallowest (then the newest) of the kept ones on top.
        PriorityQueue<Integer> heap = new PriorityQueue<>((a, b) -> depths[a] != depths[b]
                ? Integer.compare(depths[a], depths[b]) : Integer.compare(b, a));
        for (int i = 0; i < names.length && n > 0; i++) {
            if (needle != null && !names[i].toLowerCase(Locale.ROOT).contains(needle)) {
                continue;
            }
            if (heap.size() < n) {
                heap.add(i);
            } else if (depths[i] > depths[heap.peek()]) {
                heap.poll();
                heap.add(i);
            }
        }
        List<Topic> out = new ArrayList<>(heap.size());
        while (!heap.isEmpty()) {
            int i = heap.poll();
            out.add(new Topic(names[i], depths[i], arrivedBy[i]));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** How many topics {@link #deepest} would choose among for {@code filter}. */
    public int matching(String filter) {
        if (filter == null || filter.isEmpty()) {
            return names.length;
        }
        String needle = filter.toLowerCase(Locale.ROOT);
        int count = 0;
        for (String name : names) {
            if (name.toLowerCase(Locale.ROOT).contains(needle)) {
                count++;
            }
        }
        return count;
    }
}

package io.rrmq.raft.testkit;

import java.util.ArrayList;
import java.util.List;

/**
 * The trace of a run: every event is folded into a hash (two runs of one seed must agree on it)
 * and the latest ones are kept for a failure report. Events are formatted only when reported: a
 * run records tens of thousands of them, and building each line would dominate the run's cost.
 * The hash uses the events' own {@code hashCode}s, which for strings and for the message and entry
 * records are functions of their content.
 */
final class EventLog {
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private record Event(long time, String what, Object detail) {
        @Override
        public String toString() {
            return formatTime(time) + " " + what + (detail == null ? "" : detail.toString());
        }
    }

    private final Event[] ring;
    private int next;
    private long count;
    private long hash = 17;

    public EventLog(int keep) {
        this.ring = new Event[keep];
    }

    /** Records {@code what} (a short label) followed by {@code detail}'s text, if any. */
    public void record(long timeMicros, String what, Object detail) {
        mix(timeMicros);
        mix(what.hashCode());
        mix(detail == null ? 0 : detail.hashCode());
        ring[next] = new Event(timeMicros, what, detail);
        next = (next + 1) % ring.length;
        count++;
    }

    public void record(long timeMicros, String event) {
        record(timeMicros, event, null);
    }

    private void mix(long value) {
        hash = Long.rotateLeft((hash ^ value) * MIX, 31);
    }

    /** A hash of every event recorded so far, in order. */
    public long traceHash() {
        return hash;
    }

    public long events() {
        return count;
    }

    /** The latest events, oldest first. */
    public List<String> tail() {
        List<String> out = new ArrayList<>();
        int size = (int) Math.min(count, ring.length);
        for (int i = 0; i < size; i++) {
            out.add(ring[(next - size + i + ring.length) % ring.length].toString());
        }
        return out;
    }

    static String formatTime(long micros) {
        long millis = micros / 1000;
        long frac = micros % 1000;
        return millis + "." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + frac + "ms";
    }
}

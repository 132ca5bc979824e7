package io.rrmq.raft.sim;

import java.util.ArrayList;
import java.util.List;

/**
 * The trace of a run: every event is folded into a hash (two runs of one seed must agree on it)
 * and the latest ones are kept, readable, for a failure report.
 */
public final class EventLog {
    private static final long FNV_PRIME = 0x100000001b3L;

    private final String[] ring;
    private int next;
    private long count;
    private long hash = 0xcbf29ce484222325L;

    public EventLog(int keep) {
        this.ring = new String[keep];
    }

    public void record(long timeMicros, String event) {
        String line = formatTime(timeMicros) + " " + event;
        for (int i = 0; i < line.length(); i++) {
            hash = (hash ^ line.charAt(i)) * FNV_PRIME;
        }
        hash = (hash ^ '\n') * FNV_PRIME;
        ring[next] = line;
        next = (next + 1) % ring.length;
        count++;
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
            out.add(ring[(next - size + i + ring.length) % ring.length]);
        }
        return out;
    }

    static String formatTime(long micros) {
        long millis = micros / 1000;
        long frac = micros % 1000;
        return millis + "." + (frac < 10 ? "00" : frac < 100 ? "0" : "") + frac + "ms";
    }
}

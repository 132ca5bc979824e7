package io.rrmq.raft.testkit;

import java.util.PriorityQueue;

/**
 * Virtual time: a queue of actions ordered by due time, ties broken by the order they were
 * scheduled, so that a run depends on nothing but its seed.
 */
final class Scheduler {
    private record Event(long time, long order, Runnable action) {
    }

    private final PriorityQueue<Event> queue = new PriorityQueue<>((a, b) -> a.time != b.time
            ? Long.compare(a.time, b.time) : Long.compare(a.order, b.order));
    private long now;
    private long scheduled;

    long now() {
        return now;
    }

    void at(long time, Runnable action) {
        queue.add(new Event(Math.max(time, now), scheduled++, action));
    }

    void after(long delay, Runnable action) {
        at(now + delay, action);
    }

    /** Runs the next action if it is due by {@code until}; false when none is. */
    boolean runNext(long until) {
        Event e = queue.peek();
        if (e == null || e.time > until) {
            now = Math.max(now, until);
            return false;
        }
        queue.poll();
        now = e.time;
        e.action.run();
        return true;
    }
}

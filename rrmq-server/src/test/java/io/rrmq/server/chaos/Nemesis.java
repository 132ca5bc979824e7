package io.rrmq.server.chaos;

import io.rrmq.server.it.ClusterProcesses;
import io.rrmq.server.it.NodeProcess;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Injects one fault at a time into a cluster of processes, from a seeded {@link Random}: every
 * 1-3 s it picks one of {@link Fault}, holds it for a random while, then undoes it (restart,
 * SIGCONT) and waits for the node to answer HTTP again before the next one. So at most one node is
 * down at any time, a minority of 3 or more. Runs on its own thread; {@link #stop()} ends it after
 * the fault in progress has been undone.
 */
final class Nemesis implements Runnable {
    enum Fault {
        /** SIGKILL the leader, restart it after a pause. */
        KILL_LEADER,
        /** SIGSTOP a random node (leader or not), SIGCONT it later. */
        PAUSE_NODE,
        /** SIGKILL a follower, restart it after a pause. */
        KILL_FOLLOWER
    }

    private static final Duration RESTART = Duration.ofSeconds(20);

    private final ClusterProcesses cluster;
    private final Random random;
    private final long epoch;
    private final Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
    private volatile boolean running = true;
    private volatile Throwable failure;

    Nemesis(ClusterProcesses cluster, long seed, long epoch) {
        this.cluster = cluster;
        this.random = new Random(seed);
        this.epoch = epoch;
        for (Fault f : Fault.values()) {
            injected.put(f, 0);
        }
    }

    @Override
    public void run() {
        try {
            while (running) {
                sleepWhileRunning(1_000 + random.nextInt(2_000));
                if (!running) {
                    break;
                }
                inject(Fault.values()[random.nextInt(Fault.values().length)]);
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void inject(Fault fault) throws Exception {
        List<NodeProcess> leaders = cluster.leaders();
        NodeProcess leader = leaders.size() == 1 ? leaders.get(0) : null;
        List<NodeProcess> nodes = cluster.nodes();
        NodeProcess victim = switch (fault) {
            case KILL_LEADER -> leader;
            case PAUSE_NODE -> nodes.get(random.nextInt(nodes.size()));
            case KILL_FOLLOWER -> {
                List<NodeProcess> followers = nodes.stream().filter(n -> n != leader).toList();
                yield followers.get(random.nextInt(followers.size()));
            }
        };
        if (victim == null) {
            log("no single leader, skipping " + fault);
            return;
        }
        long hold = 300 + random.nextInt(fault == Fault.PAUSE_NODE ? 2_200 : 1_700);
        log(fault + " node " + victim.index() + " for " + hold + " ms");
        synchronized (this) {
            injected.merge(fault, 1, Integer::sum);
        }
        if (fault == Fault.PAUSE_NODE) {
            victim.pause();
            Thread.sleep(hold);
            victim.resume();
        } else {
            victim.kill();
            Thread.sleep(hold);
            victim.start().awaitHttp(RESTART);
        }
    }

    /** Ends the loop; the fault in progress is undone first. */
    void stop() {
        running = false;
    }

    /** Resumes and restarts whatever is still down (after the nemesis thread has ended). */
    void healAll() throws Exception {
        for (NodeProcess n : cluster.nodes()) {
            if (n.isStopped()) {
                n.resume();
            }
            if (!n.isAlive()) {
                n.start().awaitHttp(RESTART);
            }
        }
    }

    synchronized Map<Fault, Integer> injected() {
        return new EnumMap<>(injected);
    }

    synchronized int total() {
        return injected.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** What ended the nemesis thread abnormally, if anything. */
    Throwable failure() {
        return failure;
    }

    private void sleepWhileRunning(long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        while (running && System.currentTimeMillis() < until) {
            Thread.sleep(Math.min(50, Math.max(1, until - System.currentTimeMillis())));
        }
    }

    private void log(String what) {
        System.out.printf("[nemesis %6.1f s] %s%n", (System.nanoTime() - epoch) / 1e9, what);
    }
}

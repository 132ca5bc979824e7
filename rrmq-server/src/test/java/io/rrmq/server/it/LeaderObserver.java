package io.rrmq.server.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Polls every node's {@code GET /status} in the background and records which node claimed to be
 * Leader in which term, so that a test can check Raft's election safety across everything it did:
 * at most one leader per term, however the nodes were killed, paused and restarted in between.
 * Polling can miss a short-lived leader, never invent one, so a violation it reports is real.
 */
public final class LeaderObserver implements AutoCloseable {
    private static final Pattern ROLE = Pattern.compile("\"role\":\"(\\w+)\"");
    private static final Pattern TERM = Pattern.compile("\"term\":(\\d+)");
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    private final ClusterProcesses cluster;
    private final Map<Long, Set<Integer>> leadersByTerm = new TreeMap<>();
    private final Thread poller;
    private volatile boolean running = true;
    private int samples;

    private LeaderObserver(ClusterProcesses cluster) {
        this.cluster = cluster;
        this.poller = new Thread(this::poll, "leader-observer");
        poller.setDaemon(true);
    }

    public static LeaderObserver start(ClusterProcesses cluster) {
        LeaderObserver observer = new LeaderObserver(cluster);
        observer.poller.start();
        return observer;
    }

    private void poll() {
        while (running) {
            for (NodeProcess node : List.copyOf(cluster.nodes())) {
                cluster.status(node).ifPresent(this::record);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Records one status reply; public so that the checker itself can be tested on made-up replies. */
    public synchronized void record(String statusJson) {
        samples++;
        if (!"Leader".equals(find(ROLE, statusJson))) {
            return;
        }
        long term = Long.parseLong(find(TERM, statusJson));
        int id = Integer.parseInt(find(ID, statusJson));
        leadersByTerm.computeIfAbsent(term, t -> new TreeSet<>()).add(id);
    }

    private static String find(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            throw new IllegalStateException("unexpected status reply " + s);
        }
        return m.group(1);
    }

    /** Terms in which more than one node claimed leadership, as "term T: [ids]". */
    public synchronized List<String> violations() {
        List<String> out = new ArrayList<>();
        leadersByTerm.forEach((term, ids) -> {
            if (ids.size() > 1) {
                out.add("term " + term + ": leaders " + ids);
            }
        });
        return out;
    }

    /** How many terms had an observed leader. */
    public synchronized int termsWithLeader() {
        return leadersByTerm.size();
    }

    public synchronized int samples() {
        return samples;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.interrupt();
        poller.join(5_000);
    }
}

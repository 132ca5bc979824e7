package io.rrmq.raft.testkit;

import io.rrmq.raft.RaftNode;
import io.rrmq.raft.Transport;
import io.rrmq.raft.message.RaftMessage;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory {@link Transport} for several real nodes in one JVM: a message sent is handed to
 * the addressee's {@link RaftNode#receive} at once, on the sender's thread (which never blocks,
 * since {@code receive} only queues it). Meant for examples and tests; a node can be cut off to
 * watch the group elect another leader.
 *
 * <pre>{@code
 * LocalNetwork network = new LocalNetwork();
 * RaftNode node = RaftRuntime.start(config, 1, List.of(1, 2, 3), machine, new MemoryRaftStorage(),
 *         new MemorySnapshotStore(), network.transport(), 1L);
 * network.register(node);
 * }</pre>
 *
 * <p>Thread-safe. Messages to an id with no registered node, or from or to an isolated node, are
 * dropped, as a real network may drop them.
 */
public final class LocalNetwork {
    private final Map<Integer, RaftNode> nodes = new ConcurrentHashMap<>();
    private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
    private final Transport transport = this::deliver;

    /** A network with no node registered yet. */
    public LocalNetwork() {
    }

    /** {@return the transport to start every node of this network with} */
    public Transport transport() {
        return transport;
    }

    /**
     * Makes {@code node} reachable under its id, replacing a node of the same id (a restart).
     *
     * @param node a started node whose transport is {@link #transport()}
     */
    public void register(RaftNode node) {
        nodes.put(node.id(), node);
    }

    /**
     * Makes node {@code id} unreachable until registered again; call it before closing the node.
     *
     * @param id the node's id
     */
    public void unregister(int id) {
        nodes.remove(id);
    }

    /**
     * Cuts node {@code id} off from every other node, both ways, until {@link #heal()}.
     *
     * @param id the node's id
     */
    public void isolate(int id) {
        isolated.add(id);
    }

    /** Restores every link cut by {@link #isolate}. */
    public void heal() {
        isolated.clear();
    }

    private void deliver(RaftMessage message) {
        RaftNode target = nodes.get(message.to());
        if (target != null && !isolated.contains(message.from()) && !isolated.contains(message.to())) {
            target.receive(message);
        }
    }
}

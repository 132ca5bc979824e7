package io.rrmq.raft.runtime;

import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.Role;
import io.rrmq.raft.Transport;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.storage.MemoryRaftStorage;
import io.rrmq.raft.storage.MemorySnapshotStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Real {@link RaftRuntime}s in one JVM, joined by an in-memory transport whose links a test can cut.
 * Storage is in memory; a crash keeps only what was synced. Test use only.
 */
public final class LocalCluster implements AutoCloseable {
    private final RaftConfig config;
    private final List<Integer> ids;
    private final RaftNode[] nodes;
    private final MemoryRaftStorage[] storages;
    private final MemorySnapshotStore[] snapshotStores;
    private final RecordingStateMachine[] machines;
    /** Nodes cut off from everyone. */
    private final Set<Integer> isolated = ConcurrentHashMap.newKeySet();
    /** InstallSnapshot messages delivered, per receiving node. */
    private final java.util.concurrent.atomic.AtomicIntegerArray chunksDelivered;

    /** Per node, the checkpoints its machines keep across restarts (null: machines keep none). */
    private final java.util.Map<Long, byte[]>[] checkpoints;
    private final boolean byReference;

    public LocalCluster(int size, RaftConfig config) {
        this(size, config, false);
    }

    /** @param checkpoints whether each node's machine keeps checkpoints that survive its crashes */
    public LocalCluster(int size, RaftConfig config, boolean checkpoints) {
        this(size, config, checkpoints, false);
    }

    /**
     * @param checkpoints whether each node's machine keeps checkpoints that survive its crashes
     * @param byReference whether its snapshots then hold only a reference to the checkpoint
     *                    ({@link io.rrmq.raft.StateMachine#expandSnapshot})
     */
    @SuppressWarnings("unchecked")
    public LocalCluster(int size, RaftConfig config, boolean checkpoints, boolean byReference) {
        this.config = config;
        this.byReference = byReference;
        this.checkpoints = new java.util.Map[size];
        if (checkpoints) {
            for (int id = 0; id < size; id++) {
                this.checkpoints[id] = new ConcurrentHashMap<>();
            }
        }
        this.ids = IntStream.range(0, size).boxed().toList();
        this.nodes = new RaftNode[size];
        this.storages = new MemoryRaftStorage[size];
        this.snapshotStores = new MemorySnapshotStore[size];
        this.machines = new RecordingStateMachine[size];
        this.chunksDelivered = new java.util.concurrent.atomic.AtomicIntegerArray(size);
        for (int id : ids) {
            storages[id] = new MemoryRaftStorage();
            snapshotStores[id] = new MemorySnapshotStore();
            start(id);
        }
    }

    private void start(int id) {
        machines[id] = new RecordingStateMachine(checkpoints[id], byReference);
        Transport transport = this::deliver;
        try {
            nodes[id] = RaftRuntime.start(config, id, ids, machines[id], storages[id], snapshotStores[id],
                    transport, 1000L + id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deliver(RaftMessage m) {
        RaftNode target = nodes[m.to()];
        if (target != null && !isolated.contains(m.from()) && !isolated.contains(m.to())) {
            if (m instanceof io.rrmq.raft.message.InstallSnapshot) {
                chunksDelivered.incrementAndGet(m.to());
            }
            target.receive(m);
        }
    }

    public RaftNode node(int id) {
        return nodes[id];
    }

    public RecordingStateMachine stateMachine(int id) {
        return machines[id];
    }

    public MemoryRaftStorage storage(int id) {
        return storages[id];
    }

    public MemorySnapshotStore snapshots(int id) {
        return snapshotStores[id];
    }

    /** How many snapshot chunks node {@code id} has been sent (and received, if it was running). */
    public int chunksDelivered(int id) {
        return chunksDelivered.get(id);
    }

    public int size() {
        return nodes.length;
    }

    public void isolate(int id) {
        isolated.add(id);
    }

    public void heal() {
        isolated.clear();
    }

    /** Stops a node as a power cut would: what was not synced is gone. */
    public void crash(int id) {
        RaftNode node = nodes[id];
        nodes[id] = null;
        node.close();
        storages[id] = storages[id].crashCopy();
        snapshotStores[id] = snapshotStores[id].crashCopy();
    }

    /** Stops a node for good until {@link #restart}; unlike a crash, loses nothing synced. */
    public void stop(int id) {
        crash(id);
    }

    public void restart(int id) {
        start(id);
    }

    /** The node that is leader in the highest term any node reports, if any. */
    public Optional<Integer> leader() {
        int best = -1;
        long bestTerm = -1;
        for (int id : ids) {
            RaftNode n = nodes[id];
            if (n != null && !isolated.contains(id) && n.status().role() == Role.LEADER
                    && n.status().term() > bestTerm) {
                best = id;
                bestTerm = n.status().term();
            }
        }
        return best < 0 ? Optional.empty() : Optional.of(best);
    }

    @Override
    public void close() {
        for (int id : ids) {
            if (nodes[id] != null) {
                nodes[id].close();
            }
        }
    }
}

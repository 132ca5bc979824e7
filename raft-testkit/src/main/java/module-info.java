/**
 * raft-testkit: seeded, deterministic fault schedules over an embedder's own state machine
 * ({@link io.rrmq.raft.testkit.Simulation}), and an in-memory transport for clusters in one JVM
 * ({@link io.rrmq.raft.testkit.LocalNetwork}).
 */
module io.rrmq.raft.testkit {
    requires transitive io.rrmq.raft;
    requires java.management;

    exports io.rrmq.raft.testkit;
}

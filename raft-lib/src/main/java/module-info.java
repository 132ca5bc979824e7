/**
 * raft-lib: a transport-agnostic Raft engine, JDK only.
 *
 * <p>The API is in the exported packages: {@link io.rrmq.raft} (the node, its contracts and
 * configuration), {@link io.rrmq.raft.runtime} (starting a node), {@link io.rrmq.raft.storage}
 * (durable and in-memory storage) and {@link io.rrmq.raft.message} (the messages a transport
 * carries, and their codec).
 *
 * <p>Two packages are internal and exported to raft-testkit alone, whose simulation drives the
 * engine step by step in virtual time: {@code io.rrmq.raft.core}, the pure Raft state machine (no
 * clock, no I/O, no threads), and {@code io.rrmq.raft.runtime.internal}, the deterministic parts of
 * the runtime (recovery at start, snapshot chunk assembly, the snapshot schedule, learner catch-up),
 * so that the simulator runs the very code a real node runs. Nothing in them is API: they change
 * without notice.
 *
 * <p>The compiler keeps the split honest: raft-lib compiles with {@code -Xlint:all -Werror}, so an
 * API signature that exposes an internal type ({@code -Xlint:exports}) fails the build.
 */
// "module": raft-testkit is built after raft-lib, so javac cannot see the module exported to yet.
@SuppressWarnings("module")
module io.rrmq.raft {
    exports io.rrmq.raft;
    exports io.rrmq.raft.message;
    exports io.rrmq.raft.runtime;
    exports io.rrmq.raft.storage;
    exports io.rrmq.raft.core to io.rrmq.raft.testkit;
    exports io.rrmq.raft.runtime.internal to io.rrmq.raft.testkit;
}

/**
 * raft-lib: a transport-agnostic Raft engine, JDK only.
 *
 * <p>The API is in the exported packages: {@link io.rrmq.raft} (the node, its contracts and
 * configuration), {@link io.rrmq.raft.runtime} (starting a node), {@link io.rrmq.raft.storage}
 * (durable and in-memory storage) and {@link io.rrmq.raft.message} (the messages a transport
 * carries, and their codec). {@code io.rrmq.raft.core}, the pure Raft state machine, is internal:
 * it is exported to raft-testkit alone, whose simulation drives the core directly, step by step.
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
}

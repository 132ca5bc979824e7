/**
 * <b>Internal.</b> The deterministic parts of {@link io.rrmq.raft.runtime.RaftRuntime}: recovery
 * at start, snapshot chunk assembly, the snapshot schedule and learner catch-up. They live apart
 * from the runtime so that raft-testkit's simulator, to which alone this package is exported (see
 * module-info), runs the very code a real node runs. Not API.
 */
package io.rrmq.raft.runtime.internal;

/**
 * Seeded, deterministic fault schedules over an embedder's own state machine, for JUnit tests.
 *
 * <p>Plug in a {@link io.rrmq.raft.testkit.Workload} (it creates the
 * {@link io.rrmq.raft.StateMachine}, invents the clients' commands and is told each one's outcome),
 * optionally a {@link io.rrmq.raft.testkit.HistoryChecker}, and run a
 * {@link io.rrmq.raft.testkit.Simulation} per seed, usually through
 * {@link io.rrmq.raft.testkit.SeedSweep}; see {@link io.rrmq.raft.testkit.Simulation} for an
 * example. System properties: {@code sim.seed} replays one seed, {@code sim.seeds} and
 * {@code sim.chaosSeconds} make a soak.
 *
 * <p>{@link io.rrmq.raft.testkit.LocalNetwork} is an in-memory transport for real nodes in one JVM.
 */
package io.rrmq.raft.testkit;

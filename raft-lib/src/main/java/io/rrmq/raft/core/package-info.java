/**
 * <b>Internal.</b> The pure Raft state machine: {@code RaftCore} takes ticks, messages and
 * proposals and hands out a {@code Ready} (what to persist, send and apply); no clock, no I/O, no
 * threads. Not API: exported to raft-testkit alone (see module-info), whose simulation drives it
 * step by step; embedders use {@link io.rrmq.raft.runtime.RaftRuntime}.
 */
package io.rrmq.raft.core;

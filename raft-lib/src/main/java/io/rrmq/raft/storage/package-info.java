/**
 * Implementations of {@link io.rrmq.raft.RaftStorage}.
 *
 * <ul>
 *   <li>{@link io.rrmq.raft.storage.FileRaftStorage}: the durable one. A directory holding
 *       {@code LOCK} (held while open), {@code hardstate} (term and vote, replaced atomically) and
 *       {@code log-<first index, 20 digits>.seg} segment files of CRC32C-framed records.
 *       Recovery drops a torn tail of the last segment and refuses any other damage with
 *       {@link io.rrmq.raft.storage.CorruptLogException}.
 *   <li>{@link io.rrmq.raft.storage.MemoryRaftStorage}: for tests and simulation, with
 *       {@code crashCopy()} to model losing everything not synced.
 *   <li>{@link io.rrmq.raft.storage.DurableDirectories}: creates directories whose entries survive
 *       a power failure (the parent is forced after each one created).
 * </ul>
 *
 * <p>Inside: {@code SegmentWriter} appends to the last segment, {@code SegmentReader} scans one at
 * startup and tells a torn tail from corruption, {@code Segment} indexes record offsets so a suffix
 * can be cut in place, {@code HardStateFile} and {@code StorageDirectory} do what their names say.
 */
package io.rrmq.raft.storage;

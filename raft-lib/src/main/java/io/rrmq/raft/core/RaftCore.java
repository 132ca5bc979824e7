package io.rrmq.raft.core;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.InstallSnapshotResponse;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Raft state machine of one node, as a pure function of its inputs: Figure 2 of the Raft paper,
 * with pre-vote and check-quorum from the thesis (§9.6, §6.2).
 *
 * <p>It reacts to a handful of inputs — {@link #step} (a peer's message), {@link #tick} (one unit of
 * logical time), {@link #propose} (a client command), {@link #onPersisted} (storage finished a
 * write) and the snapshot reports ({@link #snapshotTaken}, {@link #onSnapshotChunkStored},
 * {@link #snapshotUnavailable}) — and performs no I/O, reads no clock and starts no thread. What it wants done is collected
 * and handed out by {@link #takeReady()}. Randomness (election timeouts) comes from the {@link Random}
 * it is given, so a seeded run is reproducible.
 *
 * <p><b>Snapshots</b> (Raft paper §7, Figure 13). The runtime takes snapshots of the state machine
 * and reports each durable one with {@link #snapshotTaken}; the core then drops the log prefix it
 * covers (keeping {@code snapshotTrailingEntries}) and tells storage to do likewise. A follower that
 * needs entries before the leader's log start gets the snapshot instead, in InstallSnapshot chunks
 * that the core asks for one at a time ({@link SnapshotChunkRequest}) and the runtime reads and sends;
 * on the follower the core checks each chunk and the runtime writes it.
 *
 * <p>Not thread-safe: exactly one thread owns an instance.
 */
public final class RaftCore {
    private static final int NONE = -1;

    private final int id;
    private final int[] members;
    private final RaftConfig config;
    private final Random random;
    private final RaftLog log;

    // Figure 2, persistent state (the log is in `log`).
    private long currentTerm;
    private int votedFor;
    private HardState handedOutHardState;

    // Figure 2, volatile state.
    private Role role = Role.FOLLOWER;
    private int leaderId = NONE;
    private long commitIndex;
    /** Entries up to here were handed out for applying. */
    private long appliedCursor;

    private final Durability durability;

    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;

    /** The answers to the current (pre-)campaign. */
    private final VoteTally votes;
    /** The leader's view of each follower; empty unless leader. */
    private final Map<Integer, Progress> progress = new LinkedHashMap<>();

    private List<RaftMessage> outbox = new ArrayList<>();

    /** The newest durable snapshot of this node, the one a leader sends; 0 if none. */
    private long latestSnapshotIndex;
    private long latestSnapshotTerm;
    /** The snapshot a leader is sending this follower, or null. */
    private IncomingSnapshot incoming;
    private final SnapshotOutbox snapshotWork = new SnapshotOutbox();

    /**
     * @param id        this node's id; must be one of {@code members}
     * @param members   ids of every voting member, this node included
     * @param hardState term and vote recovered from storage
     * @param stored    log recovered from storage (contiguous from index 1), all of it durable
     * @param random    source of election-timeout jitter; seed it for reproducible runs
     */
    public RaftCore(int id, List<Integer> members, RaftConfig config, HardState hardState,
                    List<LogEntry> stored, Random random) {
        this(id, members, config, hardState, null, stored, random);
    }

    /**
     * A core recovered from a snapshot and the log after it: commit and apply start at the
     * snapshot's index (its state is in the state machine already).
     *
     * @param snapshot the newest durable snapshot, or null if there is none
     * @param stored   log entries after the snapshot (contiguous from its index + 1), all durable
     */
    public RaftCore(int id, List<Integer> members, RaftConfig config, HardState hardState,
                    SnapshotMeta snapshot, List<LogEntry> stored, Random random) {
        if (!members.contains(id)) {
            throw new IllegalArgumentException("node " + id + " is not among members " + members);
        }
        if (members.stream().distinct().count() != members.size()) {
            throw new IllegalArgumentException("duplicate member ids " + members);
        }
        this.id = id;
        this.members = members.stream().mapToInt(Integer::intValue).toArray();
        this.votes = new VoteTally(this.members.length);
        this.config = config;
        this.random = random;
        this.log = snapshot == null ? new RaftLog(stored)
                : new RaftLog(snapshot.lastIncludedIndex(), snapshot.lastIncludedTerm(), stored);
        if (snapshot != null) {
            latestSnapshotIndex = snapshot.lastIncludedIndex();
            latestSnapshotTerm = snapshot.lastIncludedTerm();
            commitIndex = latestSnapshotIndex;
            appliedCursor = latestSnapshotIndex;
        }
        this.currentTerm = hardState.currentTerm();
        this.votedFor = hardState.votedFor();
        this.handedOutHardState = hardState;
        this.durability = new Durability(log.lastIndex());
        resetElectionTimer();
    }

    // ---------------------------------------------------------------- inputs

    /** One unit of logical time: drives election timeouts, heartbeats and check-quorum. */
    public void tick() {
        if (role == Role.LEADER) {
            tickLeader();
        } else {
            electionElapsed++;
            if (electionElapsed >= randomizedElectionTimeout) {
                campaign();
            }
        }
    }

    /**
     * Appends a client command if this node is the leader.
     *
     * @return the index the command was appended at (in {@link #term()}), or -1 if this node is not
     *         the leader (nothing was appended)
     */
    public long propose(byte[] command) {
        if (role != Role.LEADER) {
            return -1;
        }
        long index = log.lastIndex() + 1;
        log.append(LogEntry.command(index, currentTerm, command));
        return index;
    }

    /** Storage finished the write handed out with {@link Ready#persistSeq()} {@code seq} (and all before). */
    public void onPersisted(long seq) {
        durability.persisted(seq);
        if (role == Role.LEADER) {
            maybeCommit();
        }
    }

    /** Handles a message from a peer (Figure 2, "Rules for Servers"). */
    public void step(RaftMessage m) {
        if (m.to() != id || !isMember(m.from()) || m.from() == id) {
            return;
        }
        if (m.term() > currentTerm) {
            if (m instanceof VoteRequest r) {
                if (inLease()) {
                    // A leader is alive as far as we know: ignore the disruption (thesis §4.2.3).
                    return;
                }
                if (!r.preVote()) {
                    // Adopt the term but keep the election timer running: Figure 2 resets it only on
                    // granting a vote (handleVoteRequest does) or hearing from the leader. Were a refused
                    // candidate to reset it, a node with a stale log and a faster clock would time out
                    // first, every time, and keep the cluster leaderless.
                    int elapsed = electionElapsed;
                    becomeFollower(m.term(), NONE);
                    electionElapsed = elapsed;
                }
            } else if (m instanceof VoteResponse r && r.preVote() && r.granted()) {
                // A grant carries the term we would campaign in; it is not a newer term to adopt.
            } else {
                boolean fromLeader = m instanceof AppendEntries || m instanceof InstallSnapshot;
                becomeFollower(m.term(), fromLeader ? m.from() : NONE);
            }
        } else if (m.term() < currentTerm) {
            answerStale(m);
            return;
        }

        if (m instanceof VoteRequest r) {
            handleVoteRequest(r);
        } else if (m instanceof VoteResponse r) {
            handleVoteResponse(r);
        } else if (m instanceof AppendEntries a) {
            handleAppendEntries(a);
        } else if (m instanceof AppendEntriesResponse r) {
            handleAppendResponse(r);
        } else if (m instanceof InstallSnapshot r) {
            handleInstallSnapshot(r);
        } else if (m instanceof InstallSnapshotResponse r) {
            handleInstallSnapshotResponse(r);
        }
    }

    /**
     * The runtime made a snapshot of the state machine through {@code index} (applied, in
     * {@code term}) durable: drop the log prefix it covers, keeping {@code snapshotTrailingEntries},
     * and let storage do likewise (Raft paper §7). Ignored if a newer snapshot got here first.
     */
    public void snapshotTaken(long index, long term) {
        if (index <= latestSnapshotIndex) {
            return;
        }
        if (index > appliedCursor || log.termAt(index) != term) {
            throw new IllegalArgumentException("snapshot " + index + "@" + term + " is not of applied"
                    + " entries (applied " + appliedCursor + ", term there " + log.termAt(index) + ")");
        }
        latestSnapshotIndex = index;
        latestSnapshotTerm = term;
        long keepFrom = Math.max(1, index - config.snapshotTrailingEntries());
        long compactTo = keepFrom - 1;
        if (compactTo > log.snapshotIndex()) {
            log.compactTo(compactTo);
            snapshotWork.compact(compactTo);
        }
    }

    /** The snapshot at {@code index} that a chunk was asked of is gone: start {@code peer} over. */
    public void snapshotUnavailable(int peer, long index) {
        Progress p = role == Role.LEADER ? progress.get(peer) : null;
        if (p != null && p.state == Progress.State.SNAPSHOT && p.pendingSnapshotIndex == index) {
            p.becomeProbe();
            p.nextIndex = p.matchIndex + 1;
        }
    }

    /**
     * The runtime wrote {@code chunk} (handed out in {@link Ready.Snapshots#chunksToStore}), or failed
     * to ({@code stored} false). For the last chunk, written means the whole snapshot file was checked
     * and is durable (Figure 13 receiver rule 5), and the core installs it.
     */
    public void onSnapshotChunkStored(InstallSnapshot chunk, boolean stored) {
        if (incoming == null || incoming.writing != chunk) {
            return; // superseded by another transfer meanwhile
        }
        incoming.writing = null;
        if (!stored) {
            incoming = null;
            replySnapshot(chunk, 0, false);
            return;
        }
        incoming.stored = chunk.endOffset();
        if (!chunk.done()) {
            replySnapshot(chunk, incoming.stored, false); // rule 4: reply and wait for more
            return;
        }
        incoming = null;
        installSnapshot(chunk.lastIncludedIndex(), chunk.lastIncludedTerm());
        replySnapshot(chunk, chunk.endOffset(), true);
    }

    // ---------------------------------------------------------------- output

    /** Hands out everything the runtime must do since the last call (see {@link Ready}). */
    public Ready takeReady() {
        if (role == Role.LEADER) {
            for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
                sendEntries(e.getKey(), e.getValue());
            }
        }
        HardState hardState = null;
        if (currentTerm != handedOutHardState.currentTerm() || votedFor != handedOutHardState.votedFor()) {
            hardState = new HardState(currentTerm, votedFor);
            handedOutHardState = hardState;
        }
        List<LogEntry> entries = log.takeUnpersisted();
        long seq = 0;
        if (hardState != null || !entries.isEmpty()) {
            seq = durability.handOut(log.lastIndex());
        }
        List<LogEntry> committed = List.of();
        if (commitIndex > appliedCursor) {
            committed = List.copyOf(log.slice(appliedCursor + 1, commitIndex, Integer.MAX_VALUE, Long.MAX_VALUE));
            appliedCursor = commitIndex;
        }
        List<RaftMessage> messages = outbox;
        outbox = new ArrayList<>();
        return new Ready(hardState, entries, seq, messages, committed, snapshotWork.take());
    }

    // ---------------------------------------------------------------- observers

    public int id() {
        return id;
    }

    public Role role() {
        return role;
    }

    public long term() {
        return currentTerm;
    }

    public int votedFor() {
        return votedFor;
    }

    public int leaderId() {
        return leaderId;
    }

    public long commitIndex() {
        return commitIndex;
    }

    public long durableIndex() {
        return durability.durableIndex();
    }

    /** Index of the newest durable snapshot this node knows of (taken or installed); 0 if none. */
    public long latestSnapshotIndex() {
        return latestSnapshotIndex;
    }

    /** Term of {@link #latestSnapshotIndex()}. */
    public long latestSnapshotTerm() {
        return latestSnapshotTerm;
    }

    /** The members, in configuration order (a snapshot records them). */
    public List<Integer> members() {
        return java.util.Arrays.stream(members).boxed().toList();
    }

    /** Read-only use: tests and the runtime's status. */
    public RaftLog log() {
        return log;
    }

    /** Status with {@code lastApplied} supplied by whoever applies entries. */
    public RaftStatus status(long lastApplied) {
        return new RaftStatus(id, role, currentTerm, leaderId, commitIndex, lastApplied, log.lastIndex());
    }

    // ---------------------------------------------------------------- elections

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        for (Progress p : progress.values()) {
            p.tickSnapshot(config.electionTicks());
        }
        if (electionElapsed >= config.checkQuorumTicks()) {
            electionElapsed = 0;
            if (config.checkQuorum() && !quorumActive()) {
                // Check-quorum (thesis §6.2): a leader cut off from a majority steps down so that its
                // clients go looking for the real one. The window (RaftConfig.checkQuorumTicks) is
                // longer than an election timeout: late acknowledgements must not depose a leader
                // that its followers still hear.
                becomeFollower(currentTerm, NONE);
                return;
            }
            for (Progress p : progress.values()) {
                p.recentActive = false;
            }
        }
        if (heartbeatElapsed >= config.heartbeatTicks()) {
            heartbeatElapsed = 0;
            broadcastHeartbeat();
        }
    }

    private boolean quorumActive() {
        int active = 1;
        for (Progress p : progress.values()) {
            if (p.recentActive) {
                active++;
            }
        }
        return active >= Quorum.size(members.length);
    }

    /** Whether we heard from a live leader within the minimum election timeout (thesis §4.2.3). */
    private boolean inLease() {
        return config.checkQuorum()
                && (role == Role.LEADER || leaderId != NONE && electionElapsed < config.electionTicks());
    }

    private void campaign() {
        if (config.preVote()) {
            becomePreCandidate();
        } else {
            becomeCandidate();
        }
    }

    private void becomePreCandidate() {
        // Thesis §9.6: ask first, without touching our term, whether we could win at all.
        role = Role.PRE_CANDIDATE;
        leaderId = NONE;
        votes.clear();
        resetElectionTimer();
        requestVotes(true);
    }

    private void becomeCandidate() {
        role = Role.CANDIDATE;
        currentTerm++;
        votedFor = id;
        leaderId = NONE;
        votes.clear();
        resetElectionTimer();
        requestVotes(false);
    }

    private void requestVotes(boolean preVote) {
        votes.record(id, true);
        if (votes.won()) {
            if (preVote) {
                becomeCandidate();
            } else {
                becomeLeader();
            }
            return;
        }
        long term = preVote ? currentTerm + 1 : currentTerm;
        for (int peer : members) {
            if (peer != id) {
                outbox.add(new VoteRequest(id, peer, term, log.lastIndex(), log.lastTerm(), preVote));
            }
        }
    }

    private void handleVoteRequest(VoteRequest r) {
        // Figure 2, RequestVote receiver: one vote per term, only for a log at least as up-to-date.
        boolean canVote = votedFor == r.from()
                || (votedFor == NONE && leaderId == NONE)
                || (r.preVote() && r.term() > currentTerm);
        if (canVote && log.isUpToDate(r.lastLogIndex(), r.lastLogTerm())) {
            outbox.add(new VoteResponse(id, r.from(), r.term(), true, r.preVote()));
            if (!r.preVote()) {
                votedFor = r.from();
                electionElapsed = 0;
            }
        } else {
            outbox.add(new VoteResponse(id, r.from(), currentTerm, false, r.preVote()));
        }
    }

    private void handleVoteResponse(VoteResponse r) {
        boolean expected = r.preVote() ? role == Role.PRE_CANDIDATE : role == Role.CANDIDATE;
        long expectedTerm = r.preVote() && r.granted() ? currentTerm + 1 : currentTerm;
        if (!expected || r.term() != expectedTerm) {
            return;
        }
        votes.record(r.from(), r.granted());
        if (votes.won()) {
            if (r.preVote()) {
                becomeCandidate();
            } else {
                becomeLeader();
            }
        } else if (votes.lost()) {
            becomeFollower(currentTerm, NONE);
        }
    }

    private void becomeFollower(long term, int leader) {
        if (term > currentTerm) {
            currentTerm = term;
            votedFor = NONE;
        }
        role = Role.FOLLOWER;
        leaderId = leader;
        votes.clear();
        progress.clear();
        resetElectionTimer();
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leaderId = id;
        votes.clear();
        heartbeatElapsed = 0;
        electionElapsed = 0;
        progress.clear();
        for (int peer : members) {
            if (peer != id) {
                Progress p = new Progress(log.lastIndex() + 1, config.maxInflightMessages());
                p.recentActive = true;
                progress.put(peer, p);
            }
        }
        // §8: a leader commits an entry of its own term before it can know what is committed.
        log.append(LogEntry.noop(log.lastIndex() + 1, currentTerm));
        maybeCommit();
    }

    private void resetElectionTimer() {
        electionElapsed = 0;
        randomizedElectionTimeout = config.electionTicks() + random.nextInt(config.electionTicks());
    }

    /** Figure 2: a request with a stale term is refused with our term, so its sender catches up. */
    private void answerStale(RaftMessage m) {
        if (m instanceof InstallSnapshot s) {
            // Figure 13, receiver rule 1: reply immediately if term < currentTerm.
            outbox.add(new InstallSnapshotResponse(id, s.from(), currentTerm, s.lastIncludedIndex(), 0, false));
        } else if (m instanceof AppendEntries a) {
            outbox.add(AppendEntriesResponse.rejected(id, a.from(), currentTerm, a.prevLogIndex(), 0, 0));
        } else if (m instanceof VoteRequest r) {
            outbox.add(new VoteResponse(id, r.from(), currentTerm, false, r.preVote()));
        }
    }

    // ---------------------------------------------------------------- replication, follower side

    private void handleAppendEntries(AppendEntries a) {
        if (role == Role.LEADER) {
            throw new IllegalStateException("two leaders in term " + currentTerm + ": " + id + " and " + a.from());
        }
        if (role != Role.FOLLOWER) {
            becomeFollower(currentTerm, a.from());
        }
        leaderId = a.from();
        electionElapsed = 0;
        if (!a.isWellFormed()) {
            return;
        }
        if (a.prevLogIndex() < log.snapshotIndex()) {
            a = fromSnapshotBase(a);
        }
        // Figure 2, AppendEntries receiver rule 2: the consistency check.
        if (!log.matches(a.prevLogIndex(), a.prevLogTerm())) {
            long hintIndex;
            long hintTerm;
            if (a.prevLogIndex() > log.lastIndex()) {
                hintIndex = log.lastIndex() + 1;
                hintTerm = 0;
            } else {
                hintTerm = log.termAt(a.prevLogIndex());
                hintIndex = Math.max(log.firstIndexOfTermAt(a.prevLogIndex()), commitIndex + 1);
            }
            outbox.add(AppendEntriesResponse.rejected(id, a.from(), currentTerm, a.prevLogIndex(),
                    hintIndex, hintTerm));
            return;
        }
        // Rules 3 and 4: drop a conflicting suffix, append what is new, keep what matches.
        for (LogEntry e : a.entries()) {
            if (e.index() <= log.lastIndex()) {
                if (log.termAt(e.index()) == e.term()) {
                    continue;
                }
                if (e.index() <= commitIndex) {
                    throw new IllegalStateException("leader " + a.from() + " conflicts with committed entry "
                            + e.index() + " (commit index " + commitIndex + ")");
                }
                truncateFrom(e.index());
            }
            log.append(e);
        }
        // Rule 5, with the last new entry being the end of what this message vouches for.
        long lastNew = a.lastIndex();
        if (a.leaderCommit() > commitIndex) {
            commitIndex = Math.max(commitIndex, Math.min(a.leaderCommit(), lastNew));
        }
        outbox.add(AppendEntriesResponse.accepted(id, a.from(), currentTerm, lastNew));
    }

    /**
     * The same AppendEntries checked from our snapshot base instead of a {@code prevLogIndex} below
     * it: the entries up to the base are committed, so by Leader Completeness the leader's log holds
     * them too and they match; only what follows the base needs checking.
     */
    private AppendEntries fromSnapshotBase(AppendEntries a) {
        List<LogEntry> after = a.entries().stream().filter(e -> e.index() > log.snapshotIndex()).toList();
        return new AppendEntries(a.from(), a.to(), a.term(), log.snapshotIndex(), log.snapshotTerm(),
                a.leaderCommit(), after);
    }

    // ---------------------------------------------------------------- snapshots, follower side

    /** Figure 13, InstallSnapshot receiver rules 2-4 (rule 1 is in {@link #answerStale}). */
    private void handleInstallSnapshot(InstallSnapshot m) {
        if (role == Role.LEADER) {
            throw new IllegalStateException("two leaders in term " + currentTerm + ": " + id + " and " + m.from());
        }
        if (role != Role.FOLLOWER) {
            becomeFollower(currentTerm, m.from());
        }
        leaderId = m.from();
        electionElapsed = 0;
        if (m.lastIncludedIndex() < 1 || m.lastIncludedTerm() < 1 || m.lastIncludedTerm() > m.term()
                || m.offset() < 0) {
            return; // malformed
        }
        if (m.lastIncludedIndex() <= commitIndex) {
            // We hold every entry it covers, committed, so ours match the leader's: nothing to install.
            replySnapshot(m, 0, true);
            return;
        }
        if (incoming != null && incoming.writing != null) {
            return; // one chunk is written at a time; the leader hears back once it is
        }
        if (m.offset() == 0) {
            incoming = new IncomingSnapshot(m); // rule 2: create a new snapshot file at offset 0
        } else if (incoming == null || !incoming.continuesWith(m)) {
            // Not the next chunk (lost, duplicated, or we restarted): say where to resume.
            replySnapshot(m, incoming != null && incoming.sameTransfer(m) ? incoming.stored : 0, false);
            return;
        }
        incoming.writing = m;
        snapshotWork.store(m); // rule 3: the runtime writes data into the file at the given offset
    }

    /**
     * Figure 13 receiver rules 6-8, once the snapshot file is saved (rule 5, done by the runtime
     * before it reports the last chunk stored).
     */
    private void installSnapshot(long index, long term) {
        if (index <= commitIndex) {
            // Entries up to it reached us meanwhile: nothing to install. But saving it deleted our
            // older snapshots (rule 5), so it is the one to send to followers from now on.
            if (index > latestSnapshotIndex) {
                latestSnapshotIndex = index;
                latestSnapshotTerm = term;
            }
            return;
        }
        if (log.termAt(index) == term) {
            // Rule 6: an existing entry has the snapshot's last index and term: keep what follows it.
            boolean storedLogEndsBelow = log.firstUnpersistedIndex() <= index;
            log.compactTo(index);
            if (storedLogEndsBelow) {
                // Entries up to the snapshot arrived in this same turn and never reached storage, whose
                // log ends below it: appending what follows would leave a gap. Start the stored log
                // afresh after the snapshot (as rule 7 does); the kept entries are all unpersisted and
                // are handed to storage next.
                snapshotWork.discardLog();
                durability.capAt(index);
            } else {
                snapshotWork.compact(index);
            }
            durability.durableUpTo(index);
        } else {
            // Rule 7: discard the entire log.
            log.resetTo(index, term);
            snapshotWork.discardLog();
            durability.capAt(index);
            durability.durableUpTo(index);
        }
        latestSnapshotIndex = index;
        latestSnapshotTerm = term;
        commitIndex = index;
        appliedCursor = index;
        snapshotWork.restore(index); // rule 8: reset the state machine using the snapshot contents
    }

    private void replySnapshot(InstallSnapshot m, long bytesStored, boolean complete) {
        outbox.add(new InstallSnapshotResponse(id, m.from(), currentTerm, m.lastIncludedIndex(), bytesStored,
                complete));
    }

    private void truncateFrom(long index) {
        log.truncateFrom(index);
        durability.truncatedFrom(index);
    }

    // ---------------------------------------------------------------- replication, leader side

    private void handleAppendResponse(AppendEntriesResponse r) {
        if (role != Role.LEADER) {
            return;
        }
        Progress p = progress.get(r.from());
        p.recentActive = true;
        if (r.success()) {
            if (r.matchIndex() > log.lastIndex()) {
                return; // cannot come from this term's leader; ignore rather than trust it
            }
            if (r.matchIndex() > p.matchIndex) {
                p.matchIndex = r.matchIndex();
                p.freeInflightUpTo(r.matchIndex());
                p.nextIndex = Math.max(p.nextIndex, p.matchIndex + 1);
                maybeCommit();
            }
            if (p.state == Progress.State.PROBE) {
                p.becomeReplicate();
            } else if (p.state == Progress.State.SNAPSHOT && p.matchIndex >= p.pendingSnapshotIndex) {
                p.becomeProbe(); // it got there without the snapshot
            }
            return;
        }
        if (p.state == Progress.State.SNAPSHOT) {
            return; // a heartbeat's rejection: expected until the snapshot is in
        }
        boolean stale = p.state == Progress.State.REPLICATE
                ? r.rejectedIndex() <= p.matchIndex
                : r.rejectedIndex() != p.nextIndex - 1;
        if (stale) {
            return;
        }
        // Fast back-off (thesis §5.3): skip the whole conflicting term in one round trip.
        long next = r.hintIndex();
        if (r.hintTerm() > 0) {
            long lastOfTerm = log.lastIndexOfTerm(r.hintTerm(), r.rejectedIndex());
            if (lastOfTerm > 0) {
                next = lastOfTerm + 1;
            }
        }
        p.becomeProbe();
        p.nextIndex = Math.max(p.matchIndex + 1, Math.min(next, r.rejectedIndex()));
    }

    private void handleInstallSnapshotResponse(InstallSnapshotResponse r) {
        if (role != Role.LEADER) {
            return;
        }
        Progress p = progress.get(r.from());
        p.recentActive = true;
        if (p.onSnapshotResponse(r.lastIncludedIndex(), r.bytesStored(), r.complete())) {
            maybeCommit();
        }
    }

    /** Sends entries to one follower as far as its flow control allows, or its snapshot's next chunk. */
    private void sendEntries(int peer, Progress p) {
        if (p.state != Progress.State.SNAPSHOT && p.canSendEntries() && p.nextIndex <= log.snapshotIndex()) {
            // The entry before nextIndex is compacted away: only a snapshot can catch this follower up.
            if (latestSnapshotIndex == 0) {
                throw new IllegalStateException("log compacted to " + log.snapshotIndex() + " without a snapshot");
            }
            p.becomeSnapshot(latestSnapshotIndex, latestSnapshotTerm);
        }
        if (p.state == Progress.State.SNAPSHOT) {
            SnapshotChunkRequest chunk = p.nextChunk(peer, currentTerm);
            if (chunk != null) {
                snapshotWork.send(chunk);
            }
            return;
        }
        while (p.nextIndex <= log.lastIndex() && p.canSendEntries()) {
            long prev = p.nextIndex - 1;
            List<LogEntry> entries = List.copyOf(log.slice(p.nextIndex, log.lastIndex(),
                    config.maxEntriesPerMessage(), config.maxBytesPerMessage()));
            outbox.add(new AppendEntries(id, peer, currentTerm, prev, log.termAt(prev), commitIndex, entries));
            long last = entries.get(entries.size() - 1).index();
            if (p.state == Progress.State.REPLICATE) {
                p.addInflight(last);
                p.nextIndex = last + 1;
            } else {
                p.probeSent = true;
            }
        }
    }

    /**
     * Heartbeats are AppendEntries at the follower's next index: they carry the commit index and, by
     * the consistency check, reveal within one interval a pipeline that lost a message.
     */
    private void broadcastHeartbeat() {
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            Progress p = e.getValue();
            if (p.state == Progress.State.PROBE) {
                p.probeSent = false;
                if (p.nextIndex <= log.lastIndex()) {
                    continue; // takeReady sends a probe carrying entries; it serves as heartbeat
                }
            }
            // Below the log start (a follower in SNAPSHOT) the base is the earliest known position.
            long prev = Math.max(p.nextIndex - 1, log.snapshotIndex());
            outbox.add(new AppendEntries(id, e.getKey(), currentTerm, prev, log.termAt(prev), commitIndex, List.of()));
        }
    }

    /** Figure 2, leader rule 4, counting only entries of the current term (§5.4.2). */
    private void maybeCommit() {
        long[] matches = new long[members.length];
        int i = 0;
        for (int member : members) {
            matches[i++] = member == id ? durability.durableIndex() : progress.get(member).matchIndex;
        }
        long candidate = Quorum.committedIndex(matches);
        if (candidate > commitIndex && log.termAt(candidate) == currentTerm) {
            commitIndex = candidate;
        }
    }

    private boolean isMember(int node) {
        for (int m : members) {
            if (m == node) {
                return true;
            }
        }
        return false;
    }
}

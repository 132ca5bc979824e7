package io.rrmq.raft.core;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.MembershipChangeException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.raft.SnapshotMeta;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.InstallSnapshot;
import io.rrmq.raft.message.InstallSnapshotResponse;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.ReadIndexRequest;
import io.rrmq.raft.message.ReadIndexResponse;
import io.rrmq.raft.message.TimeoutNow;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Raft state machine of one node, as a pure function of its inputs: Figure 2 of the Raft paper,
 * with pre-vote and check-quorum from the thesis (§9.6, §6.2), membership changes one server at a
 * time with learners (thesis ch. 4) and leadership transfer (§3.10).
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
 * that the core asks for a few ahead of the follower's answers ({@link SnapshotChunkRequest}) and the
 * runtime reads and sends; on the follower the core checks that each chunk continues the file and
 * the runtime writes them in order.
 *
 * <p><b>Membership</b> (thesis ch. 4). The servers are a {@link Configuration} recorded in the log:
 * each node uses the newest one in its log from the moment it is appended, and falls back to the
 * previous one if a leader truncates it away. A leader appends a change ({@link #proposeConfiguration})
 * only if it is one server away from the current configuration, no other change is uncommitted, and
 * an entry of its own term has committed (Ongaro's 2015 fix for single-server changes). Only voters
 * campaign and count in majorities; learners receive the log. A leader whose removal commits steps
 * down; a node outside the configuration never campaigns, and voters ignore its vote requests.
 *
 * <p><b>Linearizable reads</b> (thesis §6.4). {@link #readIndex} asks for a read; the leader confirms
 * its leadership with a heartbeat round shared by every read that arrived before it (or, if the
 * configuration allows, with its lease) and hands out the read index as a {@link Ready.ReadState};
 * a follower asks the leader for one. The bookkeeping is {@link PendingReads}'.
 *
 * <p>Not thread-safe: exactly one thread owns an instance.
 */
public final class RaftCore {
    private static final int NONE = -1;

    private final int id;
    private final Membership membership;
    private final RaftConfig config;
    private final Random random;
    private final RaftLog log;

    // Figure 2, persistent state (the log is in `log`).
    private long currentTerm;
    private int votedFor;
    private HardState handedOutHardState;
    /** The write that carries {@link #handedOutHardState}; 0 for the recovered one. */
    private long hardStateSeq;

    // Figure 2, volatile state.
    private Role role = Role.FOLLOWER;
    private int leaderId = NONE;
    private long commitIndex;
    /** Entries up to here were handed out for applying. */
    private long appliedCursor;

    private final Durability durability;

    private int electionElapsed;
    /** Ticks since this core was built (a start or restart); counts up to an election timeout's worth. */
    private int ticksSinceStart;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;

    /** The answers to the current (pre-)campaign. */
    private VoteTally votes = new VoteTally(1);
    /** Index of the first entry of this leader's term: once committed, membership changes may go. */
    private long termStartIndex;
    /** Leadership transfer in progress: its target, or NONE. */
    private int transferTarget = NONE;
    private int transferElapsed;
    /** The leader's view of each follower; empty unless leader. */
    private final Map<Integer, Progress> progress = new LinkedHashMap<>();

    private List<RaftMessage> outbox = new ArrayList<>();

    /**
     * Safety rules the deterministic simulation breaks on purpose, to prove its invariant checks
     * catch the classic membership bugs. The seam exists for raft-testkit only (this package is
     * exported to it alone, see module-info); RaftRuntime never sets one.
     */
    public enum InjectedBug {
        /** Correct Raft. */
        NONE,
        /** Elections ask for and count votes in the newest committed configuration, not the newest appended. */
        VOTES_IN_COMMITTED_CONFIGURATION,
        /** A leader appends a change while another one is not committed yet. */
        CONCURRENT_CHANGES,
        /** A new leader appends a change before an entry of its term has committed. */
        CHANGE_BEFORE_TERM_COMMIT,
        /** The leader serves reads at its commit index without confirming its leadership first. */
        READS_WITHOUT_ROUND
    }

    private InjectedBug injectedBug = InjectedBug.NONE;

    /** The newest durable snapshot of this node, the one a leader sends; 0 if none. */
    private long latestSnapshotIndex;
    private long latestSnapshotTerm;
    /** The snapshot a leader is sending this follower, or null. */
    private IncomingSnapshot incoming;
    private final SnapshotOutbox snapshotWork = new SnapshotOutbox();
    private final PendingReads reads;
    /** The current campaign (or the one that made this node leader) was a leadership transfer's. */
    private boolean campaignByTransfer;

    /**
     * A core of a group of voters {@code members} whose log records no configuration of its own.
     *
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

    /** Like the constructor below, with voters {@code members} (this node among them) as the initial configuration. */
    public RaftCore(int id, List<Integer> members, RaftConfig config, HardState hardState,
                    SnapshotMeta snapshot, List<LogEntry> stored, Random random) {
        this(id, config, hardState, snapshot, stored, Configuration.ofVoters(members), random);
        if (!members.contains(id)) {
            throw new IllegalArgumentException("node " + id + " is not among members " + members);
        }
    }

    /**
     * A core recovered from a snapshot and the log after it: commit and apply start at the
     * snapshot's index (its state is in the state machine already).
     *
     * @param snapshot the newest durable snapshot, or null if there is none
     * @param stored   log entries after the snapshot (contiguous from its index + 1), all durable
     * @param initial  the configuration to use until the snapshot or the log records one: the
     *                 bootstrap members of a new group, or {@link Configuration#EMPTY} for a node
     *                 that waits to be added to a running group
     */
    public RaftCore(int id, RaftConfig config, HardState hardState, SnapshotMeta snapshot,
                    List<LogEntry> stored, Configuration initial, Random random) {
        this.id = id;
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
        this.membership = snapshot == null ? new Membership(0, initial)
                : new Membership(snapshot.lastIncludedIndex(), snapshot.configuration());
        for (LogEntry e : stored) {
            if (e.type() == LogEntry.Type.CONFIGURATION) {
                membership.appended(e.index(), e.configuration());
            }
        }
        membership.committed(commitIndex);
        this.currentTerm = hardState.currentTerm();
        this.votedFor = hardState.votedFor();
        this.handedOutHardState = hardState;
        this.durability = new Durability(log.lastIndex());
        this.reads = new PendingReads(id, config.leaseDuration().toNanos(), config.checkQuorumTicks());
        resetElectionTimer();
    }

    // ---------------------------------------------------------------- inputs

    /** One unit of logical time: drives election timeouts, heartbeats and check-quorum. */
    public void tick() {
        reads.tick();
        if (ticksSinceStart < Integer.MAX_VALUE) {
            ticksSinceStart++;
        }
        if (role == Role.LEADER) {
            tickLeader();
        } else {
            if (electionElapsed < Integer.MAX_VALUE) {
                electionElapsed++;
            }
            if (electionElapsed >= randomizedElectionTimeout && configuration().isVoter(id)
                    || electionElapsed >= 2 * randomizedElectionTimeout && mayCampaign()) {
                campaign();
            }
        }
    }

    /**
     * How many of the next {@link #tick()} calls can only advance elapsed-time counters, if no other
     * input comes between them: none of them times anything out (an election, a heartbeat,
     * check-quorum, a transfer, a snapshot chunk, a forwarded read), so none sends a message or changes
     * a role or term. A runtime may therefore sleep through them and make them up later, all at once,
     * before the next input: the core ends in the state it would have reached with the ticks on time.
     * Conservative: 0 whenever something else counts ticks (lease reads, a leadership transfer,
     * departed servers, snapshot chunks and forwarded reads in flight) or output is waiting for
     * {@link #takeReady} (reads waiting for a round, entries a follower may be sent).
     *
     * @return the number of quiet ticks ahead, at least 0
     */
    public int quietTicks() {
        if (config.leaseReads() || reads.awaitingForwarded() || !outbox.isEmpty()) {
            return 0;
        }
        if (role != Role.LEADER) {
            // A learner may wait until twice the timeout (see tick()); waking at the first is early, not late.
            return Math.max(0, randomizedElectionTimeout - electionElapsed - 1);
        }
        if (transferTarget != NONE || reads.hasWaiting()) {
            return 0;
        }
        Configuration current = configuration();
        boolean durable = termDurable();
        for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
            Progress p = e.getValue();
            // Entries or a chunk that the next takeReady would send (a heartbeat round can free a
            // probe after takeReady's replication pass): not quiet, the next tick must come on time.
            if (!current.contains(e.getKey()) || p.awaitingChunk() || durable && p.hasSomethingToSend(log.lastIndex())) {
                return 0;
            }
        }
        int untilHeartbeat = config.heartbeatTicks() - heartbeatElapsed;
        int untilQuorumCheck = config.checkQuorumTicks() - electionElapsed;
        return Math.max(0, Math.min(untilHeartbeat, untilQuorumCheck) - 1);
    }

    /**
     * Asks for a linearizable read (thesis §6.4). A later {@link Ready} hands out
     * {@link Ready.ReadState} {@code requestId} with the index the state machine must have applied
     * before the read is served, or {@link Ready.FailedRead} {@code requestId} if this node cannot
     * serve it: it is not the leader and knows none, or it lost its leadership or its leader first.
     * The leader waits until an entry of its term has committed; a follower asks its leader.
     *
     * @param requestId the caller's id for the read, unique among its reads in flight
     */
    public void readIndex(long requestId) {
        if (role == Role.LEADER) {
            reads.add(new PendingReads.Read(requestId, id));
        } else if (role == Role.FOLLOWER && leaderId != NONE) {
            reads.forwarded(requestId, leaderId, currentTerm);
            outbox.add(new ReadIndexRequest(id, leaderId, currentTerm, requestId));
        } else {
            reads.refuse(requestId, leaderId);
        }
    }

    /**
     * The runtime's monotonic clock, in nanoseconds: the time of the inputs that follow, until the
     * next call. Only lease reads use it ({@link RaftConfig#leaseReads()}); a runtime that enables
     * them calls this before every input, since a lease read trusts this time not to lag behind.
     */
    public void observeTime(long monotonicNanos) {
        reads.observeTime(monotonicNanos);
    }

    /**
     * Appends a client command if this node is the leader.
     *
     * @return the index the command was appended at (in {@link #term()}), or -1 if this node is not
     *         the leader (nothing was appended)
     */
    public long propose(byte[] command) {
        if (role != Role.LEADER || transferTarget != NONE) {
            return -1;
        }
        long index = log.lastIndex() + 1;
        log.append(LogEntry.command(index, currentTerm, command));
        return index;
    }

    /**
     * Appends {@code next} as the group's configuration, in effect at once (thesis §4.1).
     *
     * @return the index of the configuration entry
     * @throws MembershipChangeException this node is not the leader, is handing leadership over, has
     *         not committed an entry of its term yet, another change is not committed yet, or
     *         {@code next} is not one single-server change (add a learner, promote one, remove one)
     *         away from the current configuration
     */
    public long proposeConfiguration(Configuration next) {
        if (role != Role.LEADER) {
            throw new MembershipChangeException("not the leader", true);
        }
        if (transferTarget != NONE) {
            throw new MembershipChangeException("leadership is being handed over to " + transferTarget, true);
        }
        if (commitIndex < termStartIndex && injectedBug != InjectedBug.CHANGE_BEFORE_TERM_COMMIT) {
            // Ongaro 2015: a change appended before the leader commits in its term could overlap an
            // uncommitted change of an earlier leader and break the single-server overlap argument.
            throw new MembershipChangeException("the leader has not committed an entry of its term yet", true);
        }
        if (membership.currentIndex() > commitIndex && injectedBug != InjectedBug.CONCURRENT_CHANGES) {
            throw new MembershipChangeException("another membership change (entry " + membership.currentIndex()
                    + ") is not committed yet", true);
        }
        if (!configuration().isSingleChangeTo(next)) {
            throw new MembershipChangeException("not a single-server change from " + configuration() + " to " + next,
                    false);
        }
        if (next.voterIds().isEmpty()) {
            throw new MembershipChangeException("a group needs at least one voter", false);
        }
        long index = log.lastIndex() + 1;
        appendConfiguration(LogEntry.configuration(index, currentTerm, next));
        return index;
    }

    /**
     * Starts handing leadership to voter {@code target} (thesis §3.10): from now on proposals are
     * refused; once the target's log matches ours it gets {@link TimeoutNow} and campaigns at once.
     * The transfer is abandoned after an election timeout ({@link #transferTarget()} turns -1 while
     * this node still leads).
     *
     * @throws MembershipChangeException this node is not the leader, or {@code target} is not
     *         another voter
     */
    public void transferLeadership(int target) {
        if (role != Role.LEADER) {
            throw new MembershipChangeException("not the leader", true);
        }
        if (target == id || !configuration().isVoter(target)) {
            throw new MembershipChangeException("server " + target + " is not another voter of " + configuration(),
                    false);
        }
        transferTarget = target;
        transferElapsed = 0;
        reads.forfeitLease();
        maybeHandOver();
    }

    /**
     * Sends TimeoutNow once the transfer's target holds our whole log and all of it is committed:
     * then every proposal this leader accepted is answered before the target's election ends its
     * term, instead of failing with an unknown outcome (thesis §3.10 waits for the log only).
     */
    private void maybeHandOver() {
        Progress p = transferTarget == NONE ? null : progress.get(transferTarget);
        if (p != null && p.matchIndex == log.lastIndex() && commitIndex == log.lastIndex()) {
            outbox.add(new TimeoutNow(id, transferTarget, currentTerm));
        }
    }

    /** The voter other than this leader whose log matches the most of ours, or -1 if there is none. */
    public int mostUpToDateVoter() {
        int best = NONE;
        long bestMatch = -1;
        for (int voter : configuration().voterIds()) {
            Progress p = progress.get(voter);
            if (voter != id && p != null && p.matchIndex > bestMatch) {
                best = voter;
                bestMatch = p.matchIndex;
            }
        }
        return best;
    }

    /** Storage finished the write handed out with {@link Ready#persistSeq()} {@code seq} (and all before). */
    public void onPersisted(long seq) {
        durability.persisted(seq);
        if (role == Role.LEADER) {
            long before = commitIndex;
            maybeCommit();
            if (role == Role.LEADER && commitIndex > before) {
                maybeHandOver();
            }
        }
    }

    /** Handles a message from a peer (Figure 2, "Rules for Servers"). */
    public void step(RaftMessage m) {
        if (m.to() != id || m.from() == id) {
            return;
        }
        if (m instanceof VoteRequest && !configuration().isVoter(m.from())) {
            return; // a learner, or a removed server that has not noticed: it must not disrupt us (§4.2.3)
        }
        boolean fromLeader = m instanceof AppendEntries || m instanceof InstallSnapshot || m instanceof TimeoutNow;
        if (!fromLeader && !(m instanceof VoteRequest) && !configuration().contains(m.from())
                && !progress.containsKey(m.from())) {
            return; // an answer from a server we neither have in the configuration nor send to
        }
        if (m.term() > currentTerm) {
            if (m instanceof VoteRequest r) {
                if (inLease() && !r.transfer()) {
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
        } else if (m instanceof TimeoutNow t) {
            handleTimeoutNow(t);
        } else if (m instanceof ReadIndexRequest r) {
            if (role == Role.LEADER) {
                reads.add(new PendingReads.Read(r.requestId(), r.from()));
            } else {
                outbox.add(ReadIndexResponse.refused(id, r.from(), currentTerm, r.requestId(), leaderId));
            }
        } else if (m instanceof ReadIndexResponse r) {
            reads.answered(r);
        }
    }

    /**
     * The runtime made a snapshot of the state machine through {@code index} (applied, in
     * {@code term}) durable: drop the log prefix it covers, keeping {@code snapshotTrailingEntries}
     * within {@code snapshotTrailingBytes}, and let storage do likewise (Raft paper §7). Ignored if a
     * newer snapshot got here first.
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
        long keepFrom = log.trailingStart(index, config.snapshotTrailingEntries(), config.snapshotTrailingBytes());
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
        onSnapshotChunkStored(chunk, stored, null);
    }

    /**
     * Like {@link #onSnapshotChunkStored(InstallSnapshot, boolean)}, with the configuration recorded
     * in the snapshot once its last chunk is stored ({@code null}: keep the configuration of the log).
     */
    public void onSnapshotChunkStored(InstallSnapshot chunk, boolean stored, Configuration snapshotConfiguration) {
        if (incoming == null || incoming.writing.peekFirst() != chunk) {
            return; // superseded by another transfer meanwhile
        }
        incoming.writing.removeFirst();
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
        installSnapshot(chunk.lastIncludedIndex(), chunk.lastIncludedTerm(), snapshotConfiguration);
        replySnapshot(chunk, chunk.endOffset(), true);
    }

    // ---------------------------------------------------------------- output

    /** Hands out everything the runtime must do since the last call (see {@link Ready}). */
    public Ready takeReady() {
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
        if (hardState != null) {
            hardStateSeq = seq;
        }
        if (role == Role.LEADER && termDurable()) {
            for (Map.Entry<Integer, Progress> e : progress.entrySet()) {
                sendEntries(e.getKey(), e.getValue());
            }
        }
        advanceReads();
        outbox.addAll(reads.takeAnswers());
        List<LogEntry> committed = List.of();
        if (commitIndex > appliedCursor) {
            committed = List.copyOf(log.slice(appliedCursor + 1, commitIndex, Integer.MAX_VALUE, Long.MAX_VALUE));
            appliedCursor = commitIndex;
        }
        List<RaftMessage> messages = outbox;
        outbox = new ArrayList<>();
        return new Ready(hardState, entries, seq, messages, committed, snapshotWork.take(), reads.take());
    }

    /**
     * Thesis §6.4 steps 1-2 for the reads waiting at a leader: once an entry of its term has committed,
     * a read joins a heartbeat round (one at a time: reads that arrive meanwhile share the next), or is
     * served at once under a valid lease; a round answered by a majority serves its reads.
     */
    private void advanceReads() {
        reads.leaderIs(currentTerm, leaderId);
        if (role != Role.LEADER) {
            reads.notLeading(currentTerm, leaderId);
            return;
        }
        reads.confirmed(confirmedReadRound());
        if (reads.hasWaiting() && commitIndex >= termStartIndex) {
            if (injectedBug == InjectedBug.READS_WITHOUT_ROUND || transferTarget == NONE && reads.leaseValid()) {
                reads.serveWaiting(commitIndex);
            } else if (!reads.roundInFlight() && termDurable()) {
                reads.startRound(commitIndex);
                broadcastHeartbeat();
                reads.confirmed(confirmedReadRound()); // a single voter confirms its own round
            }
        }
    }

    /** The newest read round a majority of the voters has answered (the leader counting its own). */
    private long confirmedReadRound() {
        List<Integer> voters = configuration().voterIds();
        if (voters.isEmpty()) {
            return 0;
        }
        long[] rounds = new long[voters.size()];
        int i = 0;
        for (int voter : voters) {
            rounds[i++] = reads.echoedBy(voter);
        }
        return Quorum.committedIndex(rounds);
    }

    // ---------------------------------------------------------------- observers

    public int id() {
        return id;
    }

    /** Heartbeat rounds this node started as leader that carried at least one read (thesis §6.4). */
    public long readRounds() {
        return reads.readRounds();
    }

    /** Reads this node served as leader on its lease, without a round (thesis §6.4.1). */
    public long leaseReads() {
        return reads.leaseReads();
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

    /** The configuration in effect: the newest in this node's log, committed or not. */
    public Configuration configuration() {
        return membership.current();
    }

    /** Whether the configuration in effect is committed (no change is in progress). */
    public boolean configurationCommitted() {
        return membership.currentIndex() <= commitIndex;
    }

    /** The voter leadership is being handed to, or -1. */
    public int transferTarget() {
        return transferTarget;
    }

    /**
     * What this leader knows {@code peer}'s log to match of its own (its own durable index for
     * itself), or -1 when this node is not the leader or does not replicate to {@code peer}.
     */
    public long matchIndex(int peer) {
        if (role != Role.LEADER) {
            return -1;
        }
        if (peer == id) {
            return durability.durableIndex();
        }
        Progress p = progress.get(peer);
        return p == null ? -1 : p.matchIndex;
    }

    /** Read-only use: tests and the runtime's status. */
    public RaftLog log() {
        return log;
    }

    /** Status with {@code lastApplied} supplied by whoever applies entries. */
    public RaftStatus status(long lastApplied) {
        return new RaftStatus(id, role, currentTerm, leaderId, commitIndex, lastApplied, log.lastIndex(),
                membership.current());
    }

    // ---------------------------------------------------------------- elections

    private void tickLeader() {
        heartbeatElapsed++;
        electionElapsed++;
        for (Progress p : progress.values()) {
            p.tickSnapshot(config.electionTicks());
        }
        if (transferTarget != NONE && ++transferElapsed >= config.electionTicks()) {
            transferTarget = NONE; // thesis §3.10: abort after an election timeout; serve again
        }
        forgetDepartedServers();
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
            // Every heartbeat is a read round: it serves the reads waiting and renews the lease.
            reads.startRound(commitIndex >= termStartIndex ? commitIndex : -1);
            broadcastHeartbeat();
        }
    }

    private boolean quorumActive() {
        List<Integer> voters = configuration().voterIds();
        int active = 0;
        for (int voter : voters) {
            Progress p = progress.get(voter);
            if (voter == id || p != null && p.recentActive) {
                active++;
            }
        }
        return active >= Quorum.size(voters.size());
    }

    /**
     * Stops replicating to servers the committed configuration no longer has, once they hold the
     * entry that removed them and a heartbeat interval has passed (a heartbeat then told them it is
     * committed, so they know they are out for good and never campaign: see {@link #mayCampaign}),
     * or after check-quorum's window.
     */
    private void forgetDepartedServers() {
        if (!configurationCommitted()) {
            return;
        }
        Configuration current = configuration();
        progress.entrySet().removeIf(e -> {
            if (current.contains(e.getKey())) {
                return false;
            }
            Progress p = e.getValue();
            p.departedTicks++;
            return p.matchIndex >= membership.currentIndex() && p.departedTicks > config.heartbeatTicks()
                    || p.departedTicks > config.checkQuorumTicks();
        });
    }

    /**
     * Whether we heard from a live leader within the minimum election timeout (thesis §4.2.3). With
     * lease reads, also during the first election timeout after start: a voter that acknowledged a
     * leader's lease round, crashed and restarted at once has forgotten it, and its vote must not
     * help elect another leader while that lease may still run.
     */
    private boolean inLease() {
        return config.checkQuorum()
                && (role == Role.LEADER || leaderId != NONE && electionElapsed < config.electionTicks()
                    || config.leaseReads() && ticksSinceStart < config.electionTicks());
    }

    private void campaign() {
        if (config.preVote()) {
            becomePreCandidate();
        } else {
            becomeCandidate(false);
        }
    }

    private void becomePreCandidate() {
        // Thesis §9.6: ask first, without touching our term, whether we could win at all.
        role = Role.PRE_CANDIDATE;
        leaderId = NONE;
        resetElectionTimer();
        requestVotes(true, false);
    }

    private void becomeCandidate(boolean transfer) {
        role = Role.CANDIDATE;
        campaignByTransfer = transfer;
        currentTerm++;
        votedFor = id;
        leaderId = NONE;
        resetElectionTimer();
        requestVotes(false, transfer);
    }

    private void requestVotes(boolean preVote, boolean transfer) {
        // Majorities of the configuration in effect now, appended or not (thesis §4.1).
        List<Integer> voters = electorate().voterIds();
        votes = new VoteTally(voters.size());
        if (voters.contains(id)) {
            votes.record(id, true); // a server outside the voters campaigns without a vote of its own
        }
        if (votes.won()) {
            if (preVote) {
                becomeCandidate(false);
            } else {
                becomeLeader();
            }
            return;
        }
        long term = preVote ? currentTerm + 1 : currentTerm;
        for (int peer : voters) {
            if (peer != id) {
                outbox.add(new VoteRequest(id, peer, term, log.lastIndex(), log.lastTerm(), preVote, transfer));
            }
        }
    }

    /**
     * Voters campaign; learners and servers removed or not yet added do not (thesis §4.2.1, §4.2.3).
     * One exception: a server whose newest configuration removes it, not known committed, while the
     * configuration before it made it a voter. That is a leader that appended its own removal and
     * lost its leadership (a crash) before the change reached anyone: its log may be the only copy of
     * what the remaining voters need, and they cannot elect one of their own without its vote, which
     * it refuses them (their logs are behind). It campaigns without voting for itself, wins only with
     * a majority of the new configuration, and steps down once that commits, as a removed leader does.
     * It waits twice as long as a voter would, so that the voters, if one of them can win (one
     * holding the removal ignores its requests), get there first.
     */
    private boolean mayCampaign() {
        Configuration current = configuration();
        if (current.isVoter(id)) {
            return true;
        }
        Configuration previous = membership.previous();
        return !configurationCommitted() && !current.voterIds().isEmpty() && previous != null
                && previous.isVoter(id) && !current.contains(id);
    }

    /** Thesis §3.10: the leader handed over; campaign now, skipping the pre-vote. */
    private void handleTimeoutNow(TimeoutNow t) {
        if (role == Role.FOLLOWER && configuration().isVoter(id)) {
            becomeCandidate(true);
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
        if (!electorate().isVoter(r.from())) {
            return;
        }
        votes.record(r.from(), r.granted());
        if (votes.won()) {
            if (r.preVote()) {
                becomeCandidate(false);
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
        transferTarget = NONE;
        resetElectionTimer();
    }

    private void becomeLeader() {
        role = Role.LEADER;
        leaderId = id;
        votes.clear();
        heartbeatElapsed = 0;
        electionElapsed = 0;
        progress.clear();
        trackMembers();
        reads.leading(currentTerm, campaignByTransfer,
                config.tickInterval().toNanos() * config.electionTicks());
        // §8: a leader commits an entry of its own term before it can know what is committed. If no
        // entry records the configuration yet (a new group, started from its bootstrap members), this
        // entry is that record, so that from now on the log is the membership's only source.
        termStartIndex = log.lastIndex() + 1;
        if (membership.recorded()) {
            log.append(LogEntry.noop(termStartIndex, currentTerm));
        } else {
            appendConfiguration(LogEntry.configuration(termStartIndex, currentTerm, configuration()));
        }
        maybeCommit();
    }

    /** A leader replicates to every member of the configuration in effect. */
    private void trackMembers() {
        for (int peer : configuration().ids()) {
            if (peer != id && !progress.containsKey(peer)) {
                Progress p = new Progress(log.lastIndex() + 1, config.maxInflightMessages(), config.snapshotChunkBytes());
                p.recentActive = true;
                progress.put(peer, p);
            }
        }
    }

    private void appendConfiguration(LogEntry entry) {
        log.append(entry);
        membership.appended(entry.index(), entry.configuration());
        trackMembers();
        if (transferTarget != NONE && !configuration().isVoter(transferTarget)) {
            transferTarget = NONE;
        }
    }

    /**
     * Whether this node's current term is on disk. A leader sends nothing of its term before that:
     * one that won by its own vote alone (a single voter, with learners to replicate to) and then
     * lost its term in a crash would campaign for the same term again and hand out different entries
     * under the same index and term, which its learners would take for the ones they hold. (A leader
     * elected by others' votes has its term on disk already: its vote requests waited for it.)
     */
    private boolean termDurable() {
        return durability.persistedSeq() >= hardStateSeq;
    }

    /** Who elects a leader: the configuration in effect (thesis §4.1), unless a test broke the rule. */
    private Configuration electorate() {
        return injectedBug == InjectedBug.VOTES_IN_COMMITTED_CONFIGURATION ? membership.newestCommitted()
                : configuration();
    }

    /**
     * Breaks one safety rule on purpose in this core, for raft-testkit's proof that its checker
     * catches the bug; see {@link InjectedBug}.
     *
     * @param bug the rule to break, or {@link InjectedBug#NONE}
     */
    public void inject(InjectedBug bug) {
        injectedBug = bug;
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
        } else if (m instanceof ReadIndexRequest r) {
            outbox.add(ReadIndexResponse.refused(id, r.from(), currentTerm, r.requestId(), leaderId));
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
                    hintIndex, hintTerm).withReadContext(a.readContext()));
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
            if (e.type() == LogEntry.Type.CONFIGURATION) {
                membership.appended(e.index(), e.configuration());
            }
        }
        // Rule 5, with the last new entry being the end of what this message vouches for.
        long lastNew = a.lastIndex();
        if (a.leaderCommit() > commitIndex) {
            commitIndex = Math.max(commitIndex, Math.min(a.leaderCommit(), lastNew));
            membership.committed(commitIndex);
        }
        outbox.add(AppendEntriesResponse.accepted(id, a.from(), currentTerm, lastNew).withReadContext(a.readContext()));
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
        if (incoming != null && incoming.continuesWith(m)) {
            // The next chunk: queued behind those being written (the runtime writes them in order).
        } else if (m.offset() == 0 && (incoming == null || incoming.startsOverWith(m))) {
            incoming = new IncomingSnapshot(m); // rule 2: create a new snapshot file at offset 0
        } else {
            // Not the next chunk (lost, duplicated, we restarted, a first chunk again of a transfer
            // under way, or a restart from 0 while chunks are still being written): say where to resume.
            replySnapshot(m, incoming != null && incoming.sameTransfer(m) ? incoming.stored : 0, false);
            return;
        }
        incoming.writing.addLast(m);
        snapshotWork.store(m); // rule 3: the runtime writes data into the file at the given offset
    }

    /**
     * Figure 13 receiver rules 6-8, once the snapshot file is saved (rule 5, done by the runtime
     * before it reports the last chunk stored).
     */
    private void installSnapshot(long index, long term, Configuration snapshotConfiguration) {
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
        if (snapshotConfiguration != null) {
            // The snapshot's configuration, then any newer ones among the entries kept after it.
            membership.reset(index, snapshotConfiguration);
            for (long i = index + 1; i <= log.lastIndex(); i++) {
                LogEntry e = log.entryAt(i);
                if (e.type() == LogEntry.Type.CONFIGURATION) {
                    membership.appended(i, e.configuration());
                }
            }
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
        membership.truncatedFrom(index);
    }

    // ---------------------------------------------------------------- replication, leader side

    private void handleAppendResponse(AppendEntriesResponse r) {
        if (role != Role.LEADER) {
            return;
        }
        Progress p = progress.get(r.from());
        if (p == null) {
            return; // a server we stopped replicating to
        }
        p.recentActive = true;
        // Any answer in our term, accepted or not, shows the sender took us for its leader after the
        // round it echoes began (thesis §6.4 step 2).
        reads.echoed(r.from(), r.readContext());
        if (r.success()) {
            if (r.matchIndex() > log.lastIndex()) {
                return; // cannot come from this term's leader; ignore rather than trust it
            }
            if (r.matchIndex() > p.matchIndex) {
                p.matchIndex = r.matchIndex();
                p.freeInflightUpTo(r.matchIndex());
                p.nextIndex = Math.max(p.nextIndex, p.matchIndex + 1);
                maybeCommit();
                if (role != Role.LEADER) {
                    return; // the commit removed this leader
                }
            }
            if (r.from() == transferTarget) {
                maybeHandOver();
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
        if (p == null) {
            return;
        }
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
            for (SnapshotChunkRequest chunk = p.nextChunk(peer, currentTerm); chunk != null;
                    chunk = p.nextChunk(peer, currentTerm)) {
                snapshotWork.send(chunk);
            }
            return;
        }
        while (p.nextIndex <= log.lastIndex() && p.canSendEntries()) {
            long prev = p.nextIndex - 1;
            List<LogEntry> entries = List.copyOf(log.slice(p.nextIndex, log.lastIndex(),
                    config.maxEntriesPerMessage(), config.maxBytesPerMessage()));
            outbox.add(new AppendEntries(id, peer, currentTerm, prev, log.termAt(prev), commitIndex, entries,
                    reads.currentRound()));
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
        if (!termDurable()) {
            return;
        }
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
            outbox.add(new AppendEntries(id, e.getKey(), currentTerm, prev, log.termAt(prev), commitIndex, List.of(),
                    reads.currentRound()));
        }
    }

    /**
     * Figure 2, leader rule 4, counting only entries of the current term (§5.4.2), and only the
     * voters of the configuration in effect: a leader being removed does not count itself (§4.2.2).
     */
    private void maybeCommit() {
        List<Integer> voters = configuration().voterIds();
        if (voters.isEmpty()) {
            return;
        }
        long[] matches = new long[voters.size()];
        int i = 0;
        for (int voter : voters) {
            Progress p = progress.get(voter);
            matches[i++] = voter == id ? durability.durableIndex() : p == null ? 0 : p.matchIndex;
        }
        long candidate = Quorum.committedIndex(matches);
        if (candidate > commitIndex && log.termAt(candidate) == currentTerm) {
            commitIndex = candidate;
            membership.committed(commitIndex);
            if (configurationCommitted() && !configuration().isVoter(id)) {
                // Our removal is committed (§4.2.2): tell the followers so, then stop leading. Not a
                // voter any more, this node never campaigns again.
                broadcastHeartbeat();
                becomeFollower(currentTerm, NONE);
            }
        }
    }
}

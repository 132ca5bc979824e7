package io.rrmq.raft.core;

import io.rrmq.raft.HardState;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.AppendEntries;
import io.rrmq.raft.message.AppendEntriesResponse;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Raft state machine of one node, as a pure function of its inputs: Figure 2 of the Raft paper,
 * with pre-vote and check-quorum from the thesis (§9.6, §6.2).
 *
 * <p>It reacts to exactly four inputs — {@link #step} (a peer's message), {@link #tick} (one unit of
 * logical time), {@link #propose} (a client command) and {@link #onPersisted} (storage finished a
 * write) — and performs no I/O, reads no clock and starts no thread. What it wants done is collected
 * and handed out by {@link #takeReady()}. Randomness (election timeouts) comes from the {@link Random}
 * it is given, so a seeded run is reproducible.
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

    /** The highest index known durable in this node's own storage. */
    private long durableIndex;
    private long nextPersistSeq = 1;
    /** Writes handed out and not yet durable: {seq, highest index they make durable}, oldest first. */
    private final ArrayDeque<long[]> pendingWrites = new ArrayDeque<>();

    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;

    /** Votes received in the current (pre-)campaign: voter id to granted. */
    private final Map<Integer, Boolean> votes = new HashMap<>();
    /** The leader's view of each follower; empty unless leader. */
    private final Map<Integer, Progress> progress = new LinkedHashMap<>();

    private List<RaftMessage> outbox = new ArrayList<>();

    /**
     * @param id        this node's id; must be one of {@code members}
     * @param members   ids of every voting member, this node included
     * @param hardState term and vote recovered from storage
     * @param stored    log recovered from storage (contiguous from index 1), all of it durable
     * @param random    source of election-timeout jitter; seed it for reproducible runs
     */
    public RaftCore(int id, List<Integer> members, RaftConfig config, HardState hardState,
                    List<LogEntry> stored, Random random) {
        if (!members.contains(id)) {
            throw new IllegalArgumentException("node " + id + " is not among members " + members);
        }
        if (members.stream().distinct().count() != members.size()) {
            throw new IllegalArgumentException("duplicate member ids " + members);
        }
        this.id = id;
        this.members = members.stream().mapToInt(Integer::intValue).toArray();
        this.config = config;
        this.random = random;
        this.log = new RaftLog(stored);
        this.currentTerm = hardState.currentTerm();
        this.votedFor = hardState.votedFor();
        this.handedOutHardState = hardState;
        this.durableIndex = log.lastIndex();
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
        while (!pendingWrites.isEmpty() && pendingWrites.peekFirst()[0] <= seq) {
            durableIndex = Math.max(durableIndex, pendingWrites.pollFirst()[1]);
        }
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
                becomeFollower(m.term(), m instanceof AppendEntries ? m.from() : NONE);
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
        }
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
            seq = nextPersistSeq++;
            pendingWrites.addLast(new long[] {seq, log.lastIndex()});
        }
        List<LogEntry> committed = List.of();
        if (commitIndex > appliedCursor) {
            committed = List.copyOf(log.slice(appliedCursor + 1, commitIndex, Integer.MAX_VALUE, Long.MAX_VALUE));
            appliedCursor = commitIndex;
        }
        List<RaftMessage> messages = outbox;
        outbox = new ArrayList<>();
        return new Ready(hardState, entries, seq, messages, committed);
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
        return durableIndex;
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
        if (electionElapsed >= config.electionTicks()) {
            electionElapsed = 0;
            if (config.checkQuorum() && !quorumActive()) {
                // Check-quorum (thesis §6.2): a leader cut off from a majority steps down so that its
                // clients go looking for the real one.
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
        return config.checkQuorum() && leaderId != NONE && electionElapsed < config.electionTicks();
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
        votes.put(id, true);
        if (wonElection()) {
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

    private boolean wonElection() {
        return votes.values().stream().filter(b -> b).count() >= Quorum.size(members.length);
    }

    private boolean lostElection() {
        return votes.values().stream().filter(b -> !b).count() >= Quorum.size(members.length);
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
        votes.put(r.from(), r.granted());
        if (wonElection()) {
            if (r.preVote()) {
                becomeCandidate();
            } else {
                becomeLeader();
            }
        } else if (lostElection()) {
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
        if (m instanceof AppendEntries a) {
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
        if (!wellFormed(a)) {
            return;
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

    /** Entries must continue from prevLogIndex without a gap, in terms no later than the leader's. */
    private boolean wellFormed(AppendEntries a) {
        long expected = a.prevLogIndex() + 1;
        long lastTerm = a.prevLogTerm();
        if (a.prevLogIndex() < 0 || a.prevLogTerm() < 0 || a.prevLogTerm() > a.term()) {
            return false;
        }
        for (LogEntry e : a.entries()) {
            if (e.index() != expected || e.term() < lastTerm || e.term() > a.term()) {
                return false;
            }
            expected++;
            lastTerm = e.term();
        }
        return true;
    }

    private void truncateFrom(long index) {
        log.truncateFrom(index);
        durableIndex = Math.min(durableIndex, index - 1);
        for (long[] write : pendingWrites) {
            write[1] = Math.min(write[1], index - 1);
        }
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
            }
            return;
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

    /** Sends entries to one follower as far as its flow control allows. */
    private void sendEntries(int peer, Progress p) {
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
            long prev = p.nextIndex - 1;
            outbox.add(new AppendEntries(id, e.getKey(), currentTerm, prev, log.termAt(prev), commitIndex, List.of()));
        }
    }

    /** Figure 2, leader rule 4, counting only entries of the current term (§5.4.2). */
    private void maybeCommit() {
        long[] matches = new long[members.length];
        int i = 0;
        for (int member : members) {
            matches[i++] = member == id ? durableIndex : progress.get(member).matchIndex;
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

package io.rrmq.raft.testkit;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.Role;
import io.rrmq.raft.core.Quorum;
import io.rrmq.raft.core.RaftCore;
import io.rrmq.raft.core.Ready;
import io.rrmq.raft.message.RaftMessage;
import io.rrmq.raft.message.VoteRequest;
import io.rrmq.raft.message.VoteResponse;
import io.rrmq.raft.storage.MemorySnapshotStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Raft's safety properties (Figure 3 of the paper), checked after every step of every node, plus
 * the client-visible one: nothing acknowledged is lost. Each check costs only what the step changed:
 * a node's log is followed through the entries its Ready hands out (the contract says that is every
 * change), so log matching is checked per new entry against every (index, term) ever seen.
 *
 * <p><b>Configurations</b> (thesis ch. 4). Every majority is checked against the configuration the
 * node had in effect: a leader's every commit-index advance must be held durably by a majority of its
 * configuration's voters, and every elected leader must have been granted votes (observed as the
 * VoteResponses delivered to it) by a majority of its configuration's voters. A leader's log never
 * holds more than one configuration change past what is known committed; a server that is not a
 * voter of its own configuration (a learner, a removed server, a server waiting to be added) never
 * campaigns nor becomes leader.
 */
final class InvariantChecker {
    /** An (index, term) slot of any log: the entry there and the term before it. */
    private record Position(long index, long term) {
    }

    private record Slot(LogEntry entry, long previousTerm) {
    }

    /** What the checker remembers of one node's current life. */
    private static final class NodeView {
        /** The snapshot base: entries up to it are compacted away. */
        long base;
        long baseTerm;
        /** Entries {@code base + 1 ..}, as Ready handed them out. */
        final ArrayList<LogEntry> log = new ArrayList<>();
        long observedCommit;
        long applied;
        long term;
        boolean leader;
        /** Indexes of the CONFIGURATION entries in {@link #log}, ascending. */
        final ArrayList<Long> configurations = new ArrayList<>();
        /** The voters whose real (not pre-) vote this node received in {@link #grantsTerm}. */
        long grantsTerm;
        final Set<Integer> grants = new java.util.HashSet<>();

        long lastIndex() {
            return base + log.size();
        }

        /** The entry at {@code index}, or null if it is compacted away or beyond the log. */
        LogEntry entry(long index) {
            return index <= base || index > lastIndex() ? null : log.get((int) (index - base - 1));
        }

        /** Whether the entry at {@code index} is {@code e}, or covered by the snapshot base. */
        boolean holds(long index, LogEntry e) {
            return index <= base || e.equals(entry(index));
        }

        long termAt(long index) {
            return index == base ? baseTerm : index < base ? -1 : log.get((int) (index - base - 1)).term();
        }

        void track(LogEntry e) {
            if (e.type() == LogEntry.Type.CONFIGURATION) {
                configurations.add(e.index());
            }
        }

        void untrackFrom(long index) {
            while (!configurations.isEmpty() && configurations.get(configurations.size() - 1) >= index) {
                configurations.remove(configurations.size() - 1);
            }
        }

        void compactTo(long index, long term) {
            while (!log.isEmpty() && log.get(0).index() <= index) {
                log.remove(0);
            }
            base = index;
            baseTerm = term;
        }
    }

    private final NodeView[] views;
    private final SimNode[] nodes;
    /** Election safety over the whole history: the leader of each term. */
    private final TreeMap<Long, Integer> leaders = new TreeMap<>();
    /** Log matching: every (index, term) ever handed out, with its content and predecessor's term. */
    private final Map<Position, Slot> slots = new HashMap<>();
    /** The committed log as observed from any node's commit index; entry i-1 is index i. */
    private final ArrayList<LogEntry> committed = new ArrayList<>();
    /**
     * For each committed entry, the lowest term of a node seen holding it as committed: the term it
     * was committed in is at most that (a node learns a commit index from its own term's leader).
     * Leader completeness is about that term, not the entry's own: Figure 8's entry of term 2 is
     * committed only in term 4, and a leader of term 3 rightly lacks it.
     */
    private final ArrayList<Long> commitTerms = new ArrayList<>();
    /** The digest of the committed commands up to each index ({@link DigestingStateMachine#chain}). */
    private final ArrayList<Long> committedDigests = new ArrayList<>();
    private final List<Proposal> acknowledged = new ArrayList<>();
    private final boolean strictChangeCheck;
    /** Configuration entries leaders appended that were past the committed prefix when last looked at. */
    private final java.util.Set<Position> uncommittedConfigurations = new java.util.LinkedHashSet<>();
    private final MembershipStats.Counter membershipStats;

    /**
     * @param nodes             by id, null for servers not started yet
     * @param strictChangeCheck whether to check that a leader's log holds at most one uncommitted change
     */
    InvariantChecker(SimNode[] nodes, boolean strictChangeCheck, MembershipStats.Counter membershipStats) {
        this.nodes = nodes;
        this.views = new NodeView[nodes.length];
        this.strictChangeCheck = strictChangeCheck;
        this.membershipStats = membershipStats;
    }

    // ---------------------------------------------------------------- events from the nodes

    void onStart(SimNode node) {
        NodeView v = new NodeView();
        RaftCore core = node.core();
        v.base = core.log().snapshotIndex();
        v.baseTerm = core.log().snapshotTerm();
        for (long i = core.log().firstIndex(); i <= core.log().lastIndex(); i++) {
            v.log.add(core.log().entryAt(i));
            v.track(core.log().entryAt(i));
        }
        v.term = core.term();
        v.applied = node.lastApplied();
        v.observedCommit = core.commitIndex();
        views[node.id] = v;
    }

    void onCrash(SimNode node) {
        requireMirrorMatchesCore(node);
        long term = node.core().term();
        if (node.durableTerm() < term) {
            // Its term is lost with the crash: it sent nothing of it (a leader waits for its term to be
            // durable, and entries are written after it), so the entries of that term it made are gone
            // without a trace, and it may make others under the same term once it wins it again.
            slots.keySet().removeIf(p -> p.term() == term);
            uncommittedConfigurations.removeIf(p -> p.term() == term);
        }
    }

    /** Commit indexes only grow within a life, stay within the log, and agree across nodes. */
    void observeCommit(SimNode node) {
        NodeView v = views[node.id];
        RaftCore core = node.core();
        long commit = core.commitIndex();
        if (commit < v.observedCommit) {
            throw new InvariantViolation("commit index monotonic",
                    "n" + node.id + " went from " + v.observedCommit + " to " + commit);
        }
        if (commit > core.log().lastIndex()) {
            throw new InvariantViolation("commit within log",
                    "n" + node.id + " commit index " + commit + " beyond its last index " + core.log().lastIndex());
        }
        if (commit > v.observedCommit && (core.role() == Role.LEADER || v.leader && v.term == core.term())) {
            // A leader advanced it (one whose removal just committed may have stepped down already).
            requireDurableMajority(node, commit, core.log().termAt(commit));
        }
        // Entries at or below the snapshot base are represented by the snapshot (checked on restore).
        for (long i = Math.max(v.observedCommit, core.log().snapshotIndex()) + 1; i <= commit; i++) {
            recordCommitted(node.id, core.term(), i, core.log().entryAt(i));
        }
        v.observedCommit = commit;
    }

    /**
     * Figure 2, leader rule 4, with the majority of the configuration in effect at the leader (thesis
     * §4.1): a majority of its voters hold the newly committed entry on disk.
     */
    private void requireDurableMajority(SimNode leader, long index, long term) {
        List<Integer> voters = leader.core().configuration().voterIds();
        int holding = 0;
        List<Integer> holders = new ArrayList<>();
        for (int voter : voters) {
            SimNode node = nodes[voter];
            if (node != null && node.holdsDurably(index, term)) {
                holding++;
                holders.add(voter);
            }
        }
        if (holding < Quorum.size(voters.size())) {
            throw new InvariantViolation("commit quorum", "leader n" + leader.id + " of term " + leader.core().term()
                    + " commits " + index + "@" + term + " held durably only by " + holders + " of voters " + voters);
        }
    }

    /** Real votes granted to a candidate, as delivered to it; vote requests a non-voter sent. */
    void onDelivered(SimNode node, RaftMessage m) {
        if (m instanceof VoteResponse r && r.granted() && !r.preVote()) {
            NodeView v = views[node.id];
            if (r.term() > v.grantsTerm) {
                v.grantsTerm = r.term();
                v.grants.clear();
            }
            if (r.term() == v.grantsTerm) { // a late answer of an earlier campaign counts for nothing
                v.grants.add(r.from());
            }
        } else if (m instanceof VoteRequest && !node.core().configuration().isVoter(m.from())) {
            membershipStats.ignoredVoteRequests++;
        }
    }

    /** Follows the node's log through the Ready, in the contract's order: discard, entries, compaction. */
    void onReady(SimNode node, Ready ready) {
        NodeView v = views[node.id];
        RaftCore core = node.core();
        Ready.Snapshots snapshots = ready.snapshots();
        if (snapshots.discardLog()) {
            if (snapshots.restoreIndex() <= v.base) {
                throw new InvariantViolation("Ready contract", "n" + node.id + " discards its log for snapshot "
                        + snapshots.restoreIndex() + " at or below its base " + v.base);
            }
            v.log.clear();
            v.base = snapshots.restoreIndex();
            v.baseTerm = core.latestSnapshotTerm();
            v.untrackFrom(v.base + 1);
        }
        appendEntries(node, v, core, ready.entries());
        if (snapshots.compactUpTo() > 0) {
            long upTo = snapshots.compactUpTo();
            if (upTo > committed.size()) {
                throw new InvariantViolation("compaction", "n" + node.id + " compacts to " + upTo + " but only "
                        + committed.size() + " entries are known committed");
            }
            if (upTo > v.lastIndex()) {
                // Rule 6 over entries received but never handed out: the snapshot made them moot.
                v.log.clear();
                v.base = upTo;
                v.baseTerm = core.log().snapshotTerm();
            } else if (upTo > v.base) {
                v.compactTo(upTo, v.termAt(upTo));
            }
        }
    }

    private void appendEntries(SimNode node, NodeView v, RaftCore core, List<LogEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        long first = entries.get(0).index();
        if (first > v.lastIndex() + 1 || first <= v.base) {
            throw new InvariantViolation("Ready contract", "n" + node.id + " handed out entries from " + first
                    + " with its log at " + v.base + ".." + v.lastIndex());
        }
        if (v.leader && core.role() == Role.LEADER && core.term() == v.term && first <= v.lastIndex()) {
            throw new InvariantViolation("leader append-only", "leader n" + node.id + " of term " + v.term
                    + " rewrote its log from index " + first + " (last was " + v.lastIndex() + ")");
        }
        while (v.lastIndex() >= first) {
            v.log.remove(v.log.size() - 1);
        }
        v.untrackFrom(first);
        for (LogEntry e : entries) {
            if (e.type() == LogEntry.Type.CONFIGURATION && core.role() == Role.LEADER && e.term() == core.term()
                    && uncommittedConfigurations.add(new Position(e.index(), e.term())) && strictChangeCheck) {
                requireNoOtherLiveChange(node, v, e);
            }
            v.track(e);
            long previousTerm = v.termAt(e.index() - 1);
            Slot seen = slots.putIfAbsent(new Position(e.index(), e.term()), new Slot(e, previousTerm));
            if (seen != null && (!seen.entry().equals(e) || seen.previousTerm() != previousTerm)) {
                throw new InvariantViolation("log matching", "n" + node.id + " has " + e + " after term "
                        + previousTerm + "; elsewhere " + seen.entry() + " after term " + seen.previousTerm());
            }
            v.log.add(e);
        }
    }

    /**
     * Ongaro's 2015 rule, cluster-wide: when a leader appends a change, no other change that is not in
     * its log can still commit. Such a change is alive while its branch agrees with the committed
     * prefix (log matching: follow its predecessors' terms down to the end of the prefix).
     */
    private void requireNoOtherLiveChange(SimNode leader, NodeView v, LogEntry appended) {
        long prefix = committed.size();
        if (appended.index() <= prefix || !onCommittedBranch(new Position(appended.index() - 1,
                v.termAt(appended.index() - 1)), prefix)) {
            // A stale leader's change on a branch that can never commit (a newer leader committed past
            // where its log turns off): harmless, whatever else is in flight.
            uncommittedConfigurations.remove(new Position(appended.index(), appended.term()));
            return;
        }
        for (var it = uncommittedConfigurations.iterator(); it.hasNext(); ) {
            Position p = it.next();
            if (p.index() == appended.index() && p.term() == appended.term()) {
                continue;
            }
            if (p.index() <= prefix || !onCommittedBranch(p, prefix)) {
                it.remove(); // committed, or on a branch that can never commit
                continue;
            }
            LogEntry mine = v.entry(p.index());
            if (mine == null || mine.term() != p.term()) {
                throw new InvariantViolation("one change at a time", "leader n" + leader.id + " of term "
                        + leader.core().term() + " appends a configuration at " + appended.index() + " while the"
                        + " uncommitted configuration at " + p.index() + "@" + p.term() + ", on a branch it lacks,"
                        + " can still commit (committed prefix " + prefix + ")");
            }
        }
    }

    /** Whether the branch ending at {@code p} holds the committed entry at {@code prefix} (p at or beyond it). */
    private boolean onCommittedBranch(Position p, long prefix) {
        Position at = p;
        while (at.index() > prefix) {
            Slot slot = slots.get(at);
            if (slot == null) {
                return true; // not seen: assume the worst
            }
            at = new Position(at.index() - 1, slot.previousTerm());
        }
        return prefix == 0 || committed.get((int) prefix - 1).term() == at.term();
    }

    /** Applied in order, from 1 after every restart, and always what was committed at that index. */
    void onApply(SimNode node, LogEntry e) {
        NodeView v = views[node.id];
        if (e.index() != v.applied + 1) {
            throw new InvariantViolation("apply in order", "n" + node.id + " applies " + e.index()
                    + " after " + v.applied);
        }
        if (e.index() > committed.size() || !committed.get((int) e.index() - 1).equals(e)) {
            throw new InvariantViolation("state machine safety", "n" + node.id + " applies " + e + " but "
                    + (e.index() > committed.size() ? "nothing is known committed there"
                    : committed.get((int) e.index() - 1) + " was committed"));
        }
        v.applied = e.index();
    }

    /**
     * A Ready asks the node to reset its state machine from snapshot {@code index}: it must be a
     * whole durable snapshot (its checksum verifies) of committed entries past what the node applied.
     */
    void beforeRestore(SimNode node, long index, MemorySnapshotStore store) {
        NodeView v = views[node.id];
        if (index <= v.applied) {
            throw new InvariantViolation("snapshot restore", "n" + node.id + " restores snapshot " + index
                    + " having applied " + v.applied);
        }
        if (index > committed.size()) {
            throw new InvariantViolation("snapshot restore", "n" + node.id + " restores snapshot " + index
                    + " but only " + committed.size() + " entries are known committed");
        }
        try {
            store.verify(index);
        } catch (IOException e) {
            throw new InvariantViolation("snapshot restore", "n" + node.id + " restores snapshot " + index
                    + " that is not whole and durable: " + e.getMessage());
        }
    }

    /** After a restore (installed or recovered), the state machine holds exactly the committed history to {@code index}. */
    void onRestored(SimNode node, long index, long digest, String how) {
        requireDigest(node, index, digest, how + " snapshot");
        views[node.id].applied = index;
    }

    /** A snapshot's captured state is the committed history up to what the node applied. */
    void onSnapshotCaptured(SimNode node, long index, long digest) {
        requireDigest(node, index, digest, "snapshot taken");
    }

    private void requireDigest(SimNode node, long index, long digest, String what) {
        if (index > committed.size()) {
            throw new InvariantViolation("state machine safety", "n" + node.id + " " + what + " at " + index
                    + " but only " + committed.size() + " entries are known committed");
        }
        if (committedDigests.get((int) index - 1) != digest) {
            throw new InvariantViolation("state machine safety", "n" + node.id + " " + what + " at " + index
                    + " does not hold the committed history up to it (digest differs)");
        }
    }

    void onAcknowledged(Proposal p, LogEntry e) {
        if (!Arrays.equals(p.command(), e.data()) || e.type() != LogEntry.Type.COMMAND) {
            throw new InvariantViolation("acknowledgement", "proposal #" + p.id() + " acknowledged with " + e);
        }
        acknowledged.add(p);
    }

    void afterStep(SimNode node) {
        NodeView v = views[node.id];
        RaftCore core = node.core();
        if (core.term() < v.term) {
            throw new InvariantViolation("term monotonic", "n" + node.id + " from " + v.term + " to " + core.term());
        }
        boolean leaderNow = core.role() == Role.LEADER;
        Configuration configuration = core.configuration();
        if ((core.role() == Role.PRE_CANDIDATE || core.role() == Role.CANDIDATE) && mustNotCampaign(core)) {
            throw new InvariantViolation("non-voter campaigns", "n" + node.id + " is " + core.role() + " in term "
                    + core.term() + " outside the voters of its configuration " + configuration
                    + (core.configurationCommitted() ? " (committed)" : ""));
        }
        if (leaderNow) {
            Integer other = leaders.putIfAbsent(core.term(), node.id);
            if (other != null && other != node.id) {
                throw new InvariantViolation("election safety", "n" + other + " and n" + node.id
                        + " both leader in term " + core.term());
            }
            if (!v.leader || v.term != core.term()) {
                requireLeaderHoldsCommitted(node.id, v);
                requireElectedByMajority(node, v, configuration);
            }
            if (strictChangeCheck) {
                requireOneUncommittedChange(node, v);
            }
        }
        v.leader = leaderNow;
        v.term = core.term();
    }

    /**
     * A learner, a server waiting to be added, or one that knows its removal is committed never
     * campaigns. (A leader that appended its own removal and crashed before it committed may: its
     * log can be the only copy the remaining voters need; it campaigns without a vote of its own.)
     */
    private static boolean mustNotCampaign(RaftCore core) {
        Configuration c = core.configuration();
        return !c.isVoter(core.id()) && (core.configurationCommitted() || c.contains(core.id()) || c.voterIds().isEmpty());
    }

    /** Thesis §4.1: the votes of a majority of the voters of the configuration in the new leader's log. */
    private void requireElectedByMajority(SimNode node, NodeView v, Configuration configuration) {
        List<Integer> voters = configuration.voterIds();
        if (mustNotCampaign(node.core())) {
            throw new InvariantViolation("non-voter campaigns", "n" + node.id + " became leader of term "
                    + node.core().term() + " outside the voters of its configuration " + configuration);
        }
        int votes = 0;
        List<Integer> granted = new ArrayList<>();
        if (voters.contains(node.id)) {
            votes++;
            granted.add(node.id);
        }
        if (v.grantsTerm == node.core().term()) {
            for (int voter : voters) {
                if (voter != node.id && v.grants.contains(voter)) {
                    votes++;
                    granted.add(voter);
                }
            }
        }
        if (votes < Quorum.size(voters.size())) {
            throw new InvariantViolation("election quorum", "n" + node.id + " became leader of term "
                    + node.core().term() + " with the votes of " + granted + " (all votes received: "
                    + (v.grantsTerm == node.core().term() ? v.grants : "none") + ") of voters " + voters);
        }
    }

    /**
     * Single-server changes one at a time (thesis §4.1, with Ongaro's 2015 rule): a leader's log
     * never holds two configuration entries past the committed prefix.
     */
    private void requireOneUncommittedChange(SimNode node, NodeView v) {
        int n = v.configurations.size();
        if (n >= 2 && v.configurations.get(n - 2) > committed.size()) {
            throw new InvariantViolation("one change at a time", "leader n" + node.id + " of term "
                    + node.core().term() + " holds configuration entries " + v.configurations.get(n - 2) + " and "
                    + v.configurations.get(n - 1) + ", both past the committed prefix (" + committed.size() + ")");
        }
    }

    // ---------------------------------------------------------------- the properties

    private void recordCommitted(int nodeId, long nodeTerm, long index, LogEntry e) {
        if (index <= committed.size()) {
            LogEntry before = committed.get((int) index - 1);
            if (!before.equals(e)) {
                throw new InvariantViolation("state machine safety", "n" + nodeId + " committed " + e
                        + " where " + before + " was committed");
            }
            commitTerms.set((int) index - 1, Math.min(commitTerms.get((int) index - 1), nodeTerm));
            return;
        }
        committed.add(e);
        commitTerms.add(nodeTerm);
        long previous = committedDigests.isEmpty() ? 0 : committedDigests.get(committedDigests.size() - 1);
        committedDigests.add(e.type() == LogEntry.Type.COMMAND
                ? DigestingStateMachine.chain(previous, e.index(), e.data()) : previous);
        // Leader completeness: every leader of a later term already holds it.
        for (int other = 0; other < nodes.length; other++) {
            NodeView v = views[other];
            if (nodes[other] != null && nodes[other].isUp() && v != null && v.leader && v.term > nodeTerm && !v.holds(index, e)) {
                throw new InvariantViolation("leader completeness", "leader n" + other + " of term " + v.term
                        + " lacks " + e + ", committed by term " + nodeTerm);
            }
        }
    }

    private void requireLeaderHoldsCommitted(int nodeId, NodeView v) {
        for (int i = 0; i < committed.size(); i++) {
            LogEntry c = committed.get(i);
            if (commitTerms.get(i) >= v.term) {
                continue;
            }
            if (!v.holds(i + 1, c)) {
                throw new InvariantViolation("leader completeness", "n" + nodeId + " became leader of term "
                        + v.term + " without " + c + ", committed by term " + commitTerms.get(i));
            }
        }
    }

    private void requireMirrorMatchesCore(SimNode node) {
        NodeView v = views[node.id];
        RaftCore core = node.core();
        if (core.log().lastIndex() != v.lastIndex() || core.log().snapshotIndex() != v.base) {
            throw new InvariantViolation("Ready contract", "n" + node.id + " core log is "
                    + core.log().snapshotIndex() + ".." + core.log().lastIndex() + " but Ready handed out "
                    + v.base + ".." + v.lastIndex());
        }
        for (long i = v.base + 1; i <= v.lastIndex(); i++) {
            if (!core.log().entryAt(i).equals(v.entry(i))) {
                throw new InvariantViolation("Ready contract", "n" + node.id + " core log differs at " + i);
            }
        }
    }

    // ---------------------------------------------------------------- end of run

    /**
     * After the cluster converged: every node holds its log as handed out, every member of the final
     * configuration applied the whole committed log, and every acknowledged proposal is in it at its
     * index.
     */
    void requireConverged(Set<Integer> members) {
        for (SimNode node : nodes) {
            if (node == null) {
                continue;
            }
            requireMirrorMatchesCore(node);
            NodeView v = views[node.id];
            if (members.contains(node.id) && v.applied != committed.size()) {
                throw new InvariantViolation("convergence", "n" + node.id + " applied " + v.applied + " of "
                        + committed.size() + " committed entries");
            }
        }
        for (Proposal p : acknowledged) {
            LogEntry e = p.index() <= committed.size() ? committed.get((int) p.index() - 1) : null;
            if (e == null || e.term() != p.term() || !Arrays.equals(e.data(), p.command())) {
                throw new InvariantViolation("acknowledged write lost", "proposal #" + p.id() + " acknowledged at "
                        + p.index() + "@" + p.term() + " but committed there: " + e);
            }
        }
    }

    /** The committed log (a copy): what every node's state machine was fed. */
    public List<LogEntry> committedLog() {
        return List.copyOf(committed);
    }

    public int acknowledgedCount() {
        return acknowledged.size();
    }

    public int leadersElected() {
        return leaders.size();
    }
}

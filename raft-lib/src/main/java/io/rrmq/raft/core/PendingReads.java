package io.rrmq.raft.core;

import io.rrmq.raft.message.ReadIndexResponse;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bookkeeping of linearizable reads (thesis §6.4), as etcd-io/raft's {@code readOnly} keeps it
 * beside its core: which reads wait for what, and which may be served.
 *
 * <p><b>Leader.</b> A read waits until an entry of the leader's term has committed (before that the
 * leader cannot know what is committed, §6.4 step 1). It then joins the next <i>round</i>: the
 * leader records its commit index as the round's read index and sends every follower an
 * AppendEntries carrying the round number; each answer echoes the newest round it has seen. Once a
 * majority of voters (the leader counting itself) have echoed round {@code r} or later, every read
 * of rounds up to {@code r} is confirmed: at the round's start no other leader could have committed
 * anything (§6.4 step 2). One round serves every read that arrived before it started (batching);
 * while one round is unanswered, newer reads wait for the next. A confirmed read is handed out as a
 * {@link Ready.ReadState}; the runtime serves it once it has applied up to its index (step 3-4).
 *
 * <p><b>Lease.</b> When enabled, a confirmed round also proves that no voter that answered it will
 * grant a vote until one minimum election timeout after the round started (check-quorum's vote
 * refusal, §6.2), so until then the leader may serve reads at its commit index without a round
 * (§6.4.1). Time comes from the runtime ({@link #observeTime}); the lease is cut by the configured
 * clock-drift margin, is forfeited for the rest of the term once this leader starts a leadership
 * transfer (a transfer's votes ignore leases), and starts only one election timeout into the term
 * of a leader that was elected by a transfer.
 *
 * <p><b>Follower.</b> A follower forwards a read to the leader it knows ({@code ReadIndexRequest})
 * and hands out the index the leader answers. It fails the read if the leader changes, if it loses
 * track of the leader, or after {@code forwardTimeoutTicks} without an answer.
 *
 * <p>Not thread-safe: owned by the core's thread.
 */
final class PendingReads {
    /** A read: its requester's id for it, and the requester (this node, or a follower that forwarded it). */
    record Read(long requestId, int requester) {
    }

    private record Batch(long round, long index, List<Read> reads) {
    }

    private record RoundStart(long round, long nanos) {
    }

    private static final class Forwarded {
        final int leader;
        final long term;
        int ticks;

        Forwarded(int leader, long term) {
            this.leader = leader;
            this.term = term;
        }
    }

    /** Round starts kept to compute the lease from; older ones are dropped (a shorter lease, never a longer one). */
    private static final int MAX_ROUND_STARTS = 64;

    private final int self;
    private final long leaseNanos;
    private final int forwardTimeoutTicks;

    private long nowNanos;

    // Leader side, for the term in leaderTerm.
    private long leaderTerm = -1;
    private List<Read> waiting = new ArrayList<>();
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private long sentRound;
    private long confirmedRound;
    private final Map<Integer, Long> echoed = new HashMap<>();
    private final ArrayDeque<RoundStart> roundStarts = new ArrayDeque<>();
    private long leaseUntilNanos;
    private long leaseNotBeforeNanos;
    private boolean leaseForfeited;

    // Counters since this node started, for metrics.
    private long readRounds;
    private long leaseReads;

    // Follower side.
    private final Map<Long, Forwarded> forwarded = new LinkedHashMap<>();

    // Output since the last take.
    private List<Ready.ReadState> ready = new ArrayList<>();
    private List<Ready.FailedRead> failed = new ArrayList<>();
    private List<ReadIndexResponse> answers = new ArrayList<>();

    /**
     * @param leaseNanos          how long a confirmed round lets the leader serve reads without a round;
     *                            0 disables lease reads
     * @param forwardTimeoutTicks a forwarded read fails after this many ticks without an answer
     */
    PendingReads(int self, long leaseNanos, int forwardTimeoutTicks) {
        this.self = self;
        this.leaseNanos = leaseNanos;
        this.forwardTimeoutTicks = forwardTimeoutTicks;
    }

    void observeTime(long nanos) {
        nowNanos = nanos;
    }

    // ---------------------------------------------------------------- leader

    /**
     * This node leads in {@code term}: a new term drops what an earlier leadership left (its reads
     * failed already by {@link #notLeading}) and starts without a lease.
     *
     * @param byTransfer the election was a leadership transfer's
     * @param electionTimeoutNanos the minimum election timeout, for a transfer's lease delay
     */
    void leading(long term, boolean byTransfer, long electionTimeoutNanos) {
        if (term == leaderTerm) {
            return;
        }
        failLeaderReads(-1);
        leaderTerm = term;
        echoed.clear();
        roundStarts.clear();
        sentRound = 0;
        confirmedRound = 0;
        leaseUntilNanos = 0;
        leaseForfeited = false;
        leaseNotBeforeNanos = byTransfer ? nowNanos + electionTimeoutNanos : Long.MIN_VALUE;
    }

    /** A read arrived at the leader. */
    void add(Read read) {
        waiting.add(read);
    }

    boolean hasWaiting() {
        return !waiting.isEmpty();
    }

    /** Whether a round was started and a majority has not confirmed it yet. */
    boolean roundInFlight() {
        return sentRound > confirmedRound;
    }

    /** The newest round: every AppendEntries the leader sends carries it. */
    long currentRound() {
        return sentRound;
    }

    /**
     * Starts a round. If {@code readIndex} is not negative, the reads waiting now join it with that
     * read index; otherwise (no entry of the term committed yet) they keep waiting.
     */
    void startRound(long readIndex) {
        sentRound++;
        if (roundStarts.size() == MAX_ROUND_STARTS) {
            roundStarts.pollFirst();
        }
        roundStarts.addLast(new RoundStart(sentRound, nowNanos));
        if (readIndex >= 0 && !waiting.isEmpty()) {
            batches.addLast(new Batch(sentRound, readIndex, waiting));
            waiting = new ArrayList<>();
            readRounds++;
        }
    }

    /** Voter {@code peer} answered a message of round {@code round} in this leader's term. */
    void echoed(int peer, long round) {
        echoed.merge(peer, round, Math::max);
    }

    /** The newest round voter {@code peer} echoed (this node: the newest round it started). */
    long echoedBy(int peer) {
        return peer == self ? sentRound : echoed.getOrDefault(peer, 0L);
    }

    /** A majority confirmed every round up to {@code round}: their reads are served, the lease renewed. */
    void confirmed(long round) {
        if (round <= confirmedRound) {
            return;
        }
        confirmedRound = round;
        while (!batches.isEmpty() && batches.peekFirst().round() <= round) {
            Batch b = batches.pollFirst();
            for (Read read : b.reads()) {
                serve(read, b.index());
            }
        }
        long start = Long.MIN_VALUE;
        while (!roundStarts.isEmpty() && roundStarts.peekFirst().round() <= round) {
            start = roundStarts.pollFirst().nanos();
        }
        if (start != Long.MIN_VALUE && leaseNanos > 0) {
            leaseUntilNanos = Math.max(leaseUntilNanos, start + leaseNanos);
        }
    }

    /** Whether the lease lets the leader serve a read now without a round. */
    boolean leaseValid() {
        return leaseNanos > 0 && !leaseForfeited && nowNanos >= leaseNotBeforeNanos && nowNanos < leaseUntilNanos;
    }

    /** This leader starts handing leadership over: no lease for the rest of its term. */
    void forfeitLease() {
        leaseForfeited = true;
    }

    /** Serves every waiting read at {@code readIndex} without a round (a lease, or an injected bug). */
    void serveWaiting(long readIndex) {
        leaseReads += waiting.size();
        for (Read read : waiting) {
            serve(read, readIndex);
        }
        waiting = new ArrayList<>();
    }

    private void serve(Read read, long index) {
        if (read.requester() == self) {
            ready.add(new Ready.ReadState(read.requestId(), index));
        } else {
            answers.add(ReadIndexResponse.granted(self, read.requester(), leaderTerm, read.requestId(), index));
        }
    }

    /**
     * This node does not lead (any more): the reads it held as leader fail, with {@code leaderId}
     * as the leader to ask.
     */
    void notLeading(long term, int leaderId) {
        if (leaderTerm >= 0) {
            leaderTerm = term; // the refusals carry the term this node is in now
            failLeaderReads(leaderId);
            leaderTerm = -1;
        }
    }

    /** The leader this node knows now: forwarded reads fail unless they went to it, in this term. */
    void leaderIs(long term, int leaderId) {
        if (!forwarded.isEmpty()) {
            for (Iterator<Map.Entry<Long, Forwarded>> it = forwarded.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, Forwarded> e = it.next();
                if (e.getValue().leader != leaderId || e.getValue().term != term) {
                    failed.add(new Ready.FailedRead(e.getKey(), leaderId));
                    it.remove();
                }
            }
        }
    }

    private void failLeaderReads(int leaderHint) {
        for (Batch b : batches) {
            fail(b.reads(), leaderHint);
        }
        batches.clear();
        fail(waiting, leaderHint);
        waiting = new ArrayList<>();
    }

    private void fail(List<Read> reads, int leaderHint) {
        for (Read read : reads) {
            if (read.requester() == self) {
                failed.add(new Ready.FailedRead(read.requestId(), leaderHint));
            } else {
                answers.add(ReadIndexResponse.refused(self, read.requester(), Math.max(leaderTerm, 0),
                        read.requestId(), leaderHint));
            }
        }
    }

    // ---------------------------------------------------------------- follower

    /** A local read went to {@code leader} of {@code term}. */
    void forwarded(long requestId, int leader, long term) {
        forwarded.put(requestId, new Forwarded(leader, term));
    }

    /** The leader answered a forwarded read. */
    void answered(ReadIndexResponse r) {
        Forwarded f = forwarded.remove(r.requestId());
        if (f == null || f.leader != r.from()) {
            return;
        }
        if (r.success()) {
            ready.add(new Ready.ReadState(r.requestId(), r.readIndex()));
        } else {
            failed.add(new Ready.FailedRead(r.requestId(), r.leaderHint()));
        }
    }

    /** A read this node cannot serve or forward. */
    void refuse(long requestId, int leaderHint) {
        failed.add(new Ready.FailedRead(requestId, leaderHint));
    }

    /** Whether reads forwarded to the leader wait for an answer: {@link #tick} counts towards their timeout. */
    boolean awaitingForwarded() {
        return !forwarded.isEmpty();
    }

    /** One tick: forwarded reads unanswered for too long fail. */
    void tick() {
        if (forwarded.isEmpty()) {
            return;
        }
        for (Iterator<Map.Entry<Long, Forwarded>> it = forwarded.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Forwarded> e = it.next();
            if (++e.getValue().ticks >= forwardTimeoutTicks) {
                failed.add(new Ready.FailedRead(e.getKey(), e.getValue().leader));
                it.remove();
            }
        }
    }

    /** Rounds that carried at least one read (heartbeats that carried none are not counted). */
    long readRounds() {
        return readRounds;
    }

    /** Reads this node served as leader without a round (its lease). */
    long leaseReads() {
        return leaseReads;
    }

    // ---------------------------------------------------------------- output

    /** Answers to followers' reads since the last call. */
    List<ReadIndexResponse> takeAnswers() {
        if (answers.isEmpty()) {
            return List.of();
        }
        List<ReadIndexResponse> out = answers;
        answers = new ArrayList<>();
        return out;
    }

    /** Reads confirmed or failed since the last call. */
    Ready.Reads take() {
        if (ready.isEmpty() && failed.isEmpty()) {
            return Ready.Reads.NONE;
        }
        Ready.Reads out = new Ready.Reads(ready, failed);
        ready = new ArrayList<>();
        failed = new ArrayList<>();
        return out;
    }
}

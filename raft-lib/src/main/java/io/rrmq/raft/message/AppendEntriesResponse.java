package io.rrmq.raft.message;

/**
 * The answer to an {@link AppendEntries}.
 *
 * @param success      the consistency check passed and the entries are durable on the sender
 * @param matchIndex   on success: the last index known to match the leader's log
 *                     ({@code prevLogIndex + entries}); on failure: 0
 * @param rejectedIndex on failure: the {@code prevLogIndex} that was rejected, so the leader can
 *                     ignore stale rejections; on success: 0
 * @param hintIndex    on failure: where the leader should try next — the follower's
 *                     {@code lastIndex + 1} when its log is too short, else the first index of
 *                     {@code hintTerm} in its log (thesis §5.3 fast back-off)
 * @param hintTerm     on failure: the follower's term at {@code rejectedIndex}, or 0 when its log is
 *                     too short
 * @param readContext  the {@link AppendEntries#readContext()} of the message this answers
 */
public record AppendEntriesResponse(int from, int to, long term, boolean success, long matchIndex,
                                    long rejectedIndex, long hintIndex, long hintTerm, long readContext)
        implements RaftMessage {

    /**
     * Without a read round.
     *
     * @param from          the follower
     * @param to            the leader
     * @param term          the follower's term
     * @param success       whether the entries were appended
     * @param matchIndex    on success, the highest index known to match
     * @param rejectedIndex on failure, the prevLogIndex that was rejected
     * @param hintIndex     on failure, where the leader should try next
     * @param hintTerm      on failure, the term of the follower's entry at {@code hintIndex}
     */
    public AppendEntriesResponse(int from, int to, long term, boolean success, long matchIndex, long rejectedIndex,
                                 long hintIndex, long hintTerm) {
        this(from, to, term, success, matchIndex, rejectedIndex, hintIndex, hintTerm, 0);
    }

    /**
     * This answer, echoing the read round of the message it answers.
     *
     * @param context the read round of the AppendEntries answered
     * @return the same answer carrying {@code context}
     */
    public AppendEntriesResponse withReadContext(long context) {
        return new AppendEntriesResponse(from, to, term, success, matchIndex, rejectedIndex, hintIndex, hintTerm,
                context);
    }

    /**
     * A success: the follower's log matches the leader's up to {@code matchIndex}.
     *
     * @param from       the follower
     * @param to         the leader
     * @param term       the follower's term
     * @param matchIndex the highest index known to match
     * @return the response
     */
    public static AppendEntriesResponse accepted(int from, int to, long term, long matchIndex) {
        return new AppendEntriesResponse(from, to, term, true, matchIndex, 0, 0, 0);
    }

    /**
     * A refusal: the follower's log does not hold the leader's previous entry.
     *
     * @param from          the follower
     * @param to            the leader
     * @param term          the follower's term
     * @param rejectedIndex the previous-entry index that did not match
     * @param hintIndex     where the leader should try next (fast back-off)
     * @param hintTerm      the term of the follower's entry at {@code hintIndex}
     * @return the response
     */
    public static AppendEntriesResponse rejected(int from, int to, long term, long rejectedIndex,
                                                 long hintIndex, long hintTerm) {
        return new AppendEntriesResponse(from, to, term, false, 0, rejectedIndex, hintIndex, hintTerm);
    }
}

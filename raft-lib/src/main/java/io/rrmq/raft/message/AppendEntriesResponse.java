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
 */
public record AppendEntriesResponse(int from, int to, long term, boolean success, long matchIndex,
                                    long rejectedIndex, long hintIndex, long hintTerm)
        implements RaftMessage {

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

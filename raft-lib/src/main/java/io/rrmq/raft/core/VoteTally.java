package io.rrmq.raft.core;

import java.util.HashMap;
import java.util.Map;

/**
 * The answers to one campaign (a pre-vote or a real one), counted against a majority of the
 * members: won once a majority granted, lost once a majority refused. Each voter counts once, with
 * its latest answer, so a duplicated response cannot be counted twice.
 */
final class VoteTally {
    private final int quorum;
    private final Map<Integer, Boolean> answers = new HashMap<>();

    VoteTally(int memberCount) {
        this.quorum = Quorum.size(memberCount);
    }

    void clear() {
        answers.clear();
    }

    void record(int voter, boolean granted) {
        answers.put(voter, granted);
    }

    boolean won() {
        return count(true) >= quorum;
    }

    boolean lost() {
        return count(false) >= quorum;
    }

    private long count(boolean granted) {
        return answers.values().stream().filter(answer -> answer == granted).count();
    }
}

package io.rrmq.raft.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VoteTallyTest {

    @Test
    void aMajorityOfGrantsWinsAndAMajorityOfRefusalsLoses() {
        VoteTally five = new VoteTally(5);
        five.record(0, true);
        five.record(1, true);
        assertThat(five.won()).isFalse();
        five.record(2, false);
        five.record(3, false);
        assertThat(five.won()).isFalse();
        assertThat(five.lost()).isFalse();
        five.record(4, true);
        assertThat(five.won()).isTrue();
    }

    @Test
    void aDuplicatedAnswerCountsOnceAndTheLatestAnswerCounts() {
        VoteTally three = new VoteTally(3);
        three.record(1, true);
        three.record(1, true);
        assertThat(three.won()).isFalse();
        three.record(1, false);
        three.record(2, false);
        assertThat(three.lost()).isTrue();
        three.clear();
        assertThat(three.lost()).isFalse();
    }
}

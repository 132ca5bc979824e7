package io.rrmq.raft.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.rrmq.raft.testkit.BugInjection.Bug;
import org.junit.jupiter.api.Test;

/**
 * The membership checks can fail: each classic bug is injected into every core (see
 * {@link io.rrmq.raft.testkit.BugInjection}) and seeds are swept from {@code sim.firstSeed} (1) until
 * the checker catches it, which must happen within a bound. The first failing seed is printed;
 * replay it with {@code -Dtest=MembershipBugsCaughtTest#NAME -Dsim.firstSeed=SEED}.
 */
class MembershipBugsCaughtTest {
    private static final long CHAOS = MembershipSimulationTest.CI_CHAOS_SECONDS * SimConfig.SECOND;

    /** What caught a bug: the seed and the property (the text before the first colon). */
    record Caught(long seed, String property, String detail) {
    }

    /**
     * Runs seeds until one breaks a safety property; null if none of {@code maxSeeds} does. A run
     * that only loses liveness (the bug may also wedge the group) is reported and the sweep goes on.
     */
    static Caught firstFailure(Bug bug, boolean strictChangeCheck, int nodes, int maxSeeds) {
        var chaos = SimConfig.MembershipChaos.standard().withBug(bug, strictChangeCheck);
        for (long seed = SeedSweep.firstSeed(); seed < SeedSweep.firstSeed() + maxSeeds; seed++) {
            try {
                MembershipSimulationTest.runSeed(nodes, seed, CHAOS, chaos, "MembershipBugsCaughtTest");
            } catch (SimulationFailure f) {
                String message = f.getCause() != null ? f.getCause().getMessage() : f.getMessage();
                int colon = message.indexOf(':');
                Caught caught = new Caught(seed, colon < 0 ? message : message.substring(0, colon), message);
                System.out.println("MembershipBugsCaughtTest: " + bug + (strictChangeCheck ? "" : " (one-change check off)")
                        + ", " + nodes + " initial voters: seed " + seed + " (" + (seed - SeedSweep.firstSeed() + 1)
                        + " seeds) fails: " + message.lines().findFirst().orElse(""));
                if (!caught.property().equals("liveness")) {
                    return caught;
                }
            }
        }
        System.out.println("MembershipBugsCaughtTest: " + bug + " not caught in " + maxSeeds + " seeds");
        return null;
    }

    /**
     * Elections counted in the newest committed configuration: a node that restarted (its commit
     * index back at its snapshot) campaigns in an old group, removed servers among its voters.
     */
    @Test
    void votesCountedInTheOldConfigurationAreCaught() {
        Caught caught = firstFailure(Bug.VOTES_IN_OLD_CONFIGURATION, true, 3, 20);
        assertThat(caught).as("caught within 20 seeds").isNotNull();
        assertThat(caught.property()).isNotEqualTo("liveness");
    }

    @Test
    void twoChangesAtOnceAreCaught() {
        Caught caught = firstFailure(Bug.TWO_CHANGES_AT_ONCE, true, 3, 20);
        assertThat(caught).as("caught within 20 seeds").isNotNull();
        assertThat(caught.property()).isEqualTo("one change at a time");
    }

    @Test
    void aChangeBeforeTheLeaderCommitsInItsTermIsCaught() {
        Caught caught = firstFailure(Bug.CHANGE_BEFORE_COMMIT_IN_TERM, true, 3, 20);
        assertThat(caught).as("caught within 20 seeds").isNotNull();
        assertThat(caught.property()).isEqualTo("one change at a time");
    }
}

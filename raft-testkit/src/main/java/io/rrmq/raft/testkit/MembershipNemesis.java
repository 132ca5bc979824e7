package io.rrmq.raft.testkit;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.MembershipChangeException;
import io.rrmq.raft.RaftConfig;
import io.rrmq.raft.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * The membership half of the nemesis: at random moments it asks whichever node believes it leads
 * (possibly a stale one) to add a learner (a brand-new server, started with an empty configuration),
 * promote one once it has caught up, remove a server (a voter, a learner or the leader itself) or
 * hand leadership over. Promotions go through the runtime's own catch-up rounds
 * ({@link RuntimeCatchUp}), checked every few milliseconds against the leader's match index, and are
 * retried while another change commits, as RaftRuntime does. Removed servers keep running.
 */
final class MembershipNemesis {
    /** How often pending promotions are looked at: about one tick. */
    private static final long PROMOTION_POLL_MICROS = 10_000;

    /** A promotion under way on one leader (as RaftRuntime's, it dies with that leadership). */
    private record Promotion(int leader, long term, RuntimeCatchUp catchUp) {
    }

    private final Simulation sim;
    private final Random random;
    private final SimConfig.MembershipChaos chaos;
    private final RaftConfig raft;
    private final MembershipStats.Counter stats;
    private final TreeMap<Integer, Promotion> promotions = new TreeMap<>();
    private int nextId;
    private int joinersLeft;
    /** A server started for an addition that did not happen: the next addition uses it; -1 if none. */
    private int spare = -1;
    private boolean polling;

    /** @param firstNewId the id of the first server it starts: the size of the initial group */
    MembershipNemesis(Simulation sim, Random random, SimConfig.MembershipChaos chaos, RaftConfig raft,
                      MembershipStats.Counter stats, int firstNewId) {
        this.sim = sim;
        this.random = random;
        this.chaos = chaos;
        this.raft = raft;
        this.stats = stats;
        this.nextId = firstNewId;
        this.joinersLeft = chaos.maxJoiners();
    }

    /** Whether this turn of the nemesis is a membership action. */
    boolean wantsTurn() {
        return random.nextInt(100) < chaos.percent();
    }

    void act() {
        int leaderId = sim.someLeader();
        if (leaderId >= 0) {
            SimNode leader = sim.node(leaderId);
            Configuration current = leader.core().configuration();
            int roll = random.nextInt(100);
            if (roll < 30) {
                addLearner(leader, current);
            } else if (roll < 55) {
                startPromotion(leader, current);
            } else if (roll < 80) {
                remove(leader, current);
            } else {
                transfer(leader, current);
            }
        }
        if (random.nextInt(100) < chaos.burstPercent()) {
            sim.scheduleChaos(1 + random.nextInt(30_000), this::act);
        }
    }

    /**
     * A new leader: sometimes a membership request arrives at once, as from an operator's script
     * that retries against whoever leads now. This is the window of Ongaro's rule: the leader must
     * refuse until an entry of its term has committed.
     */
    void onNewLeader(SimNode leader) {
        if (random.nextInt(100) < chaos.burstPercent()) {
            sim.scheduleChaos(random.nextInt(5_000), this::act);
        }
    }

    /**
     * Sometimes the leader that just appended a change loses power a moment later, before the change
     * commits: the next leader inherits an uncommitted change.
     */
    private void maybeCrashAfterChange(SimNode leader) {
        if (random.nextInt(100) >= chaos.burstPercent() / 2) {
            return;
        }
        int life = leader.incarnation();
        sim.scheduleChaos(random.nextInt(3_000), () -> {
            if (leader.inLife(life)) {
                sim.log().record(sim.now(), "nemesis: power cut right after a configuration change:");
                leader.crash();
                sim.scheduleRestart(leader.id, 20_000 + random.nextInt(500_000));
            }
        });
    }

    private void addLearner(SimNode leader, Configuration current) {
        if (spare < 0) {
            if (joinersLeft == 0) {
                return;
            }
            joinersLeft--;
            spare = nextId++;
            stats.joiners++;
            sim.launch(spare);
        }
        if (propose(leader, current.withLearner(spare, "sim://n" + spare), "add learner n" + spare)) {
            stats.learnersAdded++;
            spare = -1;
        }
    }

    private void startPromotion(SimNode leader, Configuration current) {
        List<Integer> learners = new ArrayList<>();
        for (int id : current.ids()) {
            if (!current.isVoter(id) && !promotions.containsKey(id)) {
                learners.add(id);
            }
        }
        if (learners.isEmpty() || current.voterIds().size() >= chaos.maxVoters()) {
            return;
        }
        int learner = learners.get(random.nextInt(learners.size()));
        long stallTicks = 10L * 1000 / Math.max(1, raft.tickInterval().toMillis()); // RaftRuntime.promote's
        promotions.put(learner, new Promotion(leader.id, leader.core().term(),
                new RuntimeCatchUp(raft.electionTicks(), stallTicks, leader.core().log().lastIndex(), leader.ticks())));
        sim.log().record(sim.now(), "nemesis: n" + leader.id + " starts catching n" + learner + " up");
        if (!polling) {
            polling = true;
            sim.scheduleChaos(PROMOTION_POLL_MICROS, this::advancePromotions);
        }
    }

    /** RaftRuntime.advancePromotion, for every promotion under way. */
    private void advancePromotions() {
        for (var it = promotions.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (advance(e.getKey(), e.getValue())) {
                it.remove();
            }
        }
        polling = !promotions.isEmpty();
        if (polling) {
            sim.scheduleChaos(PROMOTION_POLL_MICROS, this::advancePromotions);
        }
    }

    /** @return whether the promotion is over */
    private boolean advance(int learner, Promotion promotion) {
        SimNode leader = sim.node(promotion.leader());
        if (!leader.isUp() || leader.core().role() != Role.LEADER || leader.core().term() != promotion.term()
                || !leader.core().configuration().contains(learner)) {
            stats.promotionsAbandoned++;
            return true;
        }
        Configuration current = leader.core().configuration();
        if (current.isVoter(learner)) {
            return true;
        }
        switch (promotion.catchUp().check(leader.core().matchIndex(learner), leader.core().log().lastIndex(),
                leader.ticks())) {
            case PROMOTE -> {
                if (current.voterIds().size() >= chaos.maxVoters()) {
                    stats.promotionsAbandoned++;
                    return true;
                }
                try {
                    leader.proposeConfiguration(current.withPromoted(learner));
                    maybeCrashAfterChange(leader);
                    stats.promoted++;
                    return true;
                } catch (MembershipChangeException e) {
                    stats.refused++;
                    if (!e.retryable()) {
                        stats.promotionsAbandoned++;
                    }
                    return !e.retryable(); // another change is committing: try again next time
                }
            }
            case GIVE_UP -> {
                sim.log().record(sim.now(), "nemesis: n" + learner + " stays a learner: " + promotion.catchUp().reason());
                stats.promotionsAbandoned++;
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** A voter or a learner, sometimes the leader itself; never the last voter. */
    private void remove(SimNode leader, Configuration current) {
        List<Integer> ids = current.ids();
        int target = random.nextInt(4) == 0 ? leader.id : ids.get(random.nextInt(ids.size()));
        if (!current.contains(target) || current.isVoter(target) && current.voterIds().size() <= 1) {
            return;
        }
        if (propose(leader, current.without(target), "remove n" + target)) {
            stats.removed++;
            if (target == leader.id) {
                stats.leaderRemovals++;
            }
        }
    }

    private void transfer(SimNode leader, Configuration current) {
        List<Integer> others = current.voterIds().stream().filter(id -> id != leader.id).toList();
        if (others.isEmpty()) {
            return;
        }
        int target = random.nextBoolean() ? leader.core().mostUpToDateVoter() : others.get(random.nextInt(others.size()));
        if (target < 0) {
            return;
        }
        try {
            leader.transferLeadership(target);
            stats.transfers++;
        } catch (MembershipChangeException e) {
            stats.refused++;
            sim.log().record(sim.now(), "nemesis: transfer to n" + target + " refused: " + e.getMessage());
        }
    }

    private boolean propose(SimNode leader, Configuration next, String what) {
        try {
            leader.proposeConfiguration(next);
            maybeCrashAfterChange(leader);
            return true;
        } catch (MembershipChangeException e) {
            stats.refused++;
            sim.log().record(sim.now(), "nemesis: " + what + " refused by n" + leader.id + ": " + e.getMessage());
            return false;
        }
    }
}

package io.rrmq.raft.testkit;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.LogEntry;
import io.rrmq.raft.Role;
import io.rrmq.raft.StateMachine;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * One deterministic run of an embedder's {@link StateMachine} on a simulated Raft cluster: real
 * raft-lib cores (the very engine {@code RaftRuntime} runs) on a simulated network and disks, in
 * virtual time, every random choice drawn from one {@link Random} seeded with {@code seed}. The same
 * seed gives the same run, event for event, so a failure replays exactly.
 *
 * <p>Three phases:
 * <ol>
 *   <li><b>chaos</b>: a nemesis injects faults while the {@link Workload}'s clients propose at
 *       random nodes: crashes (a crash loses every write not yet fsynced, and may strike between a
 *       write and its sync, during a snapshot save or a transfer), restarts, partitions, one-way
 *       links, message loss, duplication, reordering and long delays, clock drift, slow disks;</li>
 *   <li><b>heal</b>: every link is restored, the network made clean, crashed nodes restarted; within
 *       {@link SimConfig#healMicros} a leader must be elected and a fresh proposal acknowledged;</li>
 *   <li><b>settle</b>: the workload finishes (it may drain) and every node catches up with the leader.</li>
 * </ol>
 * Raft's safety properties (election safety, log matching, leader completeness, state machine
 * safety, nothing acknowledged lost, every majority counted in the configuration in effect) are
 * checked after every step; the first violation, any exception from the engine, or a failed
 * {@link HistoryChecker} ends the run with a {@link SimulationFailure} naming the seed and the
 * replay command.
 *
 * <p>An embedder's test, with a state machine that adds each command to a sum and answers the sum:
 * <pre>{@code
 * @Test
 * void countsRightUnderFaults() {
 *     for (long seed : SeedSweep.seeds(20)) {            // -Dsim.seed=N replays one seed
 *         Adds workload = new Adds();                      // a Workload: commands, outcomes
 *         SimConfig config = SimConfig.forSeed(seed, 3, 20 * SimConfig.SECOND);
 *         String replay = "mvn test -Dtest=CounterSimulationTest -Dsim.seed=" + seed;
 *         new Simulation(seed, config, workload, replay).run(result -> {
 *             long sum = 0;                                // the history check: replay the
 *             for (LogEntry e : result.committedLog()) {   // committed log through a model
 *                 if (e.type() == LogEntry.Type.COMMAND) {
 *                     sum += ByteBuffer.wrap(e.data()).getLong();
 *                     Long answer = workload.answerAtIndex.get(e.index());
 *                     assertTrue(answer == null || answer == sum, "answer at " + e.index());
 *                 }
 *             }
 *         });
 *     }
 * }
 * }</pre>
 * {@code Adds} returns {@code new Counter()} from {@link Workload#newStateMachine()}, a command
 * from {@link Workload#next}, and records {@code answerAtIndex} in {@link Workload#acknowledged}.
 * raft-lib/README.md has the whole test.
 */
public final class Simulation {
    /**
     * What a passing run did.
     *
     * @param seed           the run's seed
     * @param traceHash      a hash of every event, in order: equal for equal seeds
     * @param virtualMicros  virtual time the run took
     * @param events         events simulated
     * @param leadersElected leaders elected
     * @param acknowledged   proposals acknowledged to the workload
     * @param committedLog   the committed log, from index 1, as every node agrees on it
     * @param livenessMicros time from healing until the first fresh proposal was acknowledged
     * @param snapshots      what the run did with snapshots
     * @param membership     what the run did with membership
     */
    public record Result(long seed, long traceHash, long virtualMicros, long events, int leadersElected,
                         int acknowledged, List<LogEntry> committedLog, long livenessMicros,
                         SnapshotStats snapshots, MembershipStats membership) {
    }

    private final long seed;
    private final SimConfig config;
    private final Workload workload;
    private final String replayCommand;
    private final Random random;
    private final Scheduler scheduler = new Scheduler();
    private final EventLog log = new EventLog(120);
    /** By id; null for an id not started yet. */
    private final SimNode[] nodes;
    /** The nodes started so far, in id order: the initial group, then the joiners. */
    private final List<SimNode> launched = new ArrayList<>();
    private final InvariantChecker checker;
    private final SimNetwork network;
    private final Nemesis nemesis;
    private final MembershipNemesis membershipNemesis;
    private final SnapshotStats.Counter snapshotStats = new SnapshotStats.Counter();
    private final MembershipStats.Counter membershipStats = new MembershipStats.Counter();
    private final Workload observed = new ObservingWorkload();
    private final NemesisFaults nemesisFaults = new NemesisFaults();
    /** The members of the newest configuration a leader had when last asked; the nemesis's targets. */
    private List<Integer> knownMembers;

    private boolean healed;
    private long nextProposalId = 1;
    private long firstIdAfterHeal = Long.MAX_VALUE;
    private long firstAckAfterHealAt = -1;

    /**
     * Prepares a run; nothing happens before {@link #run()}.
     *
     * @param seed          decides every random choice of the run
     * @param config        the cluster, the phases and the fault rates
     * @param workload      the clients, the state machine, and the checks of each outcome
     * @param replayCommand the one-line command that re-runs this seed, printed on failure
     */
    public Simulation(long seed, SimConfig config, Workload workload, String replayCommand) {
        this.seed = seed;
        this.config = config;
        this.workload = workload;
        this.replayCommand = replayCommand;
        this.random = new Random(seed);
        this.nodes = new SimNode[config.capacity()];
        this.checker = new InvariantChecker(nodes, config.membership() == null || config.membership().strictChangeCheck(),
                membershipStats);
        this.network = new SimNetwork(config.capacity(), scheduler, random, log, m -> {
            SimNode to = nodes[m.to()];
            if (to != null) {
                to.receive(m);
            }
        });
        this.membershipNemesis = config.membership() == null ? null : new MembershipNemesis(this, random,
                config.membership(), config.raft(), membershipStats, config.nodes());
        this.nemesis = new Nemesis(this, network, random, config.capacity(), membershipNemesis);
        List<Integer> members = IntStream.range(0, config.nodes()).boxed().toList();
        this.knownMembers = members;
        Configuration bootstrap = Configuration.ofVoters(members);
        for (int i = 0; i < config.nodes(); i++) {
            nodes[i] = newNode(i, bootstrap);
            launched.add(nodes[i]);
        }
    }

    private SimNode newNode(int id, Configuration initial) {
        BugInjection.Bug bug = workload instanceof LinearizableReads reads ? reads.bug()
                : config.membership() == null ? BugInjection.Bug.NONE : config.membership().bug();
        return new SimNode(id, initial, bug,
                config.raft(), scheduler, network, random, log, checker, observed, nemesisFaults, snapshotStats);
    }

    /**
     * Runs the three phases, checking Raft's invariants after every step.
     *
     * @return what the run did
     * @throws SimulationFailure an invariant or the liveness bound broke, or the engine threw; its
     *                           message names the seed and the replay command
     */
    public Result run() {
        try {
            return runPhases();
        } catch (RuntimeException e) { // an InvariantViolation, or the engine refusing a state
            throw new SimulationFailure(seed, replayCommand, "at " + EventLog.formatTime(scheduler.now())
                    + ": " + e.getMessage(), log.tail(), e);
        }
    }

    /**
     * {@link #run()}, then the embedder's check of the history the run produced.
     *
     * @param checker throws if the history is wrong
     * @return what the run did
     * @throws SimulationFailure the run or the history check failed; names the seed and the replay command
     */
    public Result run(HistoryChecker checker) {
        Result result = run();
        try {
            checker.check(result);
        } catch (AssertionError | RuntimeException e) {
            throw new SimulationFailure(seed, replayCommand, "history check: " + e.getMessage(), log.tail(), e);
        }
        return result;
    }

    private Result runPhases() {
        for (SimNode node : launched) {
            node.setTickMicros(nemesis.randomTickMicros());
            node.start();
        }
        long chaosEnd = config.chaosMicros();
        scheduleNextFault(chaosEnd);
        scheduleNextProposal();
        if (workload instanceof LinearizableReads reads) {
            reads.start(this);
        }
        while (scheduler.runNext(chaosEnd)) {
            // every event is one step; the checker ran inside it
        }

        heal();
        long healDeadline = chaosEnd + config.healMicros();
        while (firstAckAfterHealAt < 0 && scheduler.runNext(healDeadline)) {
            // until a fresh proposal is acknowledged
        }
        if (firstAckAfterHealAt < 0) {
            throw new InvariantViolation("liveness", "no proposal acknowledged within "
                    + config.healMicros() / 1000 + " ms after healing; roles " + roles());
        }
        long livenessMicros = firstAckAfterHealAt - chaosEnd;

        long settleDeadline = healDeadline + config.settleMicros();
        while (!(workload.finished() && converged()) && scheduler.runNext(settleDeadline)) {
            // until the workload is done and every node caught up
        }
        if (!workload.finished() || !converged()) {
            throw new InvariantViolation("liveness", "not settled " + config.settleMicros() / 1000
                    + " ms after healing (workload finished: " + workload.finished() + "); roles " + roles());
        }
        checker.requireConverged(members());
        List<LogEntry> committedLog = checker.committedLog();
        return new Result(seed, log.traceHash(), scheduler.now(), log.events(), checker.leadersElected(),
                checker.acknowledgedCount(), committedLog, livenessMicros, snapshotStats.snapshot(),
                membershipStats.snapshot(committedLog));
    }

    private void heal() {
        healed = true;
        firstIdAfterHeal = nextProposalId;
        log.record(now(), "HEAL");
        network.healLinks();
        network.setQuality(SimNetwork.Quality.CLEAN);
        for (SimNode node : launched) { // removed servers too: they must not disrupt the others
            if (!node.isUp()) {
                node.start();
            }
        }
    }

    /**
     * One leader that every member of its configuration follows, with nothing left to commit or apply
     * anywhere. Servers outside it (removed, or started and never added) are not waited for.
     */
    private boolean converged() {
        int leader = someLeader();
        if (leader < 0) {
            return false;
        }
        var core = nodes[leader].core();
        if (core.commitIndex() != core.log().lastIndex()) {
            return false;
        }
        for (int id : core.configuration().ids()) {
            SimNode node = nodes[id];
            if (!node.isUp() || node.lastApplied() != core.commitIndex() || node.core().term() != core.term()) {
                return false;
            }
        }
        return true;
    }

    /** The servers of the settled group: the members of the leader's (committed) configuration. */
    private java.util.Set<Integer> members() {
        return new java.util.TreeSet<>(nodes[someLeader()].core().configuration().ids());
    }

    // ---------------------------------------------------------------- schedules

    private long exponential(long mean) {
        return 1 + (long) (-mean * Math.log(1 - random.nextDouble()));
    }

    private void scheduleNextFault(long chaosEnd) {
        scheduler.after(exponential(config.meanFaultGapMicros()), () -> {
            if (scheduler.now() < chaosEnd) {
                nemesis.act();
                scheduleNextFault(chaosEnd);
            }
        });
    }

    private void scheduleNextProposal() {
        scheduler.after(exponential(config.meanProposalGapMicros()), () -> {
            proposeOne();
            if (!(healed && workload.finished())) {
                scheduleNextProposal();
            }
        });
    }

    /** Clients mostly find a node that believes it leads (possibly a stale one); some ask anyone. */
    private void proposeOne() {
        List<Integer> up = new ArrayList<>();
        List<Integer> leaders = new ArrayList<>();
        for (SimNode node : launched) {
            if (node.isUp()) {
                up.add(node.id);
                if (node.core().role() == Role.LEADER) {
                    leaders.add(node.id);
                }
            }
        }
        if (up.isEmpty()) {
            return;
        }
        boolean toLeader = !leaders.isEmpty() && (healed || random.nextInt(10) < 8);
        List<Integer> choices = toLeader ? leaders : up;
        int target = choices.get(random.nextInt(choices.size()));
        Workload.Command command = workload.next(random, healed);
        if (command == null) {
            return;
        }
        Proposal p = nodes[target].propose(nextProposalId++, command);
        if (p == null) {
            workload.rejected(command);
        }
    }

    void scheduleRestart(int node, long delay) {
        scheduler.after(delay, () -> {
            if (!nodes[node].isUp()) {
                nodes[node].start();
            }
        });
    }

    /** Runs {@code action} after {@code delay} unless the faults have stopped by then. */
    void scheduleChaos(long delay, Runnable action) {
        scheduler.after(delay, () -> {
            if (!healed) {
                action.run();
            }
        });
    }

    // ---------------------------------------------------------------- for the nemesis

    SimNode node(int id) {
        return nodes[id];
    }

    /** Starts server {@code id}, new to the run, with an empty configuration: it waits to be added. */
    SimNode launch(int id) {
        if (nodes[id] != null) {
            throw new IllegalArgumentException("n" + id + " was started already");
        }
        SimNode node = newNode(id, Configuration.EMPTY);
        nodes[id] = node;
        launched.add(node);
        node.setTickMicros(nemesis.randomTickMicros());
        node.start();
        return node;
    }

    /**
     * The ids faults are aimed at: every node of a fixed group; with membership changes, the members
     * of the newest configuration a leader was seen with (removed servers run on, out of the way).
     */
    List<Integer> faultTargets() {
        if (config.membership() == null) {
            return knownMembers;
        }
        int leader = someLeader();
        if (leader >= 0) {
            knownMembers = nodes[leader].core().configuration().ids();
        }
        return knownMembers;
    }

    /** Every server started so far, members or not. */
    List<Integer> launchedIds() {
        return launched.stream().map(n -> n.id).toList();
    }

    /** A node that believes it is leader (the one of the highest term), or -1. */
    int someLeader() {
        int best = -1;
        for (SimNode node : launched) {
            if (node.isUp() && node.core().role() == Role.LEADER
                    && (best < 0 || node.core().term() > nodes[best].core().term())) {
                best = node.id;
            }
        }
        return best;
    }

    long now() {
        return scheduler.now();
    }

    EventLog log() {
        return log;
    }

    private String roles() {
        StringBuilder sb = new StringBuilder();
        for (SimNode node : launched) {
            sb.append(" n").append(node.id).append('=');
            sb.append(node.isUp() ? node.core().role() + "@" + node.core().term() + " commit "
                    + node.core().commitIndex() + "/" + node.core().log().lastIndex() : "down");
        }
        return sb.toString();
    }

    /** Offers the nemesis its power cuts aimed at writes, snapshot saves and transfers, until healing. */
    private final class NemesisFaults implements SimNode.Faults {
        @Override
        public void handedOut(SimNode node, boolean changesHardState, long durableAt) {
            if (!healed) {
                nemesis.maybeCrashBeforeDurable(node, changesHardState, durableAt);
            }
        }

        @Override
        public void snapshotSaveStarted(SimNode node, long durableAt) {
            if (!healed) {
                nemesis.maybeCrashDuringSnapshotSave(node, durableAt);
            }
        }

        @Override
        public void becameLeader(SimNode node) {
            if (!healed && membershipNemesis != null) {
                membershipNemesis.onNewLeader(node);
            }
        }

        @Override
        public void chunkStoreStarted(SimNode node, io.rrmq.raft.message.InstallSnapshot chunk, long storedAt) {
            if (!healed) {
                nemesis.maybeCrashDuringTransfer(node, chunk, storedAt);
            }
        }
    }

    /** Passes everything to the workload, noting when the first post-heal proposal is acknowledged. */
    private final class ObservingWorkload implements Workload {
        @Override
        public StateMachine newStateMachine() {
            return workload.newStateMachine();
        }

        @Override
        public StateMachine newStateMachine(int node) {
            return workload.newStateMachine(node);
        }

        @Override
        public Command next(Random r, boolean isHealed) {
            return workload.next(r, isHealed);
        }

        @Override
        public void acknowledged(Proposal proposal, byte[] result) {
            if (proposal.id() >= firstIdAfterHeal && firstAckAfterHealAt < 0) {
                firstAckAfterHealAt = scheduler.now();
            }
            workload.acknowledged(proposal, result);
        }

        @Override
        public void outcomeUnknown(Proposal proposal) {
            workload.outcomeUnknown(proposal);
        }

        @Override
        public void rejected(Command command) {
            workload.rejected(command);
        }

        @Override
        public boolean finished() {
            return workload.finished();
        }
    }
}

package io.rrmq.server.testing;

import io.rrmq.mq.TopicStateMachine;
import io.rrmq.raft.LeadershipLostException;
import io.rrmq.raft.NotLeaderException;
import io.rrmq.raft.OverloadedException;
import io.rrmq.raft.RaftNode;
import io.rrmq.raft.RaftStatus;
import io.rrmq.raft.Role;
import io.rrmq.raft.message.RaftMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A hand-written stand-in for a Raft node, for HTTP-level tests: as leader it applies every proposal
 * to a real {@link TopicStateMachine} on its own single "event loop" thread (so futures complete on
 * another thread, as with the real runtime); other behaviours answer as the real engine would.
 */
public final class FakeRaftNode implements RaftNode {

    /** How the next proposals are answered. */
    public enum Mode { LEADER, FOLLOWER, NO_LEADER, OVERLOADED, LEADERSHIP_LOST, HANG }

    private final int id;
    private final TopicStateMachine stateMachine = new TopicStateMachine();
    private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fake-raft-loop");
        t.setDaemon(true);
        return t;
    });
    private final List<RaftMessage> received = new CopyOnWriteArrayList<>();
    private volatile java.util.function.Consumer<RaftMessage> onReceive = message -> { };
    private volatile Mode mode = Mode.LEADER;
    private volatile int leaderHint = RaftStatus.NO_LEADER;
    private volatile long index;
    private volatile long proposals;
    private volatile long reads;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    public FakeRaftNode(int id) {
        this.id = id;
    }

    /** The state machine the fake applies to (to watch it, as the server's consumer endpoints do). */
    public TopicStateMachine stateMachine() {
        return stateMachine;
    }

    public FakeRaftNode mode(Mode newMode) {
        this.mode = newMode;
        return this;
    }

    /** Behave as a follower that knows {@code leader}. */
    public FakeRaftNode followerOf(int leader) {
        this.leaderHint = leader;
        this.mode = Mode.FOLLOWER;
        return this;
    }

    @Override
    public int id() {
        return id;
    }

    @Override
    public CompletableFuture<byte[]> propose(byte[] command) {
        proposals++;
        CompletableFuture<byte[]> future = new CompletableFuture<>();
        switch (mode) {
            case LEADER:
                loop.execute(() -> future.complete(stateMachine.apply(++index, command)));
                break;
            case FOLLOWER:
                future.completeExceptionally(new NotLeaderException(leaderHint));
                break;
            case NO_LEADER:
                future.completeExceptionally(new NotLeaderException(RaftStatus.NO_LEADER));
                break;
            case OVERLOADED:
                future.completeExceptionally(new OverloadedException(1));
                break;
            case LEADERSHIP_LOST:
                loop.execute(() -> future.completeExceptionally(new LeadershipLostException(index + 1, 1)));
                break;
            case HANG:
            default:
                break;
        }
        return future;
    }

    @Override
    public CompletableFuture<Long> readIndex() {
        return read(() -> index);
    }

    @Override
    public CompletableFuture<byte[]> query(byte[] query) {
        return read(() -> stateMachine.query(query));
    }

    /** A linearizable read as the engine answers it: on the loop as leader; never a proposal. */
    private <T> CompletableFuture<T> read(java.util.function.Supplier<T> onLoop) {
        reads++;
        CompletableFuture<T> future = new CompletableFuture<>();
        switch (mode) {
            case LEADER -> loop.execute(() -> {
                try {
                    future.complete(onLoop.get());
                } catch (RuntimeException e) {
                    future.completeExceptionally(e);
                }
            });
            case FOLLOWER -> future.completeExceptionally(new NotLeaderException(leaderHint));
            case NO_LEADER, LEADERSHIP_LOST -> future.completeExceptionally(new NotLeaderException(RaftStatus.NO_LEADER));
            case OVERLOADED -> future.completeExceptionally(new OverloadedException(1));
            default -> {
            }
        }
        return future;
    }

    /** Linearizable reads asked for so far. */
    public long reads() {
        return reads;
    }

    @Override
    public void receive(RaftMessage message) {
        received.add(message);
        onReceive.accept(message);
    }

    /** Runs {@code hook} with every message {@link #receive} gets (on the caller's thread), to answer it. */
    public FakeRaftNode onReceive(java.util.function.Consumer<RaftMessage> hook) {
        this.onReceive = hook;
        return this;
    }

    @Override
    public RaftStatus status() {
        Role role = mode == Mode.FOLLOWER || mode == Mode.NO_LEADER ? Role.FOLLOWER : Role.LEADER;
        int leader = role == Role.LEADER ? id : leaderHint;
        return new RaftStatus(id, role, 3, leader, index, index, index,
                io.rrmq.raft.Configuration.ofVoters(java.util.List.of(0, 1, 2)));
    }

    /** Messages handed to {@link #receive}, in order. */
    public List<RaftMessage> received() {
        return received;
    }

    /** Proposals made so far (accepted or not). */
    public long proposals() {
        return proposals;
    }

    /** Reads the state machine's topics on its own thread. */
    public List<String> topics() throws Exception {
        return loop.submit(stateMachine::topics).get(5, TimeUnit.SECONDS);
    }

    /** Messages queued in all topics. */
    public long messageCount() throws Exception {
        return loop.submit(stateMachine::messageCount).get(5, TimeUnit.SECONDS);
    }

    @Override
    public CompletableFuture<Void> stopped() {
        return stopped;
    }

    @Override
    public void close() {
        loop.shutdownNow();
        stopped.complete(null);
    }
}

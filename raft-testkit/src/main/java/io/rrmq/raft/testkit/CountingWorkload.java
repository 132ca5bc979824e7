package io.rrmq.raft.testkit;

import io.rrmq.raft.StateMachine;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * The engine-level workload: unique commands ({@code c1}, {@code c2}, ...) proposed without limit,
 * applied by a state machine whose result is the index it applied at, so that every acknowledgement
 * can be checked to carry the result of its own entry. After healing it wants a few acknowledgements.
 */
public final class CountingWorkload implements Workload {
    private static final int CLIENT_BEFORE_HEAL = 0;
    private static final int CLIENT_AFTER_HEAL = 1;
    private static final int ACKS_WANTED_AFTER_HEAL = 5;

    private long nextCommand = 1;
    private int acknowledgedAfterHeal;

    /** A workload that has proposed nothing yet. */
    public CountingWorkload() {
    }

    @Override
    public StateMachine newStateMachine() {
        return new IndexEchoMachine();
    }

    @Override
    public Command next(Random random, boolean healed) {
        if (healed && finished()) {
            return null;
        }
        byte[] bytes = ("c" + nextCommand++).getBytes(StandardCharsets.UTF_8);
        return new Command(healed ? CLIENT_AFTER_HEAL : CLIENT_BEFORE_HEAL, bytes);
    }

    @Override
    public void acknowledged(Proposal proposal, byte[] result) {
        long appliedAt = ByteBuffer.wrap(result).getLong();
        if (appliedAt != proposal.index()) {
            throw new InvariantViolation("acknowledgement result", "proposal #" + proposal.id() + " at "
                    + proposal.index() + " answered with the result of index " + appliedAt);
        }
        if (proposal.client() == CLIENT_AFTER_HEAL) {
            acknowledgedAfterHeal++;
        }
    }

    @Override
    public void outcomeUnknown(Proposal proposal) {
    }

    @Override
    public void rejected(Command command) {
    }

    @Override
    public boolean finished() {
        return acknowledgedAfterHeal >= ACKS_WANTED_AFTER_HEAL;
    }

    /** Answers each command with its index; refuses to apply out of order; its snapshot is the last index. */
    private static final class IndexEchoMachine implements StateMachine {
        private long last;

        @Override
        public byte[] apply(long index, byte[] command) {
            if (index <= last) {
                throw new IllegalStateException("applied " + index + " after " + last + ": " + Arrays.toString(command));
            }
            last = index;
            return ByteBuffer.allocate(8).putLong(index).array();
        }

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            new DataOutputStream(out).writeLong(last);
        }

        @Override
        public void restoreSnapshot(InputStream in) throws IOException {
            last = new DataInputStream(in).readLong();
        }
    }
}

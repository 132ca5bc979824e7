package io.rrmq.raft;

import java.util.Arrays;

/**
 * One entry of the replicated log. Immutable: the {@code data} array is never modified after
 * construction, by convention on both sides.
 *
 * @param index position in the log, from 1
 * @param term  term of the leader that created the entry
 * @param type  what the entry carries
 * @param data  the client's command for {@link Type#COMMAND}; the encoded {@link Configuration} for
 *              {@link Type#CONFIGURATION}; empty for {@link Type#NOOP}
 */
public record LogEntry(long index, long term, Type type, byte[] data) {

    /** What an entry carries. The byte codes are part of the wire and disk formats. */
    public enum Type {
        /** An application command, handed to the {@link StateMachine}. */
        COMMAND((byte) 1),
        /** The empty entry a new leader appends to commit its term (Raft paper §8). */
        NOOP((byte) 2),
        /**
         * A new {@link Configuration} of the group, in effect on each server from the moment it is
         * appended there (thesis §4.1). A new leader whose log holds none appends its starting
         * configuration in place of the {@link #NOOP}, so the log becomes its record.
         */
        CONFIGURATION((byte) 3);

        private final byte code;

        Type(byte code) {
            this.code = code;
        }

        /** {@return the type's byte in the storage and wire formats} */
        public byte code() {
            return code;
        }

        /**
         * The type of a stored byte.
         *
         * @param code a byte {@link #code()} returned
         * @return the type
         * @throws IllegalArgumentException no type has that code
         */
        public static Type fromCode(byte code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown entry type " + code);
        }
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * Checks the entry.
     *
     * @param index its log index, from 1
     * @param term  the term it was appended in, from 1
     * @param type  what it carries
     * @param data  the command, the encoded configuration, or empty
     */
    public LogEntry {
        if (index < 1 || term < 1) {
            throw new IllegalArgumentException("bad entry position index=" + index + " term=" + term);
        }
        if (type == null || data == null) {
            throw new NullPointerException("type and data are required");
        }
    }

    /**
     * An application command.
     *
     * @param index its log index
     * @param term  its term
     * @param data  the command's bytes
     * @return the entry
     */
    public static LogEntry command(long index, long term, byte[] data) {
        return new LogEntry(index, term, Type.COMMAND, data);
    }

    /**
     * The no-op a new leader appends.
     *
     * @param index its log index
     * @param term  its term
     * @return the entry
     */
    public static LogEntry noop(long index, long term) {
        return new LogEntry(index, term, Type.NOOP, EMPTY);
    }

    /**
     * A configuration change.
     *
     * @param index         its log index
     * @param term          its term
     * @param configuration the configuration it records
     * @return the entry
     */
    public static LogEntry configuration(long index, long term, Configuration configuration) {
        return new LogEntry(index, term, Type.CONFIGURATION, configuration.encode());
    }

    /**
     * The configuration this {@link Type#CONFIGURATION} entry carries.
     *
     * @return the configuration
     * @throws IllegalStateException the entry is not a configuration
     */
    public Configuration configuration() {
        if (type != Type.CONFIGURATION) {
            throw new IllegalStateException(this + " carries no configuration");
        }
        return Configuration.decode(data);
    }

    /**
     * The same entry placed at another term: used only by tests that build logs by hand.
     *
     * @param newTerm the term
     * @return the entry
     */
    public LogEntry withTerm(long newTerm) {
        return new LogEntry(index, newTerm, type, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogEntry e && e.index == index && e.term == term && e.type == type
                && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(index) * 31 + Long.hashCode(term);
    }

    @Override
    public String toString() {
        return "LogEntry[" + index + "@" + term + " " + type + " " + data.length + "B]";
    }
}

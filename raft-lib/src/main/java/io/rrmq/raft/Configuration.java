package io.rrmq.raft;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The servers of a Raft group at one point of its log: who votes, who only learns, and where each is.
 *
 * <p>A configuration lives in the log as a {@link LogEntry.Type#CONFIGURATION} entry and in
 * snapshots. Each server uses the newest configuration in its log as soon as it is appended, committed
 * or not (thesis §4.1), and a leader changes it one server at a time: {@link #withLearner},
 * {@link #withPromoted} and {@link #without} each give a configuration one such change away, so any
 * majority of the old voters overlaps any majority of the new ones.
 *
 * @param members in the order they joined; ids unique
 */
public record Configuration(List<Member> members) {
    /** The configuration of a server that has none yet (a node waiting to be added). */
    public static final Configuration EMPTY = new Configuration(List.of());

    private static final byte FORMAT = 1;
    private static final int MAX_MEMBERS = 1 << 12;
    private static final int MAX_ADDRESS = 1 << 12;

    /**
     * Checks that ids are unique and freezes the list.
     *
     * @param members the members, voters and learners, in order
     */
    public Configuration {
        members = List.copyOf(members);
        for (int i = 0; i < members.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (members.get(i).id() == members.get(j).id()) {
                    throw new IllegalArgumentException("duplicate member id " + members.get(i).id());
                }
            }
        }
    }

    /**
     * Voters only, without addresses: a group whose embedder maps ids to addresses itself.
     *
     * @param ids the voters' ids
     * @return the configuration
     */
    public static Configuration ofVoters(List<Integer> ids) {
        return new Configuration(ids.stream().map(id -> new Member(id, "", true)).toList());
    }

    /**
     * The member of id {@code id}.
     *
     * @param id a server id
     * @return the member, or empty if {@code id} is not one
     */
    public Optional<Member> member(int id) {
        Member m = find(id);
        return m == null ? Optional.empty() : Optional.of(m);
    }

    // A loop, not a stream: asked on every request (is this node still a member?) and every step.
    private Member find(int id) {
        for (Member m : members) {
            if (m.id() == id) {
                return m;
            }
        }
        return null;
    }

    /**
     * Whether {@code id} is a member, voter or learner.
     *
     * @param id a server id
     * @return true if it is a member
     */
    public boolean contains(int id) {
        return find(id) != null;
    }

    /**
     * Whether {@code id} is a voting member.
     *
     * @param id a server id
     * @return true if it votes
     */
    public boolean isVoter(int id) {
        Member m = find(id);
        return m != null && m.voter();
    }

    /** {@return the ids of the voters, in configuration order} */
    public List<Integer> voterIds() {
        return members.stream().filter(Member::voter).map(Member::id).toList();
    }

    /** {@return the ids of every member, voters and learners} */
    public List<Integer> ids() {
        return members.stream().map(Member::id).toList();
    }

    /** {@return the largest id ever seen here, or -1: new servers get ids above it} */
    public int maxId() {
        return members.stream().mapToInt(Member::id).max().orElse(-1);
    }

    /**
     * This configuration with a new learner.
     *
     * @param id      the learner's id, not a member yet
     * @param address where the embedder's transport reaches it
     * @return the new configuration
     * @throws IllegalArgumentException {@code id} is a member already
     */
    public Configuration withLearner(int id, String address) {
        if (contains(id)) {
            throw new IllegalArgumentException("server " + id + " is a member already");
        }
        List<Member> next = new ArrayList<>(members);
        next.add(new Member(id, address, false));
        return new Configuration(next);
    }

    /**
     * This configuration with learner {@code id} made a voter.
     *
     * @param id a learner's id
     * @return the new configuration
     * @throws IllegalArgumentException {@code id} is not a learner
     */
    public Configuration withPromoted(int id) {
        Member m = member(id).orElseThrow(() -> new IllegalArgumentException("server " + id + " is not a member"));
        if (m.voter()) {
            throw new IllegalArgumentException("server " + id + " is a voter already");
        }
        return new Configuration(members.stream().map(x -> x.id() == id ? x.promoted() : x).toList());
    }

    /**
     * This configuration without {@code id}.
     *
     * @param id a member's id
     * @return the new configuration
     * @throws IllegalArgumentException {@code id} is not a member
     */
    public Configuration without(int id) {
        if (!contains(id)) {
            throw new IllegalArgumentException("server " + id + " is not a member");
        }
        return new Configuration(members.stream().filter(x -> x.id() != id).toList());
    }

    /**
     * Whether {@code next} is at most one single-server change away from this one: one learner added,
     * one learner promoted, or one server removed (thesis §4.1). Addresses of the others unchanged.
     *
     * @param next the proposed configuration
     * @return true if the change is allowed
     */
    public boolean isSingleChangeTo(Configuration next) {
        List<Member> added = next.members.stream().filter(m -> !contains(m.id())).toList();
        List<Member> removed = members.stream().filter(m -> !next.contains(m.id())).toList();
        List<Member> changed = next.members.stream()
                .filter(m -> contains(m.id()) && !member(m.id()).orElseThrow().equals(m)).toList();
        if (added.size() + removed.size() + changed.size() != 1) {
            return false;
        }
        if (!added.isEmpty()) {
            return !added.get(0).voter();
        }
        if (!changed.isEmpty()) {
            Member before = member(changed.get(0).id()).orElseThrow();
            return !before.voter() && changed.get(0).equals(before.promoted());
        }
        return true;
    }

    /** {@return the bytes of a {@link LogEntry.Type#CONFIGURATION} entry and of a snapshot's header} */
    public byte[] encode() {
        List<byte[]> addresses = members.stream().map(m -> m.address().getBytes(StandardCharsets.UTF_8)).toList();
        int size = 1 + 4;
        for (byte[] a : addresses) {
            size += 4 + 1 + 4 + a.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.put(FORMAT).putInt(members.size());
        for (int i = 0; i < members.size(); i++) {
            Member m = members.get(i);
            buf.putInt(m.id()).put((byte) (m.voter() ? 1 : 0)).putInt(addresses.get(i).length).put(addresses.get(i));
        }
        return buf.array();
    }

    /**
     * Reads what {@link #encode} wrote.
     *
     * @param bytes the encoded configuration
     * @return the configuration
     * @throws IllegalArgumentException the bytes are not a configuration
     */
    public static Configuration decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        try {
            if (buf.get() != FORMAT) {
                throw new IllegalArgumentException("unknown configuration format");
            }
            int count = buf.getInt();
            if (count < 0 || count > MAX_MEMBERS) {
                throw new IllegalArgumentException("bad member count " + count);
            }
            List<Member> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int id = buf.getInt();
                byte voter = buf.get();
                int length = buf.getInt();
                if (voter != 0 && voter != 1 || length < 0 || length > MAX_ADDRESS || length > buf.remaining()) {
                    throw new IllegalArgumentException("bad member " + id);
                }
                byte[] address = new byte[length];
                buf.get(address);
                members.add(new Member(id, new String(address, StandardCharsets.UTF_8), voter == 1));
            }
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException(buf.remaining() + " trailing bytes after configuration");
            }
            return new Configuration(members);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated configuration", e);
        }
    }

    @Override
    public String toString() {
        return members.toString();
    }
}

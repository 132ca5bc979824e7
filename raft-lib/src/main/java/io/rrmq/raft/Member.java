package io.rrmq.raft;

import java.util.Objects;

/**
 * One server of a {@link Configuration}: a stable id, the address its embedder reaches it at, and
 * whether it votes.
 *
 * @param id      the server's identity for the life of the cluster; never reused for another server
 * @param address opaque to raft-lib (the embedder's transport interprets it); may be empty when the
 *                embedder knows addresses by other means
 * @param voter   a voter counts in every majority and may campaign; a learner (non-voter) only
 *                receives the log and snapshots (thesis §4.2.1)
 */
public record Member(int id, String address, boolean voter) {
    /**
     * Checks the member.
     *
     * @param id      the server's identity, not negative
     * @param address opaque to raft-lib, not null
     * @param voter   whether it votes
     */
    public Member {
        if (id < 0) {
            throw new IllegalArgumentException("member id must not be negative: " + id);
        }
        Objects.requireNonNull(address, "address");
    }

    /** {@return the same server as a voter} */
    public Member promoted() {
        return new Member(id, address, true);
    }

    @Override
    public String toString() {
        return (voter ? "voter " : "learner ") + id + (address.isEmpty() ? "" : " (" + address + ")");
    }
}

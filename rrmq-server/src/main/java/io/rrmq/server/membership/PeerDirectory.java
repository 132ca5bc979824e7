package io.rrmq.server.membership;

import io.rrmq.raft.Configuration;
import io.rrmq.raft.Member;
import io.rrmq.server.config.ClusterConfig;
import io.rrmq.server.config.ConfigException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each member of the cluster is, as the Raft configuration in effect on this node says. The
 * configuration file only bootstraps a new cluster (and supplies addresses that old logs, written
 * before addresses were recorded, lack); from then on the log is the source of truth.
 *
 * <p>Servers removed from the configuration stay known, so that a leader can still tell them they
 * were removed. Thread-safe: read on I/O threads, updated on the Raft loop.
 */
public final class PeerDirectory {
    private static final Logger log = LoggerFactory.getLogger(PeerDirectory.class);

    private final Optional<ClusterConfig> bootstrap;
    private volatile Configuration configuration = Configuration.EMPTY;
    /** The current members, resolved. */
    private volatile Map<Integer, ClusterConfig.Member> current = Map.of();
    /** Everyone ever in a configuration here, by id. */
    private volatile Map<Integer, ClusterConfig.Member> known = Map.of();
    private final List<Consumer<PeerDirectory>> listeners = new CopyOnWriteArrayList<>();

    /** @param bootstrap the configuration file of a bootstrapped cluster; empty for a node that joined */
    public PeerDirectory(Optional<ClusterConfig> bootstrap) {
        this.bootstrap = bootstrap;
        bootstrap.ifPresent(c -> update(bootstrapConfiguration(c)));
    }

    /** The Raft configuration a new cluster starts with: every entry of the file, as voters. */
    public static Configuration bootstrapConfiguration(ClusterConfig cluster) {
        return new Configuration(cluster.members().stream()
                .map(m -> new Member(m.id(), MemberAddress.format(m), true)).toList());
    }

    /** Called whenever a member is added, removed or moves. */
    public void onChange(Consumer<PeerDirectory> listener) {
        listeners.add(listener);
    }

    /** The configuration in effect changed (on the Raft loop: does not block). */
    public void update(Configuration next) {
        Map<Integer, ClusterConfig.Member> resolved = new HashMap<>();
        for (Member m : next.members()) {
            resolve(m).ifPresent(member -> resolved.put(m.id(), member));
        }
        Map<Integer, ClusterConfig.Member> everyone = new HashMap<>(known);
        everyone.putAll(resolved);
        synchronized (this) {
            configuration = next;
            current = Map.copyOf(resolved);
            known = Map.copyOf(everyone);
        }
        for (Consumer<PeerDirectory> l : listeners) {
            l.accept(this);
        }
    }

    /**
     * Learns where peer {@code id} is before any configuration here says so: a joining node must
     * answer the leader before the leader's log has brought it the configuration.
     */
    public void learn(int id, String address) {
        Optional<ClusterConfig.Member> member = resolve(new Member(id, address, false));
        if (member.isEmpty() || known.containsKey(id)) {
            return;
        }
        synchronized (this) {
            Map<Integer, ClusterConfig.Member> everyone = new HashMap<>(known);
            everyone.put(id, member.get());
            known = Map.copyOf(everyone);
        }
        for (Consumer<PeerDirectory> l : listeners) {
            l.accept(this);
        }
    }

    public Configuration configuration() {
        return configuration;
    }

    /** The member (or former member) with this id. */
    public Optional<ClusterConfig.Member> member(int id) {
        return Optional.ofNullable(known.get(id));
    }

    /** Its client URL, or null if unknown. */
    public String url(int id) {
        ClusterConfig.Member m = known.get(id);
        return m == null ? null : m.url();
    }

    /** The members of the configuration in effect. */
    public Collection<ClusterConfig.Member> currentMembers() {
        return current.values();
    }

    /** Everyone ever known here (current and removed members). */
    public Collection<ClusterConfig.Member> knownMembers() {
        return new ArrayList<>(known.values());
    }

    /** The id of the current member at {@code url} (scheme, host and port), if any. */
    public Optional<Integer> idOf(String url) {
        try {
            ClusterConfig.Member wanted = MemberAddress.parse(-1, url);
            return current.values().stream().filter(m -> m.host().equals(wanted.host()) && m.port() == wanted.port())
                    .map(ClusterConfig.Member::id).findFirst();
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }

    private Optional<ClusterConfig.Member> resolve(Member m) {
        if (!m.address().isEmpty()) {
            try {
                return Optional.of(MemberAddress.parse(m.id(), m.address()));
            } catch (ConfigException e) {
                log.warn("member {} has an unusable address in the configuration: {}", m.id(), e.getMessage());
            }
        }
        // Logs and snapshots of older releases record ids only: the file's entry of that id.
        return bootstrap.filter(c -> m.id() >= 0 && m.id() < c.size()).map(c -> c.member(m.id()));
    }
}

package io.rrmq.mq;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The results of recently applied identified requests, keyed by request id, oldest first
 * (Raft thesis §6.3, without per-client sessions: the id alone names the request).
 *
 * <p>Each remembered request keeps a SHA-256 fingerprint of its command, so that an id reused for a
 * different command is told apart from a retry. Not thread-safe; owned by the state machine.
 */
final class RequestTable {
    /** Rough per-entry overhead of the map, the record and the arrays, in bytes. */
    private static final long ENTRY_OVERHEAD = 96;

    /** One remembered request. */
    record Remembered(long index, byte[] fingerprint, byte[] result) {
        long bytes(String requestId) {
            return ENTRY_OVERHEAD + 2L * requestId.length() + fingerprint.length + result.length;
        }
    }

    private final RequestRetention retention;
    private final MessageDigest sha256;
    private final LinkedHashMap<String, Remembered> byId = new LinkedHashMap<>();
    private long bytes;

    RequestTable(RequestRetention retention) {
        this.retention = retention;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's Javadoc).
            throw new IllegalStateException(e);
        }
    }

    /**
     * The fingerprint of a write, to recognise a retry of the same write: the SHA-256 of its own
     * encoding, which is {@code version} followed by {@code entry[from..]} (read in place from the
     * log entry that wraps it, rather than encoded again).
     */
    byte[] fingerprint(byte version, byte[] entry, int from) {
        sha256.update(version);
        sha256.update(entry, from, entry.length - from);
        return sha256.digest();
    }

    /** The remembered request with this id, or {@code null}. */
    Remembered get(String requestId) {
        return byId.get(requestId);
    }

    /** Remembers a request executed at {@code index}; the id must not be remembered already. */
    void remember(String requestId, long index, byte[] fingerprint, byte[] result) {
        Remembered added = new Remembered(index, fingerprint, result);
        if (byId.putIfAbsent(requestId, added) != null) {
            throw new IllegalStateException("request id remembered twice: " + requestId);
        }
        bytes += added.bytes(requestId);
        expire(index);
    }

    /** Forgets, oldest first, what is over the bounds once the entry at {@code appliedIndex} is applied. */
    void expire(long appliedIndex) {
        Iterator<Map.Entry<String, Remembered>> oldestFirst = byId.entrySet().iterator();
        while (oldestFirst.hasNext()) {
            Map.Entry<String, Remembered> oldest = oldestFirst.next();
            boolean over = byId.size() > retention.maxRequests() || bytes > retention.maxBytes()
                    || appliedIndex - oldest.getValue().index() >= retention.maxAgeEntries();
            if (!over) {
                return;
            }
            bytes -= oldest.getValue().bytes(oldest.getKey());
            oldestFirst.remove();
        }
    }

    int size() {
        return byId.size();
    }

    /** Every remembered request, oldest first (read-only use: snapshots and tests). */
    Map<String, Remembered> entries() {
        return Collections.unmodifiableMap(byId);
    }

    /** Replaces the contents with {@code restored} (oldest first), as read from a snapshot. */
    void replaceWith(LinkedHashMap<String, Remembered> restored) {
        byId.clear();
        bytes = 0;
        for (Map.Entry<String, Remembered> e : restored.entrySet()) {
            byId.put(e.getKey(), e.getValue());
            bytes += e.getValue().bytes(e.getKey());
        }
    }
}

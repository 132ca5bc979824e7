package io.rrmq.server.config;

import java.time.Duration;

/**
 * Knobs of the node process around the Raft engine (the engine's own are in
 * {@code io.rrmq.raft.RaftConfig}). {@link #defaults()} documents the values used in production.
 *
 * @param proposalTimeout     how long an API request waits for its command to commit and apply
 *                            before answering 504 (outcome unknown). Longer than a leader election,
 *                            shorter than a patient client's timeout.
 * @param maxApiBodyBytes     largest client request body; a larger one is read to its end and
 *                            discarded (up to 8 MiB, so that the 413 arrives intact) and gets 413
 * @param maxRaftBodyBytes    largest inbound {@code POST /raft} batch; must exceed what a peer sends
 *                            in one batch ({@link #maxBatchBytes} plus framing)
 * @param ioThreads           Undertow I/O threads. Handlers never block, so a small number serves
 *                            well on a 2-core machine hosting several nodes.
 * @param workerThreads       Undertow worker pool; unused by our handlers, kept minimal
 * @param peerQueueCapacity   messages queued for one peer before new ones are dropped
 * @param peerConnectTimeout  connecting to a peer; loopback and LAN connect in well under this
 * @param peerRequestTimeout  one batch POST to a peer, end to end; a stopped (SIGSTOP) peer costs this
 * @param peerBackoff         pause after a failed batch before the next attempt to that peer
 * @param maxBatchMessages    at most this many messages in one batch POST
 * @param maxBatchBytes       and at most about this many bytes of entry data in one batch POST
 */
public record ServerSettings(Duration proposalTimeout, int maxApiBodyBytes, int maxRaftBodyBytes,
                             int ioThreads, int workerThreads, int peerQueueCapacity,
                             Duration peerConnectTimeout, Duration peerRequestTimeout,
                             Duration peerBackoff, int maxBatchMessages, int maxBatchBytes) {

    public ServerSettings {
        if (proposalTimeout.isNegative() || proposalTimeout.isZero()) {
            throw new IllegalArgumentException("proposalTimeout must be positive");
        }
        if (maxApiBodyBytes < 1 || maxRaftBodyBytes < 1 || ioThreads < 1 || workerThreads < 1
                || peerQueueCapacity < 1 || maxBatchMessages < 1 || maxBatchBytes < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public static ServerSettings defaults() {
        return new ServerSettings(Duration.ofSeconds(3), 1 << 20, 64 << 20, 2, 2, 50_000,
                Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(30), 4096,
                16 << 20);
    }

    public ServerSettings withProposalTimeout(Duration timeout) {
        return new ServerSettings(timeout, maxApiBodyBytes, maxRaftBodyBytes, ioThreads,
                workerThreads, peerQueueCapacity, peerConnectTimeout, peerRequestTimeout,
                peerBackoff, maxBatchMessages, maxBatchBytes);
    }

    public ServerSettings withMaxApiBodyBytes(int max) {
        return new ServerSettings(proposalTimeout, max, maxRaftBodyBytes, ioThreads, workerThreads,
                peerQueueCapacity, peerConnectTimeout, peerRequestTimeout, peerBackoff,
                maxBatchMessages, maxBatchBytes);
    }

    public ServerSettings withPeerQueueCapacity(int capacity) {
        return new ServerSettings(proposalTimeout, maxApiBodyBytes, maxRaftBodyBytes, ioThreads,
                workerThreads, capacity, peerConnectTimeout, peerRequestTimeout, peerBackoff,
                maxBatchMessages, maxBatchBytes);
    }
}

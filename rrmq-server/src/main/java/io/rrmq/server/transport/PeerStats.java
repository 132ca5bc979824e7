package io.rrmq.server.transport;

/**
 * Counters of the outbound lane to one peer.
 *
 * @param peerId             the peer
 * @param reachable          the last batch sent to it was answered
 * @param queued             messages waiting now
 * @param sentBatches        batches the peer acknowledged
 * @param sentMessages       messages in those batches
 * @param droppedQueueFull   messages dropped because the queue was full (or the lane closed)
 * @param droppedUndelivered messages dropped because their batch failed or went stale while the
 *                           peer was not answering
 */
public record PeerStats(int peerId, boolean reachable, int queued, long sentBatches,
                        long sentMessages, long droppedQueueFull, long droppedUndelivered) {
}

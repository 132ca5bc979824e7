package io.rrmq.server.transport;

import java.io.IOException;

/**
 * Delivers one encoded batch to one peer and waits for the answer. The seam between a
 * {@link PeerSender}'s queueing and the network, so the queueing can be tested without sockets.
 */
@FunctionalInterface
interface BatchSink extends AutoCloseable {

    /**
     * Sends {@code batch} and waits until the peer answered or the attempt failed.
     *
     * @return the peer's HTTP status, and the messages it sent back in its reply, if any
     * @throws IOException the peer could not be reached or did not answer in time
     */
    PeerReply post(byte[] batch) throws IOException, InterruptedException;

    /** Releases the connection; called by the sender thread when it stops. */
    @Override
    default void close() {
    }
}

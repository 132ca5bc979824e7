package io.rrmq.server.transport;

/**
 * A peer's answer to one batch: the HTTP status and, when the peer answered {@code 200}, the
 * messages it sent back in the reply's body (a batch of {@link io.rrmq.raft.message.MessageCodec},
 * with its own {@value io.rrmq.server.security.PeerAuthenticator#HEADER} signature), see
 * {@link ReplyHolds}.
 *
 * @param status    the HTTP status
 * @param signature the reply's signature header, or {@code null}
 * @param body      the reply's body; empty unless it carries messages
 */
record PeerReply(int status, String signature, byte[] body) {
    private static final byte[] NONE = new byte[0];

    /** A reply without messages. */
    static PeerReply of(int status) {
        return new PeerReply(status, null, NONE);
    }

    /** Whether the body carries messages for this node. */
    boolean carriesMessages() {
        return status == 200 && body.length > 0;
    }
}

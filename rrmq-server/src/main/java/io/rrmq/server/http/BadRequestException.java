package io.rrmq.server.http;

/**
 * A request that can never succeed as sent. Thrown by the request parsers and turned into a 4xx
 * {@link Reply} at the handler boundary; carries no stack trace.
 */
public final class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Reply reply;

    public BadRequestException(Reply reply) {
        super(reply.error(), null, false, false);
        this.reply = reply;
    }

    /** 400 with {@code text} as the body's {@code "error"}. */
    static BadRequestException badRequest(String text) {
        return new BadRequestException(Replies.badRequest(text));
    }

    public Reply reply() {
        return reply;
    }
}

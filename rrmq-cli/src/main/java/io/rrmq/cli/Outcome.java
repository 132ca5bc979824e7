package io.rrmq.cli;

import java.net.URI;

/** What became of one {@link ApiRequest} after {@link ClusterClient} has done its retries. */
public sealed interface Outcome {
    /**
     * A definite answer: 2xx, or a 4xx other than 421 (never retried).
     *
     * @param error the {@code X-RRMQ-Error} header (for example {@code queue-empty}), or {@code null}
     * @param node  the node that answered
     */
    record Answered(int status, String body, String error, URI node, int attempts) implements Outcome {}

    /** Nothing was done: the deadline passed without any node taking the request. */
    record Unavailable(String reason, int attempts) implements Outcome {}

    /** A write was sent and not confirmed before the deadline: it may or may not have taken effect. */
    record Unknown(String reason, int attempts) implements Outcome {}
}

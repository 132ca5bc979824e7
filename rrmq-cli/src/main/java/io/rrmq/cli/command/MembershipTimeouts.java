package io.rrmq.cli.command;

import io.rrmq.cli.RetryPolicy;
import io.rrmq.cli.RrmqCommand;
import java.time.Duration;

/** Membership changes wait for a learner to catch up: they get minutes, not the usual seconds. */
final class MembershipTimeouts {
    private static final Duration DEFAULT = Duration.ofMinutes(2);

    private MembershipTimeouts() {
    }

    static RetryPolicy policy(RrmqCommand root) {
        RetryPolicy given = root.retryPolicy();
        Duration timeout = root.timeoutGiven() ? given.timeout() : DEFAULT;
        return RetryPolicy.of(timeout, timeout);
    }
}

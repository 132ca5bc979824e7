package io.rrmq.cli.command;

import io.rrmq.cli.UsageException;

/** Client-side checks of command arguments. */
final class Arguments {
    private Arguments() {
    }

    /** A topic is any non-empty string (the server says 400 otherwise; we say it sooner). */
    static String require(String topic) throws UsageException {
        if (topic == null || topic.isEmpty()) {
            throw new UsageException("TOPIC must not be empty");
        }
        return topic;
    }

    static String requestId(String given) throws UsageException {
        if (given == null) {
            return io.rrmq.cli.ApiRequest.newRequestId();
        }
        if (given.isBlank() || given.length() > 200 || !given.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new UsageException("--request-id must be 1-200 printable ASCII characters without spaces");
        }
        return given;
    }

    /**
     * Refuses a body the server would refuse with 413, before sending it: the server may close the
     * connection before it has read the whole body, and the client would then see a lost
     * connection (outcome unknown) instead of the 413.
     */
    static io.rrmq.cli.ApiRequest withinSizeLimit(io.rrmq.cli.ApiRequest request) throws UsageException {
        if (request.bodyBytes() > io.rrmq.cli.ApiRequest.MAX_BODY_BYTES) {
            throw new UsageException("request too large: " + request.bodyBytes()
                    + " bytes of JSON, the server takes up to " + io.rrmq.cli.ApiRequest.MAX_BODY_BYTES);
        }
        return request;
    }
}

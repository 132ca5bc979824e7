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

    /**
     * A duration as decimal seconds for the API: {@code 20s}, {@code 1.5s}, {@code 500ms} or a plain
     * number of seconds, within {@code (min, max]} ({@code [min, max]} when {@code minIncluded}).
     */
    static java.math.BigDecimal seconds(String given, String option, long min, boolean minIncluded, long max)
            throws UsageException {
        String text = given.strip();
        java.math.BigDecimal scale = java.math.BigDecimal.ONE;
        if (text.endsWith("ms")) {
            text = text.substring(0, text.length() - 2);
            scale = new java.math.BigDecimal("0.001");
        } else if (text.endsWith("s")) {
            text = text.substring(0, text.length() - 1);
        } else if (text.endsWith("m")) {
            text = text.substring(0, text.length() - 1);
            scale = java.math.BigDecimal.valueOf(60);
        }
        java.math.BigDecimal value;
        try {
            value = new java.math.BigDecimal(text).multiply(scale);
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a duration such as 20s, 1.5s or 500ms, not " + given);
        }
        int low = value.compareTo(java.math.BigDecimal.valueOf(min));
        if (low < 0 || (low == 0 && !minIncluded) || value.compareTo(java.math.BigDecimal.valueOf(max)) > 0) {
            throw new UsageException(option + " must be " + (minIncluded ? "at least " : "more than ") + min
                    + "s and at most " + max + "s");
        }
        return value.stripTrailingZeros();
    }
}

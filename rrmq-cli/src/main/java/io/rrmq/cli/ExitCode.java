package io.rrmq.cli;

/**
 * The process exit status of {@code rrmq}: a stable contract for scripts (README, {@code --help}).
 *
 * <p>Codes 1 and 2 mean "not done, and retrying the same command will not help"; 3 means "not done,
 * try again later"; 4 means "maybe done": rerun with the same {@code --request-id} to find out safely.
 */
public enum ExitCode {
    /** The command did what it says. */
    OK(0),
    /** The cluster said no: no such topic, empty queue, topic already exists. Nothing changed. */
    REFUSED(1),
    /** Bad command line, unreadable config, or a request the server rejects as malformed (400, 405, 413, 415). */
    USAGE(2),
    /** No leader answered within {@code --timeout} (nodes down, no quorum, election). Nothing changed. */
    UNAVAILABLE(3),
    /** A write was sent but not confirmed within {@code --timeout} (504, lost connection): it may have taken effect. */
    UNKNOWN_OUTCOME(4),
    /** A bug in rrmq or an answer it cannot understand. */
    SOFTWARE(5),
    /** The cluster wants a token ({@code --token}, {@code $RRMQ_TOKEN}) or another one: 401 or 403. Nothing changed. */
    UNAUTHORIZED(6);

    /** The line of {@code --help} that documents the codes. */
    public static final String HELP = "Exit codes: 0 ok; 1 refused (no such topic, queue empty, topic exists);"
            + " 2 usage or malformed request; 3 unavailable (no leader within --timeout, nothing done);"
            + " 4 unknown outcome (a write may have happened: rerun with the same --request-id); 5 internal error;"
            + " 6 unauthorized (401/403: --token missing, unknown or not allowed).";

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /**
     * The exit code for a definite HTTP answer from the leader (everything but 421, 503 and 5xx,
     * which {@link ClusterClient} retries): 2xx done; 404 and 409 refused; 401 and 403 unauthorized;
     * any other 4xx malformed.
     */
    public static ExitCode forStatus(int status) {
        if (status >= 200 && status < 300) {
            return OK;
        }
        if (status == 404 || status == 409) {
            return REFUSED;
        }
        if (status == 401 || status == 403) {
            return UNAUTHORIZED;
        }
        if (status >= 400 && status < 500) {
            return USAGE;
        }
        return SOFTWARE;
    }
}

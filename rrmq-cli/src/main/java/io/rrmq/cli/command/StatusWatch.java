package io.rrmq.cli.command;

import io.rrmq.cli.ExitCode;
import java.io.PrintWriter;
import java.time.Duration;

/**
 * The loop of {@code rrmq status --watch}: renders a frame every period (on the period's grid, so a
 * slow refresh does not make the next one late) until {@code count} frames were shown or the user
 * presses Ctrl-C, which ends the process with status 0: watching is not a failure.
 *
 * <p>Ctrl-C (SIGINT, and SIGTERM alike) starts the JVM's shutdown; a shutdown hook, registered only
 * while the loop runs, flushes what was drawn and halts with status 0 instead of the default 130.
 */
final class StatusWatch {
    /** Renders one frame: the text to print. */
    @FunctionalInterface
    interface Frame {
        String render() throws Exception;
    }

    private final PrintWriter out;
    private final Duration period;
    private final long count;
    /** Sent before each frame ({@link StatusCommand#CLEAR_SCREEN} on a terminal), or empty. */
    private final String clear;
    /** Whether frames are separated by a blank line (text into a pipe or file; not JSON lines). */
    private final boolean blankLineBetween;

    StatusWatch(PrintWriter out, Duration period, long count, String clear, boolean blankLineBetween) {
        this.out = out;
        this.period = period;
        this.count = count;
        this.clear = clear;
        this.blankLineBetween = blankLineBetween;
    }

    ExitCode run(Frame frame) throws InterruptedException {
        Thread onInterrupt = new Thread(() -> {
            out.println();
            out.flush();
            Runtime.getRuntime().halt(ExitCode.OK.code());
        }, "rrmq-watch-exit");
        Runtime.getRuntime().addShutdownHook(onInterrupt);
        try {
            long start = System.nanoTime();
            for (long shown = 0; shown < count; shown++) {
                String text;
                try {
                    text = frame.render();
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    text = "rrmq: cannot show the status: " + e + "\n";
                }
                out.print(clear + (blankLineBetween && shown > 0 ? "\n" : "") + text);
                out.flush();
                if (shown + 1 < count) {
                    long next = start + (shown + 1) * period.toNanos();
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            return ExitCode.OK;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it ends the process
            }
        }
    }
}

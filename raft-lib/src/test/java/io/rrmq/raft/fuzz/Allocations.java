package io.rrmq.raft.fuzz;

import java.lang.management.ManagementFactory;

/**
 * Measures what one call allocates on the calling thread, so that a fuzz property can check a
 * parser's promise never to allocate more than its input justifies (a claimed length of 2 GiB in a
 * 20-byte input must not become a 2 GiB array). HotSpot counts every allocation of a thread,
 * TLAB-precise. A call also pays for the classes it loads first (and, under Jazzer's fuzzing mode,
 * for instrumenting them), so {@link #measureWithin} gives a call over budget a second, warm try.
 */
public final class Allocations {
    /** Covers class loading and the parser's fixed buffers. */
    public static final long FIXED_ALLOWANCE = 1L << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {
    }

    /** A call whose allocation is measured; it may throw anything, which is passed on. */
    @FunctionalInterface
    public interface Call<T> {
        T run() throws Exception;
    }

    /** What a call returned or threw, and how many bytes it allocated. */
    public record Measured<T>(T value, Throwable thrown, long allocatedBytes) {
        /**
         * The value, or null if the call failed with one of the {@code documented} exception types;
         * any other failure fails the test, with the original exception as the cause.
         */
        @SafeVarargs
        public final T valueOrDocumentedRejection(Class<? extends Throwable>... documented) {
            if (thrown == null) {
                return value;
            }
            for (Class<? extends Throwable> type : documented) {
                if (type.isInstance(thrown)) {
                    return null;
                }
            }
            throw new AssertionError("undocumented failure " + thrown, thrown);
        }

        /** Fails the test if the call allocated more than {@code budget} bytes. */
        public Measured<T> requireAllocatedAtMost(long budget) {
            if (allocatedBytes > budget) {
                throw new AssertionError("allocated " + allocatedBytes + " bytes, more than the budget of "
                        + budget, thrown);
            }
            return this;
        }
    }

    public static <T> Measured<T> measure(Call<T> call) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T value = null;
        Throwable thrown = null;
        try {
            value = call.run();
        } catch (Throwable t) {
            thrown = t;
        }
        return new Measured<>(value, thrown, THREADS.getCurrentThreadAllocatedBytes() - before);
    }

    /**
     * Runs a call that has no side effects and fails the test if it allocates more than
     * {@code budget} bytes twice in a row: once may be class loading, twice is the call itself.
     */
    public static <T> Measured<T> measureWithin(long budget, Call<T> call) {
        Measured<T> first = measure(call);
        if (first.allocatedBytes() <= budget) {
            return first;
        }
        return measure(call).requireAllocatedAtMost(budget);
    }

    /** The most a parser may allocate for an input of {@code inputSize} bytes: a fixed allowance plus {@code perByte} per byte. */
    public static long budget(int inputSize, int perByte) {
        return FIXED_ALLOWANCE + (long) perByte * inputSize;
    }
}

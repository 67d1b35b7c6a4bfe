package org.jkn.telemetry.testing;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Waits for something another thread or process does, up to a deadline, instead of sleeping a fixed
 * time: a wait that is long enough on a loaded machine is wasted on an idle one, and one that suits
 * an idle machine fails on a loaded one.
 *
 * <p>The condition is checked at once, then after 10 ms, with the pause doubling up to 200 ms: a
 * condition that holds soon costs little, and one that takes seconds (a process starting) does not
 * keep a core busy. An exception thrown by the condition ends the wait at once; a condition that
 * expects failures while it waits (a server not listening yet) catches them itself.
 */
public final class Poll {

    /** Long enough for a drained batch or a recorded event on a loaded two-core machine. */
    public static final Duration DEFAULT = Duration.ofSeconds(20);

    private static final long FIRST_PAUSE_MILLIS = 10;
    private static final long LONGEST_PAUSE_MILLIS = 200;

    /** What is waited for. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Poll() {}

    /** Waits up to {@link #DEFAULT} until the condition holds; fails naming {@code what}. */
    public static void until(String what, Condition condition) {
        until(what, DEFAULT, condition);
    }

    public static void until(String what, Duration timeout, Condition condition) {
        until(what, timeout, condition, () -> "");
    }

    /**
     * Waits up to {@code timeout} until the condition holds; on timeout fails naming {@code what}
     * and adding what {@code seen} says of the state then.
     */
    public static void until(
            String what, Duration timeout, Condition condition, Supplier<String> seen) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        while (!check(what, condition)) {
            if (System.nanoTime() - deadline > 0) {
                String state = seen.get();
                throw new AssertionError(
                        "timed out after "
                                + timeout
                                + " waiting for: "
                                + what
                                + (state.isEmpty() ? "" : "\n" + state));
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_MILLIS);
        }
    }

    private static boolean check(String what, Condition condition) {
        try {
            return condition.holds();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("checking failed while waiting for: " + what, e);
        }
    }
}

package org.jkn.telemetry.store.db;

import java.time.Duration;

/**
 * After a read from the database fails, callers holding a cached (expired) answer use it for a
 * while instead of asking again, so an outage costs one connection timeout per pause, not one per
 * caller. Shared by the consent decisions and the data keys. Thread-safe; times are {@code
 * System.nanoTime}-style.
 */
public final class OutageBackoff {

    private final long pauseNanos;
    private volatile boolean failed;
    private volatile long until;

    public OutageBackoff(Duration pause) {
        this.pauseNanos = pause.toNanos();
    }

    /** True while the last read failed less than the pause ago: don't ask the database yet. */
    public boolean resting(long nowNanos) {
        return failed && nowNanos - until < 0;
    }

    public void failed(long nowNanos) {
        until = nowNanos + pauseNanos;
        failed = true;
    }

    public void succeeded() {
        failed = false;
    }
}

package org.jkn.telemetry.store.db;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reloads of expired cache entries, off the request (stale while revalidating): one reload per
 * key at a time, on a few daemon threads, and the lookup that starts one waits for it only briefly.
 * A database that stopped answering (a black-holed link: nothing fails until the pool's connection
 * timeout) then holds up a reload thread, not a request. Shared by the consent decisions and the
 * data keys; what an expired entry may stand in for, and for how long, is theirs to say.
 *
 * <p>At most {@code threads} reload threads, started on demand and ended after {@link #THREAD_IDLE}
 * idle, and no queue: when all are busy a reload is not started, and the caller keeps its expired
 * entry. Thread-safe.
 *
 * @param <K> what a reload is of (a patient)
 */
public final class BackgroundReloads<K> {

    static final Duration THREAD_IDLE = Duration.ofSeconds(30);

    private final Set<K> running = ConcurrentHashMap.newKeySet();
    private final long waitNanos;
    private final ThreadPoolExecutor threads;

    /**
     * @param name the reload threads' name prefix
     * @param wait the longest the lookup that starts a reload waits for it
     */
    public BackgroundReloads(String name, int threads, Duration wait) {
        this.waitNanos = wait.toNanos();
        AtomicInteger n = new AtomicInteger();
        this.threads =
                new ThreadPoolExecutor(
                        0,
                        threads,
                        THREAD_IDLE.toMillis(),
                        TimeUnit.MILLISECONDS,
                        new SynchronousQueue<>(),
                        r -> {
                            Thread t = new Thread(r, name + '-' + n.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
    }

    /**
     * Runs {@code reload} on a reload thread, unless one of {@code key} is running already or every
     * thread is busy, and waits for it at most the wait.
     *
     * @return what it returned within the wait; null when it is still running (it goes on), threw,
     *     returned null, or was not started
     */
    public <V> V reload(K key, Callable<V> reload) {
        if (!running.add(key)) {
            return null;
        }
        Future<V> done;
        try {
            done =
                    threads.submit(
                            () -> {
                                try {
                                    return reload.call();
                                } finally {
                                    running.remove(key);
                                }
                            });
        } catch (RejectedExecutionException busy) {
            running.remove(key);
            return null;
        }
        try {
            return done.get(waitNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Reloads running now (approximate: for tests). */
    public int running() {
        return threads.getActiveCount();
    }
}

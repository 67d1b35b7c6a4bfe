package org.jkn.telemetry.store.consent;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jkn.telemetry.store.db.OutageBackoff;

/**
 * The consent decision cache on the hot path: patient pseudonym to compiled {@link
 * ConsentDecision}. A hit is one map lookup; a miss (or an entry older than the TTL) loads the
 * patient's grants from the database on the calling thread.
 *
 * <p>Freshness: a consent change made through this node calls {@link #invalidate}, which takes
 * effect for the next lookup. Changes made through another node sharing the database reach this one
 * as a change notice ({@code ChangeNotices}), normally within milliseconds; while that channel is
 * down they are seen when the entry expires, after at most the TTL. A load that started before an
 * invalidation is not cached (a generation counter), so a withdrawal is never overwritten by an
 * older read.
 *
 * <p>When the database cannot be read, an expired entry is used if there is one (no consent can
 * change while the database is down), otherwise {@link ConsentUnavailableException}. After a failed
 * load the database is not asked again for a second ({@link #RETRY_AFTER}), so an outage costs one
 * connection timeout, not one per batch. {@link #refresh} after a change loads the new decision at
 * once, so a patient who just consented is known even if the database then goes away.
 *
 * <p>Bounded: at {@code maxPatients} entries, expired ones are dropped and then, if still full, an
 * arbitrary eighth. Thread-safe; {@link #get} may block on the database, so call it on a worker
 * thread.
 */
public final class ConsentDecisions {

    private record Entry(ConsentDecision decision, long loadedAtNanos) {}

    private final ConsentStore store;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final long ttlNanos;
    private final int maxPatients;
    private final LongSupplier nanoTime;

    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final OutageBackoff outage = new OutageBackoff(RETRY_AFTER);

    public ConsentDecisions(ConsentStore store, Duration ttl, int maxPatients) {
        this(store, ttl, maxPatients, System::nanoTime);
    }

    ConsentDecisions(ConsentStore store, Duration ttl, int maxPatients, LongSupplier nanoTime) {
        if (ttl.isNegative() || maxPatients < 1) {
            throw new IllegalArgumentException("the TTL must be >= 0 and the bound >= 1");
        }
        this.store = store;
        this.ttlNanos = ttl.toNanos();
        this.maxPatients = maxPatients;
        this.nanoTime = nanoTime;
    }

    /** The patient's decision; blocks on the database on a miss. */
    public ConsentDecision get(String patientId) {
        Entry e = entries.get(patientId);
        // fast path: a fresh entry
        if (e != null && nanoTime.getAsLong() - e.loadedAtNanos < ttlNanos) {
            return e.decision;
        }
        return load(patientId, e);
    }

    private ConsentDecision load(String patientId, Entry stale) {
        long gen = generation.get();
        long started = nanoTime.getAsLong();
        if (outage.resting(started)) {
            if (stale != null) {
                return stale.decision;
            }
            throw new ConsentUnavailableException(null);
        }
        ConsentDecision d;
        try {
            d = store.decision(patientId);
            outage.succeeded();
        } catch (SQLException | RuntimeException ex) {
            outage.failed(nanoTime.getAsLong());
            if (stale != null) {
                return stale.decision;
            }
            throw new ConsentUnavailableException(ex);
        }
        if (ttlNanos > 0) {
            makeRoom(started);
            // compare-then-put is not atomic, but an invalidation racing past it also removes the
            // entry after bumping the generation, so at worst the fresh load is dropped again
            if (generation.get() == gen) {
                entries.put(patientId, new Entry(d, started));
                if (generation.get() != gen) {
                    entries.remove(patientId);
                }
            }
        }
        return d;
    }

    private void makeRoom(long now) {
        if (entries.size() < maxPatients) {
            return;
        }
        entries.values().removeIf(x -> now - x.loadedAtNanos >= ttlNanos);
        int drop = entries.size() - maxPatients + Math.max(1, maxPatients / 8);
        Iterator<String> it = entries.keySet().iterator();
        while (drop-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /**
     * Forgets a patient's decision and loads the current one (call after committing a change, on a
     * worker thread). A failed load leaves the patient uncached; it never throws.
     */
    public void refresh(String patientId) {
        invalidate(patientId);
        try {
            get(patientId);
        } catch (ConsentUnavailableException e) {
            // the next lookup tries again
        }
    }

    /** Forgets a patient's decision at once: the next lookup reads the database. */
    public void invalidate(String patientId) {
        generation.incrementAndGet();
        entries.remove(patientId);
    }

    /** Forgets every decision (change notices may have been missed). */
    public void invalidateAll() {
        generation.incrementAndGet();
        entries.clear();
    }

    int size() {
        return entries.size();
    }
}

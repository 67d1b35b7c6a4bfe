package org.jkn.telemetry.store.consent;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jkn.telemetry.store.db.BackgroundReloads;
import org.jkn.telemetry.store.db.OutageBackoff;

/**
 * The consent decision cache on the hot path: patient pseudonym to compiled {@link
 * ConsentDecision}. A hit is one map lookup; a miss loads the patient's grants from the database on
 * the calling thread; an entry older than the TTL is reloaded by one lookup at a time.
 *
 * <p>Freshness: a consent change made through this node calls {@link #invalidate}, which takes
 * effect for the next lookup. Changes made through another node sharing the database reach this one
 * as a change notice ({@code ChangeNotices}), normally within milliseconds, and invalidate at once
 * too; while that channel is down they are seen when the entry expires, after at most the TTL. A
 * load that started before an invalidation is not cached (a generation counter for misses, the
 * replaced entry's identity for reloads), so a withdrawal is never overwritten by an older read.
 *
 * <p>Expired entries (stale while revalidating): the first lookup to find an entry expired hands
 * its reload to a reload thread ({@link BackgroundReloads}, one per patient at a time) and waits
 * for it at most {@link #RELOAD_WAIT}; lookups meanwhile, and that one if the wait runs out, use
 * the expired decision. After a failed load the database is not asked again for {@link
 * #RETRY_AFTER} ({@link OutageBackoff}, shared with the misses) and expired decisions are used
 * meanwhile. So a database that stopped answering (a black-holed link) costs one batch per patient
 * and retry at most {@code RELOAD_WAIT}, never a connection timeout, and costs the database one
 * connection attempt per patient at a time. Why a stale decision is safe to use:
 *
 * <ul>
 *   <li>While the database answers, it is used only while a reload is in flight or for {@code
 *       RETRY_AFTER} after a failed one: a withdrawal committed elsewhere whose notice was lost is
 *       seen at most the TTL plus that long later.
 *   <li>While the database does not answer, no consent can change (a change is a write to it), and
 *       notices cannot arrive either. The one gap is a partition of this node alone, while another
 *       node still writes: so an expired decision is used at most {@link #STALE_GRACE} past its
 *       expiry. After that the patient counts as uncached.
 *   <li>A patient with no cached decision (never seen, past the grace, or invalidated) waits for
 *       the database, or gets {@link ConsentUnavailableException} when it fails or during the back
 *       off: nothing is allowed that the database has not said.
 * </ul>
 *
 * <p>Disclosure (FHIR reads) uses the same decisions; a stale one there is harmless beyond the
 * bounds above because a read needs the database anyway (its query and its audit record).
 *
 * <p>Bounded: at {@code maxPatients} entries, expired ones are dropped and then, if still full, an
 * arbitrary eighth. Thread-safe; {@link #get} may block on the database on a miss, so call it on a
 * worker thread. Reloads run on at most {@link #RELOAD_THREADS} daemon threads; when all are busy,
 * an expired decision is used without a reload.
 */
public final class ConsentDecisions {

    /** A cached decision; replaced by identity, so a reload never undoes an invalidation. */
    private static final class Entry {
        final ConsentDecision decision;
        final long loadedAtNanos;

        Entry(ConsentDecision decision, long loadedAtNanos) {
            this.decision = decision;
            this.loadedAtNanos = loadedAtNanos;
        }
    }

    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    /** The longest a lookup waits for the reload of an expired decision before using it. */
    static final Duration RELOAD_WAIT = Duration.ofMillis(100);

    /** How long past its expiry a decision may stand in while the database cannot be read. */
    static final Duration STALE_GRACE = Duration.ofMinutes(15);

    static final int RELOAD_THREADS = 8;

    private final ConsentStore store;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final long ttlNanos;
    private final long usableNanos;
    private final int maxPatients;
    private final LongSupplier nanoTime;
    private final OutageBackoff outage = new OutageBackoff(RETRY_AFTER);
    private final BackgroundReloads<String> reloads =
            new BackgroundReloads<>("consent-reload", RELOAD_THREADS, RELOAD_WAIT);

    public ConsentDecisions(ConsentStore store, Duration ttl, int maxPatients) {
        this(store, ttl, maxPatients, System::nanoTime);
    }

    ConsentDecisions(ConsentStore store, Duration ttl, int maxPatients, LongSupplier nanoTime) {
        if (ttl.isNegative() || maxPatients < 1) {
            throw new IllegalArgumentException("the TTL must be >= 0 and the bound >= 1");
        }
        this.store = store;
        this.ttlNanos = ttl.toNanos();
        long grace = STALE_GRACE.toNanos();
        this.usableNanos = ttlNanos > Long.MAX_VALUE - grace ? Long.MAX_VALUE : ttlNanos + grace;
        this.maxPatients = maxPatients;
        this.nanoTime = nanoTime;
    }

    /**
     * The patient's decision; blocks on the database on a miss, at most {@link #RELOAD_WAIT} for an
     * expired decision.
     */
    public ConsentDecision get(String patientId) {
        Entry e = entries.get(patientId);
        if (e != null) {
            long age = nanoTime.getAsLong() - e.loadedAtNanos;
            // fast path: a fresh entry
            if (age < ttlNanos) {
                return e.decision;
            }
            if (age < usableNanos) {
                return reloadExpired(patientId, e);
            }
            entries.remove(patientId, e);
        }
        return load(patientId);
    }

    private ConsentDecision reloadExpired(String patientId, Entry stale) {
        if (outage.resting(nanoTime.getAsLong())) {
            return stale.decision;
        }
        // null: a reload of the patient runs already, or this one outlasts the wait, failed (and
        // started the back-off) or found every reload thread busy
        ConsentDecision d = reloads.reload(patientId, () -> reload(patientId, stale));
        return d != null ? d : stale.decision;
    }

    /**
     * On a reload thread: the patient's current decision, cached in place of {@code stale} unless
     * that was invalidated meanwhile; null when the database could not be read.
     */
    private ConsentDecision reload(String patientId, Entry stale) {
        long started = nanoTime.getAsLong();
        ConsentDecision d;
        try {
            d = store.decision(patientId);
            outage.succeeded();
        } catch (SQLException | RuntimeException ex) {
            outage.failed(nanoTime.getAsLong());
            return null;
        }
        Entry fresh = new Entry(d, started);
        // an invalidation removed stale (by identity, so a later entry is never replaced): a
        // decision read before it is not cached
        entries.computeIfPresent(patientId, (k, cur) -> cur == stale ? fresh : cur);
        return d;
    }

    private ConsentDecision load(String patientId) {
        long gen = generation.get();
        long started = nanoTime.getAsLong();
        if (outage.resting(started)) {
            throw new ConsentUnavailableException(null);
        }
        ConsentDecision d;
        try {
            d = store.decision(patientId);
            outage.succeeded();
        } catch (SQLException | RuntimeException ex) {
            outage.failed(nanoTime.getAsLong());
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

    /**
     * Forgets a patient's decision at once, expired or not and whatever reload is in flight: the
     * next lookup reads the database.
     */
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

    /** Reloads running now (approximate: for tests). */
    int reloadsRunning() {
        return reloads.running();
    }
}

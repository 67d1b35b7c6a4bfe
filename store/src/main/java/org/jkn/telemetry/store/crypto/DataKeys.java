package org.jkn.telemetry.store.crypto;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.jkn.telemetry.store.db.BackgroundReloads;
import org.jkn.telemetry.store.db.OutageBackoff;

/**
 * Patients' data keys: one live AES-256 key per patient (table {@code data_keys}), stored only
 * wrapped by a KEK, created on first use and destroyed by erasure; a reading arriving after an
 * erasure gets a new key version.
 *
 * <p>Creation is race-safe across threads and gateway instances: the next version is inserted with
 * {@code on conflict do nothing} and the live key is read back, so whoever wins, everyone uses the
 * same key. Unwrapped keys are cached in memory (bounded, least recently used first out) for {@code
 * ttl}: an erasure on this instance calls {@link #invalidate}, and one on another instance sharing
 * the database reaches this one as a change notice ({@code ChangeNotices}) that does the same,
 * normally within milliseconds; while that channel is down it is seen here at most one TTL later
 * for new readings (reads check the database at once, see {@code ReadingQueries}).
 *
 * <p>Expired live keys (stale while revalidating): the first lookup to find a patient's key expired
 * hands its reload to a reload thread ({@link BackgroundReloads}, one per patient at a time) and
 * waits for it at most {@link #RELOAD_WAIT}; lookups meanwhile, and that one if the wait runs out,
 * seal with the expired key. After a failed load the database is not asked again for {@link
 * #RETRY_AFTER} ({@link OutageBackoff}) and expired keys are used meanwhile. So a database that
 * stopped answering (a black-holed link) holds a seal up for at most {@code RELOAD_WAIT}, never a
 * connection timeout, and costs the database one connection attempt per patient at a time. Why an
 * expired key is safe to seal with:
 *
 * <ul>
 *   <li>While the database answers, it is used only while its reload is in flight or for {@code
 *       RETRY_AFTER} after a failed one.
 *   <li>While the database does not answer, no key can be created or destroyed (both are writes to
 *       it), and notices cannot arrive either. The one gap is a partition of this instance alone
 *       while another erases: so an expired key is used at most {@link #STALE_GRACE} past its
 *       expiry; after that the patient counts as uncached. Readings sealed under a key destroyed
 *       meanwhile are dropped when merged (the writer checks that the key is live).
 *   <li>Erasure is exact: an invalidation removes the key at once, expired or not and whatever
 *       reload is in flight. A reload caches its key only in place of the very entry it reloads
 *       (identity) and only when no invalidation came since it started (a generation counter); a
 *       reloaded key that was not cached is not used either, and a lookup that finds its entry gone
 *       once its wait is over loads the key itself, as for a patient never cached.
 *   <li>A patient with no cached key (never seen, past the grace, or invalidated) waits for the
 *       database and gets {@code keys-unavailable} when it cannot be read.
 * </ul>
 *
 * <p>Thread-safe. A cache hit costs a synchronized map lookup; a miss blocks on JDBC (and the KEK),
 * so call {@link #current} on a worker thread. Reloads run on at most {@link #RELOAD_THREADS}
 * daemon threads; when all are busy, an expired key is used without a reload.
 */
public final class DataKeys {

    private static final int KEY_BYTES = 32;

    private static final String LIVE =
            "select key_version, kek_id, wrapped from data_keys "
                    + "where patient_id = ? and destroyed_at is null order by key_version desc limit 1";
    private static final String VERSION =
            "select kek_id, wrapped from data_keys "
                    + "where patient_id = ? and key_version = ? and destroyed_at is null";
    private static final String CREATE =
            "insert into data_keys (patient_id, key_version, kek_id, wrapped) "
                    + "select ?, ?, ?, ? where not exists (select 1 from data_keys where patient_id = ? and destroyed_at is null) "
                    + "on conflict do nothing";
    private static final int CREATE_ATTEMPTS = 5;

    /** How long the database is left alone after a failed load. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    /** The longest a lookup waits for the reload of an expired key before sealing with it. */
    static final Duration RELOAD_WAIT = Duration.ofMillis(100);

    /** How long past its expiry a live key may stand in while the database cannot be read. */
    static final Duration STALE_GRACE = Duration.ofMinutes(15);

    static final int RELOAD_THREADS = 8;

    /**
     * A cached key; compared by identity, so a reload never replaces what an invalidation removed.
     */
    private static final class Cached {
        final DataKey key;
        final long expiresAt;

        Cached(DataKey key, long expiresAt) {
            this.key = key;
            this.expiresAt = expiresAt;
        }
    }

    private final DataSource dataSource;
    private final KekRing keks;
    private final long ttlNanos;
    private final OutageBackoff outage = new OutageBackoff(RETRY_AFTER);
    private final BackgroundReloads<String> reloads =
            new BackgroundReloads<>("data-key-reload", RELOAD_THREADS, RELOAD_WAIT);
    private final LongSupplier nanoTime;
    private final SecureRandom random = new SecureRandom();

    /** Live key per patient. */
    private final Map<String, Cached> live;

    /** Any version, for reads: key "patient/version". */
    private final Map<String, Cached> versions;

    /**
     * Bumped by every invalidation: a key loaded before one (an erasure committing meanwhile) is
     * not cached, so it cannot outlive the invalidation. A miss's lookup still uses what it loaded
     * (it overlapped the invalidation, as a hit just before it would have); a reload's is not used.
     */
    private final AtomicLong generation = new AtomicLong();

    public DataKeys(
            DataSource dataSource,
            KekRing keks,
            int maxCached,
            long ttlNanos,
            LongSupplier nanoTime) {
        this.dataSource = dataSource;
        this.keks = keks;
        this.ttlNanos = ttlNanos;
        this.nanoTime = nanoTime;
        this.live = lru(maxCached);
        this.versions = lru(maxCached);
    }

    private static Map<String, Cached> lru(int max) {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
                return size() > max;
            }
        };
    }

    public KekRing keks() {
        return keks;
    }

    /**
     * The patient's live data key, created when there is none. An expired cached key is reloaded
     * off the calling thread, which waits at most {@link #RELOAD_WAIT} and otherwise seals with the
     * expired key, up to {@link #STALE_GRACE} past its expiry (see the class doc); a miss blocks on
     * the database.
     */
    public DataKey current(String patientId) {
        long now = nanoTime.getAsLong();
        Cached c;
        synchronized (live) {
            c = live.get(patientId);
            // fast path: cached and fresh
            if (c != null && now - c.expiresAt < 0) {
                return c.key;
            }
            if (c != null && now - c.expiresAt >= STALE_GRACE.toNanos()) {
                live.remove(patientId);
                c = null;
            }
        }
        return c != null ? expired(patientId, c) : load(patientId);
    }

    private DataKey expired(String patientId, Cached stale) {
        if (outage.resting(nanoTime.getAsLong())) {
            return stale.key;
        }
        DataKey k = reloads.reload(patientId, () -> reload(patientId, stale));
        if (k != null) {
            return k;
        }
        // a reload of the patient runs already, or this one outlasts the wait, failed or was not
        // cached, or found every reload thread busy: the expired key, unless it was invalidated
        synchronized (live) {
            if (live.get(patientId) == stale) {
                return stale.key;
            }
        }
        return load(patientId);
    }

    /**
     * On a reload thread: the patient's live key, cached in place of {@code stale}; null when it
     * could not be read or was not cached (an invalidation came meanwhile).
     */
    private DataKey reload(String patientId, Cached stale) {
        long gen = generation.get();
        DataKey k;
        try {
            k = loadNoting(patientId);
        } catch (CryptoFailure f) {
            if (!f.isRetryable()) {
                // not a fault of the link (a KEK gone, a wrapped key that does not open): lookups
                // meet it themselves, as for a patient never cached
                synchronized (live) {
                    live.remove(patientId, stale);
                }
            }
            return null;
        }
        return cache(patientId, k, gen, stale) ? k : null;
    }

    /** A miss: loads (or creates) the key on the calling thread. */
    private DataKey load(String patientId) {
        long gen = generation.get();
        DataKey k = loadNoting(patientId);
        cache(patientId, k, gen, null);
        return k;
    }

    /** Loads (or creates) the key, telling the outage back-off whether the database answered. */
    private DataKey loadNoting(String patientId) {
        try {
            DataKey k = loadOrCreate(patientId);
            outage.succeeded();
            return k;
        } catch (CryptoFailure f) {
            if (f.isRetryable()) {
                outage.failed(nanoTime.getAsLong());
            }
            throw f;
        }
    }

    /**
     * Caches a key loaded since {@code gen}, unless an invalidation came meanwhile or, for a
     * reload, the entry it replaces ({@code replacing}) is gone; whether it did.
     */
    private boolean cache(String patientId, DataKey k, long gen, Cached replacing) {
        Cached c = new Cached(k, nanoTime.getAsLong() + ttlNanos);
        synchronized (live) {
            if (generation.get() != gen
                    || (replacing != null && live.get(patientId) != replacing)) {
                return false;
            }
            live.put(patientId, c);
        }
        synchronized (versions) {
            if (generation.get() == gen) {
                versions.put(patientId + '/' + k.version(), c);
            }
        }
        return true;
    }

    /**
     * The given version of the patient's key; {@code key-destroyed} when it was destroyed or never
     * existed.
     */
    public DataKey version(String patientId, int version) {
        String cacheKey = patientId + '/' + version;
        long now = nanoTime.getAsLong();
        synchronized (versions) {
            Cached c = versions.get(cacheKey);
            if (c != null && now - c.expiresAt < 0) {
                return c.key;
            }
        }
        long gen = generation.get();
        DataKey k;
        try (Connection con = dataSource.getConnection();
                PreparedStatement ps = con.prepareStatement(VERSION)) {
            ps.setString(1, patientId);
            ps.setInt(2, version);
            try (ResultSet r = ps.executeQuery()) {
                if (!r.next()) {
                    throw new CryptoFailure(
                            CryptoFailure.KEY_DESTROYED,
                            "the data key of this reading is destroyed");
                }
                k = unwrap(patientId, version, r.getString(1), r.getBytes(2));
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
        synchronized (versions) {
            if (generation.get() == gen) {
                versions.put(cacheKey, new Cached(k, nanoTime.getAsLong() + ttlNanos));
            }
        }
        return k;
    }

    /** Drops every cached key of the patient (after an erasure). */
    public void invalidate(String patientId) {
        generation.incrementAndGet();
        synchronized (live) {
            live.remove(patientId);
        }
        synchronized (versions) {
            versions.keySet().removeIf(k -> k.startsWith(patientId + '/'));
        }
    }

    /** Reloads running now (approximate: for tests). */
    int reloadsRunning() {
        return reloads.running();
    }

    /** Drops every cached key (erasure notices may have been missed). */
    public void invalidateAll() {
        generation.incrementAndGet();
        synchronized (live) {
            live.clear();
        }
        synchronized (versions) {
            versions.clear();
        }
    }

    private DataKey loadOrCreate(String patientId) {
        try (Connection c = dataSource.getConnection()) {
            for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
                DataKey k = readLive(c, patientId);
                if (k != null) {
                    return k;
                }
                // insert-on-conflict then re-read: a racing writer (thread or instance) that took
                // this
                // version wins on the primary key, and its key is the one read back
                int version = nextVersion(c, patientId);
                byte[] fresh = new byte[KEY_BYTES];
                random.nextBytes(fresh);
                KeyEncryptionKey kek = keks.current();
                try (PreparedStatement ps = c.prepareStatement(CREATE)) {
                    ps.setString(1, patientId);
                    ps.setInt(2, version);
                    ps.setString(3, kek.id());
                    ps.setBytes(4, kek.wrap(fresh, context(patientId, version)));
                    ps.setString(5, patientId);
                    ps.executeUpdate();
                } finally {
                    Arrays.fill(fresh, (byte) 0);
                }
            }
            throw new CryptoFailure(
                    CryptoFailure.KEYS_UNAVAILABLE,
                    "no data key could be created (erased repeatedly meanwhile)");
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static int nextVersion(Connection c, String patientId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "select coalesce(max(key_version), 0) + 1 from data_keys where patient_id = ?")) {
            ps.setString(1, patientId);
            try (ResultSet r = ps.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private DataKey readLive(Connection c, String patientId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LIVE)) {
            ps.setString(1, patientId);
            try (ResultSet r = ps.executeQuery()) {
                return r.next()
                        ? unwrap(patientId, r.getInt(1), r.getString(2), r.getBytes(3))
                        : null;
            }
        }
    }

    private DataKey unwrap(String patientId, int version, String kekId, byte[] wrapped) {
        byte[] raw = keks.get(kekId).unwrap(wrapped, context(patientId, version));
        try {
            return new DataKey(patientId, version, new SecretKeySpec(raw, "AES"));
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** What a wrapped key is bound to: its patient and version, so it cannot serve another row. */
    static byte[] context(String patientId, int version) {
        return ("telemetry-data-key\0" + patientId + '\0' + version)
                .getBytes(StandardCharsets.UTF_8);
    }

    private static CryptoFailure unavailable(SQLException e) {
        return new CryptoFailure(
                CryptoFailure.KEYS_UNAVAILABLE,
                "data keys are unavailable (SQLSTATE " + e.getSQLState() + ")",
                e);
    }
}

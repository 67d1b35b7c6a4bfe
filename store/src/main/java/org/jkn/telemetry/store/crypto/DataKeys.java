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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.jkn.telemetry.store.db.OutageBackoff;

/**
 * Patients' data keys: one live AES-256 key per patient (table {@code data_keys}), stored only
 * wrapped by a KEK, created on first use and destroyed by erasure; a reading arriving after an
 * erasure gets a new key version.
 *
 * <p>Creation is race-safe across threads and gateway instances: the next version is inserted with
 * {@code on conflict do nothing} and the live key is read back, so whoever wins, everyone uses the
 * same key. Unwrapped keys are cached in memory (bounded, least recently used first out) for {@code
 * ttl}: an erasure on this instance drops them at once, one on another instance sharing the
 * database is seen here at most one TTL later for new readings (reads check the database at once,
 * see {@code ReadingQueries}).
 *
 * <p>Thread-safe. A cache hit costs a synchronized map lookup; a miss blocks on JDBC (and the KEK).
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

    private record Cached(DataKey key, long expiresAt) {}

    private final DataSource dataSource;
    private final KekRing keks;
    private final long ttlNanos;
    private final OutageBackoff outage = new OutageBackoff(Duration.ofSeconds(1));
    private final AtomicBoolean reloadingExpired = new AtomicBoolean();
    private final LongSupplier nanoTime;
    private final SecureRandom random = new SecureRandom();

    /** Live key per patient. */
    private final Map<String, Cached> live;

    /** Any version, for reads: key "patient/version". */
    private final Map<String, Cached> versions;

    /**
     * Bumped by every invalidation: a key loaded before one (an erasure committing meanwhile) is
     * used by the lookup that loaded it but not cached, so it cannot outlive the invalidation.
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
     * The patient's live data key, created when there is none. While the database cannot be read,
     * an expired cached key is used (as ingest's consent decisions are): no key can be created or
     * erased while the database is down, and a reading sealed under a key erased meanwhile is
     * dropped when it is merged (the writer checks the live key). After a failed load the database
     * is not asked again for a second, so an outage costs one connection timeout, not one per
     * batch.
     */
    public DataKey current(String patientId) {
        // fast path: cached
        long now = nanoTime.getAsLong();
        Cached stale;
        synchronized (live) {
            stale = live.get(patientId);
            if (stale != null && now - stale.expiresAt < 0) {
                return stale.key;
            }
        }
        if (stale != null && outage.resting(now)) {
            return stale.key;
        }
        // one reload of an expired key at a time: the others keep sealing with it meanwhile, so a
        // database that stopped answering holds up one thread for a connection timeout, not all
        boolean reloading = stale != null;
        if (reloading && !reloadingExpired.compareAndSet(false, true)) {
            return stale.key;
        }
        long gen = generation.get();
        DataKey k;
        try {
            k = loadOrCreate(patientId);
            outage.succeeded();
        } catch (CryptoFailure f) {
            if (!f.isRetryable()) {
                throw f;
            }
            outage.failed(nanoTime.getAsLong());
            if (stale != null) {
                return stale.key;
            }
            throw f;
        } finally {
            if (reloading) {
                reloadingExpired.set(false);
            }
        }
        Cached c = new Cached(k, nanoTime.getAsLong() + ttlNanos);
        synchronized (live) {
            if (generation.get() == gen) {
                live.put(patientId, c);
            }
        }
        synchronized (versions) {
            if (generation.get() == gen) {
                versions.put(patientId + '/' + k.version(), c);
            }
        }
        return k;
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

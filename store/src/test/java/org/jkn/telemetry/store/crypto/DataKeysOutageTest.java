package org.jkn.telemetry.store.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * While the database cannot be read, a patient's expired cached data key still seals new readings
 * (ingest keeps acknowledging into the journal through an outage longer than the cache TTL); a
 * patient never seen, or one erased on this node, still gets {@code keys-unavailable}.
 */
class DataKeysOutageTest {

    @TempDir static Path dir;

    private static Database db;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"));
    }

    @AfterAll
    static void close() throws Exception {
        db.close();
    }

    @Test
    void anExpiredKeyIsUsedWhileTheDatabaseIsAway() throws Exception {
        AtomicLong clock = new AtomicLong();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(db.dataSource().unwrap(HikariDataSource.class).getJdbcUrl());
        hc.setUsername("postgres");
        hc.setConnectionTimeout(500);
        HikariDataSource pool = new HikariDataSource(hc);
        DataKeys keys =
                new DataKeys(
                        pool,
                        new KekRing(TestCrypto.KEK, List.of()),
                        100,
                        TimeUnit.MINUTES.toNanos(1),
                        clock::get);
        DataKey seen = keys.current("p-outage-seen");
        keys.current("p-outage-erased");

        pool.close(); // the database is away from here on
        clock.addAndGet(TimeUnit.MINUTES.toNanos(10)); // far past the cache's TTL

        DataKey stale = keys.current("p-outage-seen");
        assertEquals(seen.version(), stale.version());
        assertArrayEquals(seen.key().getEncoded(), stale.key().getEncoded());
        CryptoFailure unknown =
                assertThrows(CryptoFailure.class, () -> keys.current("p-outage-never-seen"));
        assertEquals(CryptoFailure.KEYS_UNAVAILABLE, unknown.code());
        keys.invalidate("p-outage-erased"); // as an erasure on this node does
        assertThrows(CryptoFailure.class, () -> keys.current("p-outage-erased"));
    }
}

package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.jkn.telemetry.testing.Postgres;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away and comes back on the same address, as a restarted PostgreSQL does: the
 * journal keeps what arrives meanwhile and the drainer stores it afterwards.
 */
class JournalDrainerOutageTest {

    @TempDir static Path shared;

    @TempDir Path journalDir;

    private static int port;
    private static EmbeddedPostgres server;
    private static HikariDataSource pool;
    private final RecordingListener listener = new RecordingListener();
    private Journal journal;
    private JournalDrainer drainer;

    @BeforeAll
    static void startServer() throws Exception {
        port = Ports.free();
        startOnSamePort();
        String url = server.getJdbcUrl("postgres", "postgres");
        try (Database migrated = Database.open(TestDatabases.external(url, "postgres", null))) {
            migrated.maintenance().run(TestDatabases.FIXTURE_DAY);
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setMaximumPoolSize(2);
        hc.setConnectionTimeout(500); // fail fast while the server is down, so retries come quickly
        pool = new HikariDataSource(hc);
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (pool != null) {
            pool.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeJournal() throws Exception {
        if (drainer != null) {
            drainer.close();
        }
        if (journal != null) {
            journal.close();
        }
        if (server == null) {
            startOnSamePort();
        }
    }

    @Test
    void readingsAppendedWhileTheDatabaseIsDownAreStoredWhenItReturns() throws Exception {
        journal = Journal.open(journalDir, false, TestCrypto.of(pool));
        drainer = new JournalDrainer(journal, pool, listener, 1_000);
        drainer.start();
        long before =
                journal.append(
                        batch(
                                "p-outage",
                                "dev-1",
                                List.of(heartRate("before", "2026-11-22T07:00:00+07:00", 70))));
        Poll.until("the first batch is stored", () -> drainer.checkpoint() == before);

        stopServer(server);
        long during =
                journal.append(
                        batch(
                                "p-outage",
                                "dev-1",
                                List.of(
                                        heartRate("during-1", "2026-11-22T07:01:00+07:00", 71),
                                        heartRate("during-2", "2026-11-22T07:02:00+07:00", 72))));
        Poll.until("the drainer notices the outage", () -> !drainer.isHealthy());
        assertTrue(listener.failedWrites.get() > 0);
        assertEquals(2, journal.pendingReadings());
        assertEquals(before, drainer.checkpoint());

        startOnSamePort();
        Poll.until(
                "the batch appended during the outage is stored",
                () -> drainer.checkpoint() == during);

        assertTrue(drainer.isHealthy());
        assertEquals(0, journal.pendingReadings());
        assertEquals(
                3,
                Sql.count(
                        pool,
                        "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-outage'"));
    }

    @Test
    void drainerStartedWhileTheDatabaseIsDownCatchesUpWhenItReturns() throws Exception {
        // a patient whose data key is cached can be ingested while the database is away
        TestCrypto.of(pool).keys().current("p-late-start");
        stopServer(server);
        journal = Journal.open(journalDir, false, TestCrypto.of(pool));
        journal.append(
                batch(
                        "p-late-start",
                        "dev-1",
                        List.of(heartRate("a", "2026-11-22T07:00:00+07:00", 70))));
        drainer = new JournalDrainer(journal, pool, listener, 1_000);
        drainer.start();
        long last =
                journal.append(
                        batch(
                                "p-late-start",
                                "dev-1",
                                List.of(heartRate("b", "2026-11-22T07:01:00+07:00", 71))));
        Poll.until("the drainer notices the database is away", () -> !drainer.isHealthy());
        assertEquals(-1, drainer.checkpoint());
        assertFalse(listener.readings.get() > 0);

        startOnSamePort();
        Poll.until("the journal is drained", () -> drainer.checkpoint() == last);

        assertEquals(0, journal.pendingReadings());
        assertEquals(
                2,
                Sql.count(
                        pool,
                        "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-late-start'"));
    }

    private static void stopServer(EmbeddedPostgres running) throws IOException {
        server = null;
        running.close();
    }

    private static void startOnSamePort() throws IOException {
        server = Postgres.startKeepingData(shared.resolve("pg"), port);
    }
}

package org.jkn.telemetry.store.db;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.testing.Sql.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schema and time layout on plain PostgreSQL (no TimescaleDB), against one embedded server. */
class DatabaseTest {

    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy_MM");
    private static final String NO_PARTITION_FOR_ROW = "23514";

    @TempDir static Path dir;

    private static DatabaseConfig config;
    private static Database db;
    private static Instant openedAt;
    private final AtomicLong journalIndex = new AtomicLong();

    @BeforeAll
    static void open() throws Exception {
        config = TestDatabases.embedded(dir.resolve("pg"));
        openedAt = Instant.now();
        db = Database.open(config);
    }

    @AfterAll
    static void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void migrationsCreateThePartitionedSchemaOnPlainPostgres() throws SQLException {
        DataSource ds = db.dataSource();
        assertEquals(StorageMode.NATIVE_PARTITIONS, db.mode());
        assertTrue(db.isReachable(2));
        for (String table : List.of("patients", "devices", "journal_checkpoints", "readings")) {
            assertEquals(
                    1,
                    count(
                            ds,
                            "select count(*) from pg_class where relname = ? and relnamespace = 'public'::regnamespace",
                            table),
                    table);
        }
        assertEquals(
                1,
                count(
                        ds,
                        "select count(*) from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid "
                                + "where c.relname = 'readings' and pt.partstrat = 'r'"),
                "readings is range partitioned");
        assertEquals(
                1,
                count(
                        ds,
                        "select count(*) from flyway_schema_history where version = '1' and success"));
    }

    @Test
    void timescaleAutoFallsBackToPartitionsWhenTheExtensionIsMissing() throws SQLException {
        assertEquals("auto", config.timescale());
        DataSource ds = db.dataSource();
        assertEquals(
                0,
                count(
                        ds,
                        "select count(*) from pg_available_extensions where name = 'timescaledb'"),
                "this test needs a server without TimescaleDB");
        assertEquals(
                0, count(ds, "select count(*) from pg_extension where extname = 'timescaledb'"));
        try (Connection c = ds.getConnection()) {
            assertEquals(StorageMode.NATIVE_PARTITIONS, SchemaMaintenance.detect(c));
        }
    }

    @Test
    void monthlyPartitionsCoverFromPartitionsBehindToPartitionsAhead() throws SQLException {
        YearMonth first =
                YearMonth.from(openedAt.minus(config.partitionsBehind()).atOffset(ZoneOffset.UTC));
        YearMonth last =
                YearMonth.from(
                        openedAt.atOffset(ZoneOffset.UTC).plusMonths(config.partitionsAhead()));
        Set<String> partitions = partitionNames();
        for (YearMonth m = first; !m.isAfter(last); m = m.plusMonths(1)) {
            assertTrue(
                    partitions.contains("readings_p" + m.format(MONTH)),
                    "missing partition for " + m + " in " + partitions);
            assertTrue(
                    partitions.contains("reading_blocks_p" + m.format(MONTH)),
                    "missing block partition for " + m);
        }

        store(first.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC), "first-month-start");
        store(
                last.plusMonths(1)
                        .atDay(1)
                        .atStartOfDay()
                        .toInstant(ZoneOffset.UTC)
                        .minusNanos(1_000),
                "last-month-end");
        SQLException before =
                assertThrows(
                        SQLException.class,
                        () ->
                                store(
                                        first.atDay(1)
                                                .atStartOfDay()
                                                .toInstant(ZoneOffset.UTC)
                                                .minusNanos(1_000),
                                        "before-first"));
        assertEquals(NO_PARTITION_FOR_ROW, before.getSQLState());
        SQLException after =
                assertThrows(
                        SQLException.class,
                        () ->
                                store(
                                        last.plusMonths(1)
                                                .atDay(1)
                                                .atStartOfDay()
                                                .toInstant(ZoneOffset.UTC),
                                        "after-last"));
        assertEquals(NO_PARTITION_FOR_ROW, after.getSQLState());
    }

    @Test
    void maintenanceIsIdempotent() throws SQLException {
        Set<String> before = partitionNames();
        assertEquals(StorageMode.NATIVE_PARTITIONS, db.maintenance().run(Instant.now()));
        assertEquals(before, partitionNames());
    }

    @Test
    void retentionDropsWholePartitionsOlderThanTheRetentionAndKeepsNewerOnes() throws SQLException {
        // a past half-year of its own, so the partitions around now stay as the other tests expect
        // them
        Instant now = Instant.parse("2019-06-15T00:00:00Z");
        SchemaMaintenance noRetention =
                new SchemaMaintenance(db.dataSource(), withRetention(null, Duration.ofDays(180)));
        noRetention.run(now);
        store(Instant.parse("2019-01-10T00:00:00Z"), "jan");
        store(Instant.parse("2019-02-28T23:59:59Z"), "feb");
        store(Instant.parse("2019-03-02T00:00:00Z"), "mar");
        store(Instant.parse("2019-05-10T00:00:00Z"), "may");
        Set<String> current = partitionNames();
        current.removeIf(p -> p.matches("readings?(_blocks)?_p201[89]_.*"));

        // cut-off 2019-03-15: February ends before it, March does not
        SchemaMaintenance retention =
                new SchemaMaintenance(
                        db.dataSource(), withRetention(Duration.ofDays(92), Duration.ofDays(180)));
        retention.run(now);

        Set<String> after = partitionNames();
        for (String table : List.of("readings", "reading_blocks")) {
            for (String dropped : List.of("_p2018_12", "_p2019_01", "_p2019_02")) {
                assertFalse(
                        after.contains(table + dropped),
                        table + dropped + " should be dropped: " + after);
            }
            for (String kept : List.of("_p2019_03", "_p2019_04", "_p2019_05", "_p2019_08")) {
                assertTrue(
                        after.contains(table + kept), table + kept + " should be kept: " + after);
            }
        }
        assertTrue(after.containsAll(current), "partitions around now are untouched");
        assertEquals(
                0, storedReadings("2019-01-10T00:00:00Z") + storedReadings("2019-02-28T23:59:59Z"));
        assertEquals(
                1,
                storedReadings("2019-03-02T00:00:00Z"),
                "a partition is dropped whole or not at all");
        assertEquals(1, storedReadings("2019-05-10T00:00:00Z"));
    }

    private static DatabaseConfig withRetention(Duration retention, Duration behind) {
        return new DatabaseConfig(
                config.url(),
                config.user(),
                config.password(),
                config.poolSize(),
                config.embeddedDir(),
                config.timescale(),
                config.chunkInterval(),
                config.compressAfter(),
                retention,
                2,
                behind);
    }

    private void store(Instant at, String readingId) throws SQLException {
        String iso = at.atOffset(ZoneOffset.UTC).toString();
        TestCrypto.write(
                db.dataSource(),
                List.of(batch("p-database", "dev-1", List.of(heartRate(readingId, iso, 60)))),
                "database-test",
                journalIndex.incrementAndGet());
    }

    /** Readings stored in the block of a heart rate at {@code at} (an hour's window). */
    private static long storedReadings(String at) throws SQLException {
        return count(
                db.dataSource(),
                "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-database' "
                        + "and window_start = date_trunc('hour', ?::timestamptz at time zone 'UTC') at time zone 'UTC'",
                at);
    }

    private static Set<String> partitionNames() throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
                                        + "join pg_class p on p.oid = i.inhparent where p.relname in ('readings', 'reading_blocks')")) {
            while (r.next()) {
                names.add(r.getString(1));
            }
        }
        return names;
    }
}

package org.jkn.telemetry.store.db;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.testing.Sql.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.copy.BlockUpgrade;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The same schema on TimescaleDB: a hypertable with the configured chunk interval, compression and
 * retention policies, and the same writes and queries as on plain PostgreSQL (which {@link
 * DatabaseTest} and the journal and query tests cover). Each subclass brings the server: {@link
 * TimescaleDbTest} a local cluster, {@link TimescaleDbContainerTest} a Docker container.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class TimescaleDbContract {

    private DatabaseConfig config;
    private Database db;

    /**
     * Where the tests connect, on a database of their own; called before the first test. It may
     * skip the test with an assumption.
     */
    protected abstract Endpoint endpoint();

    protected record Endpoint(String url, String user, String password) {}

    /**
     * Opens the database on the first test rather than in {@code @BeforeAll}: surefire reports a
     * class skipped there as no tests at all and drops the reason.
     */
    @BeforeEach
    void open() throws Exception {
        if (db == null) {
            Endpoint e = endpoint();
            config =
                    new DatabaseConfig(
                            e.url(),
                            e.user(),
                            e.password(),
                            4,
                            null,
                            "auto",
                            Duration.ofDays(1),
                            Duration.ofDays(30),
                            Duration.ofDays(365),
                            3,
                            Duration.ofDays(62));
            db = Database.open(config);
        }
    }

    @AfterAll
    void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void readingsIsAHypertableWithTheConfiguredChunkInterval() throws SQLException {
        DataSource ds = db.dataSource();
        assertEquals(StorageMode.TIMESCALE, db.mode());
        assertEquals(
                1,
                count(
                        ds,
                        "select count(*) from timescaledb_information.hypertables where hypertable_name = 'readings'"));
        assertEquals(
                0,
                count(
                        ds,
                        "select count(*) from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid "
                                + "where c.relname = 'readings'"));
        assertEquals(
                86_400,
                count(
                        ds,
                        "select extract(epoch from time_interval)::bigint from timescaledb_information.dimensions "
                                + "where hypertable_name = 'readings' and column_name = 'effective_start'"));
    }

    @Test
    void blocksAreAHypertableByWindowStartWithRetentionByDroppingChunks() throws SQLException {
        DataSource ds = db.dataSource();
        assertEquals(
                1,
                count(
                        ds,
                        "select count(*) from timescaledb_information.hypertables where hypertable_name = 'reading_blocks'"));
        assertEquals(
                86_400,
                count(
                        ds,
                        "select extract(epoch from time_interval)::bigint from timescaledb_information.dimensions "
                                + "where hypertable_name = 'reading_blocks' and column_name = 'window_start'"));
        assertEquals(
                1,
                count(
                        ds,
                        "select count(*) from timescaledb_information.jobs where hypertable_name = 'reading_blocks' "
                                + "and proc_name = 'policy_retention' and (config->>'drop_after')::interval = interval '365 days'"));
        assertEquals(
                0,
                count(
                        ds,
                        "select count(*) from timescaledb_information.jobs where hypertable_name = 'reading_blocks' "
                                + "and proc_name = 'policy_compression'"),
                "sealed blocks do not compress: no policy spends time on them");
        assertEquals(
                0,
                count(
                        ds,
                        "select count(*) from pg_indexes where tablename = 'reading_blocks' "
                                + "and indexname <> 'reading_blocks_pkey'"),
                "the key is the only index: every read names a patient and a type, and a time index"
                        + " led the planner to walk every patient's blocks");
    }

    @Test
    void theBlocksChunksCarryOnlyTheKeyIndex() throws SQLException {
        DataSource ds = db.dataSource();
        String at = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        TestCrypto.write(
                ds,
                List.of(batch("p-key-index", "dev-1", List.of(heartRate("hr-k", at, 61)))),
                "timescale-test",
                3);
        assertTrue(
                count(
                                ds,
                                "select count(*) from timescaledb_information.chunks "
                                        + "where hypertable_name = 'reading_blocks'")
                        >= 1);
        assertEquals(
                0,
                count(
                        ds,
                        "select count(*) from pg_indexes i join timescaledb_information.chunks c "
                                + "on i.schemaname = c.chunk_schema and i.tablename = c.chunk_name "
                                + "where c.hypertable_name = 'reading_blocks' "
                                + "and i.indexdef not like '%(patient_id, type, window_start, key_version)%'"));
    }

    @Test
    void compressionAndRetentionPoliciesFollowTheConfiguration() throws SQLException {
        DataSource ds = db.dataSource();
        assertEquals(
                1,
                count(
                        ds,
                        "select count(*) from timescaledb_information.hypertables "
                                + "where hypertable_name = 'readings' and compression_enabled"));
        assertEquals(
                1,
                count(
                        ds,
                        "select count(*) from timescaledb_information.jobs where hypertable_name = 'readings' "
                                + "and proc_name = 'policy_compression' and (config->>'compress_after')::interval = interval '30 days'"));
        assertEquals(
                1,
                count(
                        ds,
                        "select count(*) from timescaledb_information.jobs where hypertable_name = 'readings' "
                                + "and proc_name = 'policy_retention' and (config->>'drop_after')::interval = interval '365 days'"));
    }

    @Test
    void copiedReadingsAreFoundBySearchAndStoredOnce() throws SQLException {
        String at =
                Instant.now()
                        .truncatedTo(ChronoUnit.SECONDS)
                        .atOffset(ZoneOffset.ofHours(7))
                        .toString();
        List<JournalBatch> batches =
                List.of(batch("p-ts", "dev-1", List.of(heartRate("hr-1", at, 64))));

        assertEquals(1, TestCrypto.write(db.dataSource(), batches, "timescale-test", 1));
        assertEquals(0, TestCrypto.write(db.dataSource(), batches, "timescale-test", 2));

        ReadingQueries queries =
                new ReadingQueries(
                        db.dataSource(), TestCrypto.of(db.dataSource()), Duration.ofDays(1));
        List<StoredReading> found =
                queries.search(
                        new ObservationSearch(
                                "p-ts",
                                List.of(ReadingType.HEART_RATE.storedCode(0)),
                                List.of(),
                                false,
                                10,
                                0));
        assertEquals(1, found.size());
        assertEquals(64, found.get(0).value(), 0.0);
        assertEquals(found.get(0), queries.read(found.get(0).observationId()).orElseThrow());
    }

    @Test
    void maintenanceAndRestartStillWorkOnceChunksAreCompressed() throws Exception {
        String old = Instant.now().minus(Duration.ofDays(40)).atOffset(ZoneOffset.UTC).toString();
        // rows of the previous version, in the compressed chunks the upgrade then reads
        TestCrypto.writeLegacy(
                db.dataSource(),
                List.of(batch("p-ts-old", "dev-1", List.of(heartRate("old-1", old, 58)))),
                "timescale-test",
                3);
        assertTrue(
                count(
                                db.dataSource(),
                                "select count(*) from (select compress_chunk(c, true) "
                                        + "from show_chunks('readings', older_than => interval '30 days') c) compressed")
                        > 0);

        assertEquals(StorageMode.TIMESCALE, db.maintenance().run(Instant.now()));
        try (Database reopened = Database.open(config)) {
            assertEquals(StorageMode.TIMESCALE, reopened.mode());
            List<StoredReading> found =
                    new ReadingQueries(
                                    reopened.dataSource(),
                                    TestCrypto.of(reopened.dataSource()),
                                    Duration.ofDays(1))
                            .search(
                                    new ObservationSearch(
                                            "p-ts-old", List.of(), List.of(), false, 10, 0));
            assertEquals(1, found.size(), "readings in compressed chunks are still found");
            assertEquals(
                    1,
                    new BlockUpgrade(reopened.dataSource(), TestCrypto.of(reopened.dataSource()))
                            .run(100),
                    "and moved into blocks");
            assertEquals(
                    found,
                    new ReadingQueries(
                                    reopened.dataSource(),
                                    TestCrypto.of(reopened.dataSource()),
                                    Duration.ofDays(1))
                            .search(
                                    new ObservationSearch(
                                            "p-ts-old", List.of(), List.of(), false, 10, 0)));
        }
    }
}

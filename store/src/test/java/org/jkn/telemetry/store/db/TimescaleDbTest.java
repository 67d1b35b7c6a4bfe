package org.jkn.telemetry.store.db;

import org.jkn.telemetry.store.crypto.SealedBatch;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.store.fixtures.TestDatabases.count;
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
import org.jkn.telemetry.store.copy.ReadingCopier;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * The same schema on TimescaleDB: a hypertable with the configured chunk interval, compression
 * and retention policies, and the same writes and queries as on plain PostgreSQL (which
 * {@link DatabaseTest} and the journal and query tests cover). Needs a Docker engine; skipped
 * without one.
 */
@Testcontainers(disabledWithoutDocker = true)
class TimescaleDbTest {

    @Container
    private static final PostgreSQLContainer<?> TIMESCALE = new PostgreSQLContainer<>(
            DockerImageName.parse("timescale/timescaledb:2.17.2-pg16").asCompatibleSubstituteFor("postgres"));

    private static DatabaseConfig config;
    private static Database db;

    @BeforeAll
    static void open() throws Exception {
        config = new DatabaseConfig(TIMESCALE.getJdbcUrl(), TIMESCALE.getUsername(), TIMESCALE.getPassword(), 4, null,
                "auto", Duration.ofDays(1), Duration.ofDays(30), Duration.ofDays(365), 3, Duration.ofDays(62));
        db = Database.open(config);
    }

    @AfterAll
    static void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void readingsIsAHypertableWithTheConfiguredChunkInterval() throws SQLException {
        DataSource ds = db.dataSource();
        assertEquals(StorageMode.TIMESCALE, db.mode());
        assertEquals(1, count(ds, "select count(*) from timescaledb_information.hypertables where hypertable_name = 'readings'"));
        assertEquals(0, count(ds, "select count(*) from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid "
                + "where c.relname = 'readings'"));
        assertEquals(86_400, count(ds, "select extract(epoch from time_interval)::bigint from timescaledb_information.dimensions "
                + "where hypertable_name = 'readings' and column_name = 'effective_start'"));
    }

    @Test
    void compressionAndRetentionPoliciesFollowTheConfiguration() throws SQLException {
        DataSource ds = db.dataSource();
        assertEquals(1, count(ds, "select count(*) from timescaledb_information.hypertables "
                + "where hypertable_name = 'readings' and compression_enabled"));
        assertEquals(1, count(ds, "select count(*) from timescaledb_information.jobs where hypertable_name = 'readings' "
                + "and proc_name = 'policy_compression' and (config->>'compress_after')::interval = interval '30 days'"));
        assertEquals(1, count(ds, "select count(*) from timescaledb_information.jobs where hypertable_name = 'readings' "
                + "and proc_name = 'policy_retention' and (config->>'drop_after')::interval = interval '365 days'"));
    }

    @Test
    void copiedReadingsAreFoundBySearchAndStoredOnce() throws SQLException {
        String at = Instant.now().truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.ofHours(7)).toString();
        ReadingCopier copier = new ReadingCopier(db.dataSource());
        List<SealedBatch> batches = TestCrypto.seal(TestCrypto.of(db.dataSource()),
                List.of(batch("p-ts", "dev-1", List.of(heartRate("hr-1", at, 64)))));

        assertEquals(1, copier.write(batches, "timescale-test", 1));
        assertEquals(0, copier.write(batches, "timescale-test", 2));

        ReadingQueries queries = new ReadingQueries(db.dataSource(), TestCrypto.of(db.dataSource()), Duration.ofDays(1));
        List<StoredReading> found = queries.search(new ObservationSearch("p-ts", List.of(ReadingType.HEART_RATE.storedCode(0)), List.of(), false, 10, 0));
        assertEquals(1, found.size());
        assertEquals(64, found.get(0).value(), 0.0);
        assertEquals(found.get(0), queries.read(found.get(0).observationId()).orElseThrow());
    }

    @Test
    void maintenanceAndRestartStillWorkOnceChunksAreCompressed() throws Exception {
        String old = Instant.now().minus(Duration.ofDays(40)).atOffset(ZoneOffset.UTC).toString();
        TestCrypto.write(db.dataSource(), List.of(batch("p-ts-old", "dev-1", List.of(heartRate("old-1", old, 58)))),
                "timescale-test", 3);
        assertTrue(count(db.dataSource(), "select count(*) from (select compress_chunk(c, true) "
                + "from show_chunks('readings', older_than => interval '30 days') c) compressed") > 0);

        assertEquals(StorageMode.TIMESCALE, db.maintenance().run(Instant.now()));
        try (Database reopened = Database.open(config)) {
            assertEquals(StorageMode.TIMESCALE, reopened.mode());
            List<StoredReading> found = new ReadingQueries(reopened.dataSource(), TestCrypto.of(reopened.dataSource()), Duration.ofDays(1))
                    .search(new ObservationSearch("p-ts-old", List.of(), List.of(), false, 10, 0));
            assertEquals(1, found.size(), "readings in compressed chunks are still found");
        }
    }
}

package org.jkn.telemetry.store.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.db.DatabaseConfig;
import org.jkn.telemetry.store.db.EmbeddedDatabase;
import org.jkn.telemetry.store.db.SchemaMaintenance;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail by month against a real PostgreSQL: the trail of an earlier version moves into
 * the partitioned table, each partition refuses rewrites as the table does, and only an explicit
 * retention drops rows, as whole months past it.
 */
class AuditPartitionsTest {

    private static final AuditEntry ENTRY =
            new AuditEntry(
                    "p-part",
                    Interaction.READ,
                    "Observation",
                    "obs-1",
                    null,
                    AuditOutcome.SUCCESS,
                    null,
                    new AuditActor("clinician", "dr-1", "Practitioner/dr-1", null));

    @TempDir Path dir;

    @Test
    void theTrailOfAnEarlierVersionMovesIntoMonthlyPartitionsThatRefuseRewrites() throws Exception {
        try (EmbeddedDatabase pg = EmbeddedDatabase.start(dir.resolve("pg"))) {
            Flyway.configure()
                    .dataSource(pg.jdbcUrl(), "postgres", "")
                    .locations("classpath:db/migration")
                    .placeholders(Map.of("timescale", "off"))
                    .target("7")
                    .load()
                    .migrate();
            try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute(
                        "insert into audit_events (id, recorded, patient_id, action, interaction, resource_type, outcome, "
                                + "actor_kind, source) values ('old-1', '2026-10-05T10:00:00Z', 'p-old', 'R', 'read', 'Observation', 0, "
                                + "'patient', 'node-0')");
            }
            try (Database db = Database.open(TestDatabases.external(pg.jdbcUrl(), "postgres", ""));
                    AuditLog log = new AuditLog(db.dataSource(), "node-1", Clock.systemUTC())) {
                AuditRecord old = log.read("old-1").orElseThrow();
                assertEquals("p-old", old.entry().patientId());
                assertEquals(
                        1,
                        Sql.count(db.dataSource(), "select count(*) from audit_events_p2026_10"),
                        "in its month");
                assertEquals(
                        0,
                        Sql.count(
                                db.dataSource(),
                                "select count(*) from pg_class where relname = 'audit_events_v6'"));

                for (String sql :
                        new String[] {
                            "update audit_events set outcome = 4",
                            "delete from audit_events",
                            "update audit_events_p2026_10 set outcome = 4",
                            "delete from audit_events_p2026_10 where id = 'old-1'",
                            "truncate audit_events",
                            "truncate audit_events_p2026_10"
                        }) {
                    SQLException refused =
                            assertThrows(
                                    SQLException.class,
                                    () -> Sql.execute(db.dataSource(), sql),
                                    sql);
                    assertEquals("42501", refused.getSQLState(), sql);
                }
                assertTrue(log.read("old-1").isPresent());
                AuditRecord now = log.append(ENTRY);
                assertEquals(
                        now,
                        log.read(now.id()).orElseThrow(),
                        "this month's partition exists and takes records");
            }
        }
    }

    @Test
    void onlyAnExplicitRetentionDropsRowsAsWholeMonthsPastIt() throws Exception {
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            DataSource ds = db.dataSource();
            assertTrue(exists(ds, "audit_events_p2027_02"), "partitions are made months ahead");
            Sql.execute(
                    ds,
                    "select ensure_audit_partitions('2026-06-01T00:00:00Z', '2026-08-01T00:00:00Z')");
            AuditRecord june;
            try (AuditLog log =
                    new AuditLog(
                            ds,
                            "node-1",
                            Clock.fixed(Instant.parse("2026-06-10T01:00:00Z"), ZoneOffset.UTC))) {
                june = log.append(ENTRY);
            }
            Instant now = Instant.now();
            String thisMonth =
                    "audit_events_p"
                            + DateTimeFormatter.ofPattern("yyyy_MM")
                                    .withZone(ZoneOffset.UTC)
                                    .format(now);

            DatabaseConfig keepAll = TestDatabases.embedded(dir.resolve("pg"));
            new SchemaMaintenance(ds, keepAll).run(now);
            assertEquals(
                    1,
                    Sql.count(ds, "select count(*) from audit_events where id = ?", june.id()),
                    "no retention set: kept, however old");

            new SchemaMaintenance(ds, withAuditRetention(keepAll, Duration.ofDays(31))).run(now);
            assertEquals(
                    0,
                    Sql.count(ds, "select count(*) from audit_events where id = ?", june.id()),
                    "June ended more than 31 days ago: its month is dropped");
            assertFalse(exists(ds, "audit_events_p2026_06"));
            assertTrue(exists(ds, thisMonth), "the current month stays");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> withAuditRetention(keepAll, Duration.ofDays(7)),
                    "less than a month cannot be kept by dropping months");
            SQLException tooRecent =
                    assertThrows(
                            SQLException.class,
                            () ->
                                    Sql.execute(
                                            ds, "select drop_audit_partitions_before('infinity')"));
            assertEquals(
                    "22023",
                    tooRecent.getSQLState(),
                    "the database itself refuses to drop the last 31 days");
            assertTrue(exists(ds, thisMonth));
        }
    }

    private static DatabaseConfig withAuditRetention(DatabaseConfig c, Duration retention) {
        return new DatabaseConfig(
                c.url(),
                c.user(),
                c.password(),
                c.poolSize(),
                c.embeddedDir(),
                c.timescale(),
                c.chunkInterval(),
                c.compressAfter(),
                c.retention(),
                c.partitionsAhead(),
                c.partitionsBehind(),
                retention);
    }

    private static boolean exists(DataSource ds, String table) throws SQLException {
        return Sql.count(ds, "select count(*) from pg_class where relname = ?", table) == 1;
    }
}

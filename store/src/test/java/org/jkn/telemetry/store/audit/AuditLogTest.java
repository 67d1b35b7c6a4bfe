package org.jkn.telemetry.store.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.query.DateBound;
import org.jkn.telemetry.store.query.DatePrefix;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail against a real PostgreSQL: round trip, per-patient order and paging, dates,
 * append-only.
 */
class AuditLogTest {

    private static final Instant T0 = Instant.parse("2026-11-22T01:00:00Z");

    /**
     * Other tests append at the wall clock's time; searches across patients keep to the fixture's
     * hour.
     */
    private static final DateBound FIXTURE_HOUR =
            new DateBound(
                    DatePrefix.LT, micros(T0.plusSeconds(3600)), micros(T0.plusSeconds(3601)));

    private static final AuditActor CLINICIAN =
            new AuditActor("clinician", "dr-1", "Practitioner/dr-1", "Organization/rs-1");

    @TempDir static Path dir;

    private static Database db;

    /** Appends with a clock that moves one minute per record, so order is by construction. */
    private static final List<AuditRecord> written = new ArrayList<>();

    private static AuditLog log;

    @BeforeAll
    static void open() throws Exception {
        db =
                TestDatabases.openWithFixturePartitions(
                        dir.resolve("pg")); // audit partitions around the fixed clock's month
        for (int i = 0; i < 6; i++) {
            String patient = i % 2 == 0 ? "p-a" : "p-b";
            try (AuditLog at =
                    new AuditLog(
                            db.dataSource(),
                            "node-1",
                            Clock.fixed(T0.plusSeconds(60L * i), ZoneOffset.UTC))) {
                written.add(at.append(entry(patient, i)));
            }
        }
        log = new AuditLog(db.dataSource(), "node-1", Clock.systemUTC());
    }

    @AfterAll
    static void close() throws Exception {
        if (log != null) {
            log.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private static AuditEntry entry(String patient, int i) {
        return new AuditEntry(
                patient,
                i < 4 ? Interaction.SEARCH_TYPE : Interaction.READ,
                "Observation",
                i < 4 ? null : "obs-" + i,
                i < 4 ? "Observation?patient&code=http://loinc.org|8867-4" : null,
                i == 3 ? AuditOutcome.MINOR_FAILURE : AuditOutcome.SUCCESS,
                i == 3 ? "consent-required" : null,
                CLINICIAN);
    }

    @Test
    void appendedRecordReadsBackIdentically() throws SQLException {
        for (AuditRecord r : written) {
            assertEquals(Optional.of(r), log.read(r.id()));
        }
        assertEquals(Optional.empty(), log.read("x' or '1'='1"));
        assertEquals(
                "E",
                written.get(0).entry().interaction().action().code(),
                "a search is an execute action");
    }

    @Test
    void aPatientsEventsComeNewestFirstAndOnlyTheirs() throws SQLException {
        List<AuditRecord> a = log.search(new AuditSearch("p-a", List.of(), 10, 0));
        assertEquals(List.of(written.get(4), written.get(2), written.get(0)), a);
        assertEquals(List.of(), log.search(new AuditSearch("p-a' or '1'='1", List.of(), 10, 0)));
        assertEquals(
                6,
                log.search(new AuditSearch(null, List.of(FIXTURE_HOUR), 10, 0)).size(),
                "every patient's, for administrators");
    }

    @Test
    void pagesFetchOneExtraRowWhileMoreFollow() throws SQLException {
        List<AuditRecord> first = log.search(new AuditSearch("p-b", List.of(), 2, 0));
        List<AuditRecord> second = log.search(new AuditSearch("p-b", List.of(), 2, 2));
        assertEquals(List.of(written.get(5), written.get(3), written.get(1)), first);
        assertEquals(List.of(written.get(1)), second);
    }

    @Test
    void dateBoundsSelectByRecordedTime() throws SQLException {
        long t2 = micros(T0.plusSeconds(120));
        long t3 = micros(T0.plusSeconds(180));
        assertEquals(
                List.of(written.get(5), written.get(4), written.get(3), written.get(2)),
                log.search(
                        new AuditSearch(
                                null,
                                List.of(new DateBound(DatePrefix.GE, t2, t2 + 1), FIXTURE_HOUR),
                                10,
                                0)));
        assertEquals(
                List.of(written.get(1), written.get(0)),
                log.search(
                        new AuditSearch(
                                null, List.of(new DateBound(DatePrefix.LT, t2, t2 + 1)), 10, 0)));
        assertEquals(
                List.of(written.get(3), written.get(2)),
                log.search(
                        new AuditSearch(
                                null,
                                List.of(
                                        new DateBound(DatePrefix.GE, t2, t2 + 1),
                                        new DateBound(DatePrefix.LE, t3, t3 + 1)),
                                10,
                                0)));
        assertEquals(
                List.of(written.get(2)),
                log.search(
                        new AuditSearch(
                                null, List.of(new DateBound(DatePrefix.EQ, t2, t3)), 10, 0)));
    }

    @Test
    void theTrailCannotBeRewrittenOrDeleted() {
        SQLException update =
                assertThrows(
                        SQLException.class,
                        () -> Sql.execute(db.dataSource(), "update audit_events set outcome = 0"));
        assertEquals("42501", update.getSQLState());
        SQLException delete =
                assertThrows(
                        SQLException.class,
                        () ->
                                Sql.execute(
                                        db.dataSource(),
                                        "delete from audit_events where patient_id = 'p-a'"));
        assertEquals("42501", delete.getSQLState());
        assertTrue(
                written.stream()
                        .allMatch(
                                r -> {
                                    try {
                                        return log.read(r.id()).isPresent();
                                    } catch (SQLException e) {
                                        throw new AssertionError(e);
                                    }
                                }));
    }

    @Test
    void concurrentAppendsAreEachCommittedBeforeTheyReturn() throws Exception {
        int threads = 16;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<String>>> missing = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int n = t;
                missing.add(
                        pool.submit(
                                () -> {
                                    List<String> notVisible = new ArrayList<>();
                                    for (int i = 0; i < each; i++) {
                                        AuditRecord r = log.append(entry("p-c" + n, 4));
                                        // another connection sees it at once: append returned only
                                        // after the commit
                                        if (Sql.count(
                                                        db.dataSource(),
                                                        "select count(*) from audit_events where id = ?",
                                                        r.id())
                                                != 1) {
                                            notVisible.add(r.id());
                                        }
                                    }
                                    return notVisible;
                                }));
            }
            for (Future<List<String>> f : missing) {
                assertEquals(List.of(), f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(
                threads * each,
                Sql.count(
                        db.dataSource(),
                        "select count(*) from audit_events where patient_id like 'p-c%'"));
    }

    @Test
    void anAppendTheDatabaseRefusesThrowsAndLaterOnesSucceed() throws Exception {
        Sql.execute(
                db.dataSource(),
                "create function refuse() returns trigger language plpgsql as $$ begin "
                        + "if new.patient_id = 'p-refused' then raise exception 'refused' using errcode = '53100'; end if; "
                        + "return new; end $$");
        Sql.execute(
                db.dataSource(),
                "create trigger refuse before insert on audit_events for each row execute function refuse()");
        try {
            SQLException e =
                    assertThrows(SQLException.class, () -> log.append(entry("p-refused", 4)));
            assertEquals("53100", e.getSQLState());
        } finally {
            Sql.execute(db.dataSource(), "drop trigger refuse on audit_events");
        }
        assertEquals(
                0,
                Sql.count(
                        db.dataSource(),
                        "select count(*) from audit_events where patient_id = 'p-refused'"));
        assertTrue(log.read(log.append(entry("p-after", 4)).id()).isPresent());
    }

    @Test
    void aClosedLogRefusesToAppend() {
        AuditLog closed = new AuditLog(db.dataSource(), "node-1", Clock.systemUTC());
        closed.close();
        assertThrows(SQLException.class, () -> closed.append(entry("p-closed", 4)));
        AuditLog.Pending ahead = closed.appendAhead(entry("p-closed", 4));
        assertThrows(SQLException.class, ahead::await);
    }

    @Test
    void aRecordStartedAheadIsCommittedOnceAwaitedAndARefusedOneThrowsThere() throws Exception {
        AuditLog.Pending ahead = log.appendAhead(entry("p-ahead", 4));
        ahead.await();
        assertEquals(Optional.of(ahead.record()), log.read(ahead.record().id()));

        Sql.execute(
                db.dataSource(),
                "create function refuse_ahead() returns trigger language plpgsql as $$ begin "
                        + "raise exception 'refused' using errcode = '53100'; end $$");
        Sql.execute(
                db.dataSource(),
                "create trigger refuse_ahead before insert on audit_events for each row execute function refuse_ahead()");
        AuditLog.Pending refused;
        try {
            refused = log.appendAhead(entry("p-ahead-refused", 4));
            SQLException e = assertThrows(SQLException.class, refused::await);
            assertEquals("53100", e.getSQLState());
        } finally {
            Sql.execute(db.dataSource(), "drop trigger refuse_ahead on audit_events");
            Sql.execute(db.dataSource(), "drop function refuse_ahead()");
        }
        assertEquals(Optional.empty(), log.read(refused.record().id()));
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L;
    }
}

package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.store.fixtures.Readings.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.db.SchemaMaintenance;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

class JournalDrainerTest {

    @TempDir static Path shared;

    @TempDir Path journalDir;

    private static Database db;
    private final RecordingListener listener = new RecordingListener();
    private Journal journal;
    private JournalDrainer drainer;
    private String patient;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabases.openWithFixturePartitions(shared.resolve("pg"));
    }

    @AfterAll
    static void closeDatabase() throws Exception {
        if (db != null) {
            db.close();
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
    }

    /** Each test stores under its own patient, so counts are not disturbed by the other tests. */
    @BeforeEach
    void openJournal(TestInfo test) throws Exception {
        patient = "p-" + test.getTestMethod().orElseThrow().getName();
        journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()));
    }

    @Test
    void appendedBatchesAreStoredAndTheCheckpointFollows() throws Exception {
        startDrainer(1_000);
        journal.append(
                batch(
                        patient,
                        "dev-1",
                        List.of(
                                heartRate("a", "2026-11-22T07:00:00+07:00", 70),
                                heartRate("b", "2026-11-22T07:01:00+07:00", 71))));
        journal.append(
                batch(
                        patient,
                        "dev-2",
                        List.of(
                                steps(
                                        "c",
                                        "2026-11-22T08:00:00+07:00",
                                        "2026-11-22T09:00:00+07:00",
                                        900))));
        long last =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("d", "2026-11-22T07:02:00+07:00", 72))));

        Poll.until("the last batch is stored", () -> drainer.checkpoint() == last);

        assertEquals(4, storedReadings());
        assertEquals(4, listener.inserted.get());
        assertEquals(
                last,
                Sql.count(
                        db.dataSource(),
                        "select last_index from journal_checkpoints where journal_id = ?",
                        journal.id()));
        assertEquals(
                0,
                Sql.count(
                        db.dataSource(),
                        "select count(*) from devices where patient_id = ?",
                        patient),
                "devices are inside the sealed readings, not in a plaintext table");
        assertTrue(drainer.isHealthy());
    }

    @Test
    void sameBatchAppendedTwiceIsStoredOnce() throws Exception {
        JournalBatch twice =
                batch(
                        patient,
                        "dev-1",
                        List.of(
                                heartRate("a", "2026-11-22T07:00:00+07:00", 70),
                                heartRate("b", "2026-11-22T07:01:00+07:00", 71)));
        journal.append(twice);
        long last = journal.append(twice);
        startDrainer(1_000);

        Poll.until("both copies are drained", () -> drainer.checkpoint() == last);

        assertEquals(List.of(4), listener.readingsPerWrite, "both copies went in one write");
        assertEquals(2, listener.inserted.get());
        assertEquals(2, storedReadings());
    }

    @Test
    void batchResentAfterItWasStoredIsStoredOnce() throws Exception {
        JournalBatch resent =
                batch(patient, "dev-1", List.of(heartRate("a", "2026-11-22T07:00:00+07:00", 70)));
        startDrainer(1_000);
        long first = journal.append(resent);
        Poll.until("the first copy is stored", () -> drainer.checkpoint() == first);
        long second = journal.append(resent);
        Poll.until("the second copy is drained", () -> drainer.checkpoint() == second);

        assertEquals(List.of(1, 1), listener.readingsPerWrite);
        assertEquals(1, listener.inserted.get());
        assertEquals(1, storedReadings());
    }

    @Test
    void writesHoldAtMostMaxReadingsPerWriteUnlessOneBatchIsLarger() throws Exception {
        for (int i = 0; i < 3; i++) {
            journal.append(
                    batch(
                            patient,
                            "dev-1",
                            List.of(
                                    heartRate(
                                            "small-" + i,
                                            "2026-11-22T07:0" + i + ":00+07:00",
                                            70))));
        }
        long last =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(
                                        heartRate("big-1", "2026-11-22T08:00:00+07:00", 70),
                                        heartRate("big-2", "2026-11-22T08:01:00+07:00", 70),
                                        heartRate("big-3", "2026-11-22T08:02:00+07:00", 70))));
        startDrainer(2);

        Poll.until("everything is drained", () -> drainer.checkpoint() == last);

        assertEquals(List.of(2, 4), listener.readingsPerWrite);
        assertEquals(6, storedReadings());
    }

    @Test
    void reopenedJournalResumesAfterItsCheckpointWithoutStoringAgain() throws Exception {
        startDrainer(1_000);
        journal.append(
                batch(patient, "dev-1", List.of(heartRate("a", "2026-11-22T07:00:00+07:00", 70))));
        long stored =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("b", "2026-11-22T07:01:00+07:00", 71))));
        Poll.until("the first run drained", () -> drainer.checkpoint() == stored);
        String id = journal.id();
        drainer.close();
        journal.close();

        journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()));
        RecordingListener second = new RecordingListener();
        drainer = new JournalDrainer(journal, db.dataSource(), second, 1_000);
        drainer.start();
        Poll.until("the checkpoint is read back", () -> drainer.checkpoint() == stored);
        long next =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("c", "2026-11-22T07:02:00+07:00", 72))));
        Poll.until("the new batch is stored", () -> drainer.checkpoint() == next);

        assertEquals(id, journal.id(), "the journal keeps its id across restarts");
        assertEquals(
                List.of(1),
                second.readingsPerWrite,
                "only the new batch was read from the journal");
        assertEquals(3, storedReadings());
        assertEquals(0, journal.pendingReadings());
    }

    @Test
    void pendingReadingsCountsWhatIsNotStoredAndReturnsToZero() throws Exception {
        journal.append(
                batch(
                        patient,
                        "dev-1",
                        List.of(
                                heartRate("a", "2026-11-22T07:00:00+07:00", 70),
                                heartRate("b", "2026-11-22T07:01:00+07:00", 71))));
        long last =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("c", "2026-11-22T07:02:00+07:00", 72))));
        assertEquals(3, journal.pendingReadings());

        startDrainer(1_000);
        Poll.until("everything is drained", () -> drainer.checkpoint() == last);

        assertEquals(0, journal.pendingReadings());
    }

    @Test
    void backlogOfAPreviousRunIsPendingAndRetriedWhileTheDatabaseRefusesIt() throws Exception {
        // no partition holds 1990 yet, so the database refuses these readings until one is created
        journal.append(
                batch(patient, "dev-1", List.of(heartRate("a", "1990-01-15T07:00:00+07:00", 70))));
        long last =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("b", "1990-01-15T07:01:00+07:00", 71))));
        journal.close();

        journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()));
        startDrainer(1_000);
        Poll.until("a write has failed", () -> listener.failedWrites.get() > 0);
        assertEquals(2, journal.pendingReadings());
        assertFalse(drainer.isHealthy());
        assertEquals(-1, drainer.checkpoint());

        new SchemaMaintenance(db.dataSource(), TestDatabases.embedded(shared.resolve("pg")))
                .run(Instant.parse("1990-01-15T00:00:00Z"));
        Poll.until("the backlog is stored", () -> drainer.checkpoint() == last);

        assertEquals(2, storedReadings());
        assertEquals(0, journal.pendingReadings());
        assertTrue(drainer.isHealthy());
    }

    @Test
    void closeStopsTheDrainerThread() throws Exception {
        startDrainer(1_000);
        Poll.until("the drainer runs", () -> drainer.isHealthy());

        drainer.close();

        assertFalse(drainer.isHealthy(), "a closed drainer is not healthy: its thread has ended");
        assertTrue(
                Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().equals("journal-drainer") && t.isAlive()),
                "no drainer thread is left running");
    }

    private void startDrainer(int maxReadingsPerWrite) {
        drainer = new JournalDrainer(journal, db.dataSource(), listener, maxReadingsPerWrite);
        drainer.start();
    }

    private long storedReadings() throws SQLException {
        return Sql.count(
                db.dataSource(),
                "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = ?",
                patient);
    }
}

package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Journal cycle files are deleted once every record in them is stored, and never before. */
class JournalPruningTest {

    private static final long DAY = Duration.ofDays(1).toMillis();

    @TempDir Path dir;

    @Test
    void storedDaysAreDeletedTheCurrentDayIsKeptAndNothingIsLostAcrossARestart() throws Exception {
        Path journalDir = dir.resolve("journal");
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-11-20T10:00:00Z"));
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            RecordingListener listener = new RecordingListener();
            Journal journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()), time);
            // the first day as an earlier version wrote it: plaintext, which must not outlive its
            // draining
            journal.appendVersion2(
                    batch(
                            "p-prune",
                            "dev-1",
                            List.of(heartRate("d0", "2026-11-22T07:00:00+07:00", 70))));
            time.advanceMillis(DAY);
            long last = 0;
            for (int day = 1; day < 3; day++) {
                last =
                        journal.append(
                                batch(
                                        "p-prune",
                                        "dev-1",
                                        List.of(
                                                heartRate(
                                                        "d" + day,
                                                        "2026-11-22T07:0" + day + ":00+07:00",
                                                        70))));
                time.advanceMillis(DAY);
            }
            assertEquals(
                    List.of("20261120F.cq4", "20261121F.cq4", "20261122F.cq4"),
                    cycleFiles(journalDir),
                    "one file per day");
            JournalDrainer drainer = new JournalDrainer(journal, db.dataSource(), listener, 1);
            drainer.start();
            long stored = last;
            Poll.until("all three days are stored", () -> drainer.checkpoint() == stored);
            Poll.until(
                    "the first two days' files are deleted",
                    () -> cycleFiles(journalDir).size() == 1);
            assertEquals(
                    List.of("20261122F.cq4"),
                    cycleFiles(journalDir),
                    "the checkpoint's day is kept");
            assertEquals(2, listener.filesDeleted.get());
            drainer.close();
            journal.close();

            journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()), time);
            JournalDrainer again = new JournalDrainer(journal, db.dataSource(), listener, 1000);
            again.start();
            try {
                long next =
                        journal.append(
                                batch(
                                        "p-prune",
                                        "dev-1",
                                        List.of(heartRate("d3", "2026-11-22T07:03:00+07:00", 71))));
                Poll.until(
                        "the journal resumes after its checkpoint",
                        () -> again.checkpoint() == next);
                assertEquals(0, journal.pendingReadings());
                Poll.until(
                        "the day before the one being written goes once stored",
                        () -> cycleFiles(journalDir).equals(List.of("20261123F.cq4")));
            } finally {
                again.close();
                journal.close();
            }
            assertEquals(
                    4,
                    Sql.count(
                            db.dataSource(),
                            "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-prune'"));
            assertEquals(4, listener.inserted.get(), "nothing replayed twice, nothing lost");
        }
    }

    @Test
    void daysNotYetStoredAreKeptWhileTheDatabaseIsAwayAndDeletedOnceDrained() throws Exception {
        Path journalDir = dir.resolve("journal");
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-11-20T10:00:00Z"));
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            ReadingCrypto crypto = TestCrypto.of(db.dataSource());
            Journal journal = Journal.open(journalDir, false, crypto, time);
            long first = -1;
            for (int day = 0; day < 3; day++) {
                long index =
                        journal.append(
                                batch(
                                        "p-kept",
                                        "dev-1",
                                        List.of(
                                                heartRate(
                                                        "k" + day,
                                                        "2026-11-22T07:0" + day + ":00+07:00",
                                                        70))));
                first = first < 0 ? index : first;
                time.advanceMillis(DAY);
            }
            RecordingListener listener = new RecordingListener();
            try (HikariDataSource away = unreachableDatabase()) {
                JournalDrainer drainer = new JournalDrainer(journal, away, listener, 1);
                drainer.start();
                Poll.until("the drainer notices the database is away", () -> !drainer.isHealthy());
                drainer.close();
            }
            assertEquals(3, cycleFiles(journalDir).size(), "nothing unstored is deleted");
            assertEquals(0, journal.deleteStoredCycles(-1), "no checkpoint: nothing is stored");
            assertEquals(
                    0,
                    journal.deleteStoredCycles(first),
                    "the first day is stored only up to its first record");
            assertEquals(3, cycleFiles(journalDir).size());
            journal.close();

            Journal reopened = Journal.open(journalDir, false, crypto, time);
            JournalDrainer drainer = new JournalDrainer(reopened, db.dataSource(), listener, 1);
            drainer.start();
            try {
                Poll.until(
                        "everything is stored",
                        () -> reopened.pendingReadings() == 0 && drainer.checkpoint() >= 0);
                Poll.until(
                        "the stored days are deleted",
                        () -> cycleFiles(journalDir).equals(List.of("20261122F.cq4")));
            } finally {
                drainer.close();
                reopened.close();
            }
            assertEquals(
                    3,
                    Sql.count(
                            db.dataSource(),
                            "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-kept'"));
        }
    }

    private static HikariDataSource unreachableDatabase() throws IOException {
        int port = Ports.free();
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
        hc.setUsername("postgres");
        hc.setMaximumPoolSize(1);
        hc.setConnectionTimeout(250);
        hc.setInitializationFailTimeout(-1);
        return new HikariDataSource(hc);
    }

    private static List<String> cycleFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".cq4"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

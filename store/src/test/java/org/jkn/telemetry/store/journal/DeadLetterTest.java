package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.store.fixtures.Readings.oxygen;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A trigger on {@code reading_blocks} refuses chosen patients' rows with a chosen SQLSTATE, as a
 * real PostgreSQL would for a constraint, a bad value or a failing server. Refusals of the data go
 * to the dead letters and the drainer moves on; every other failure is retried until it passes, and
 * nothing is dead-lettered.
 */
class DeadLetterTest {

    @TempDir static Path shared;

    @TempDir Path journalDir;

    private static Database db;
    private final RecordingListener listener = new RecordingListener();
    private Journal journal;
    private JournalDrainer drainer;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabases.openWithFixturePartitions(shared.resolve("pg"));
        // patients named refuse-<SQLSTATE>-... are refused with that state every time; those named
        // flaky-<SQLSTATE>-... for the first two attempts only (a sequence is not rolled back)
        Sql.execute(
                db.dataSource(),
                "create sequence flaky_attempts;"
                        + " create function refuse_chosen() returns trigger language plpgsql as $$"
                        + " begin"
                        + "   if new.patient_id like 'refuse-%' then"
                        + "     raise exception 'refused on purpose' using errcode = split_part(new.patient_id, '-', 2),"
                        + "       constraint = 'refuse_chosen';"
                        + "   end if;"
                        + "   if new.patient_id like 'flaky-%' and nextval('flaky_attempts') <= 2 then"
                        + "     raise exception 'failing on purpose' using errcode = split_part(new.patient_id, '-', 2);"
                        + "   end if;"
                        + "   return new;"
                        + " end $$;"
                        + " create trigger refuse_chosen before insert or update on reading_blocks"
                        + " for each row execute function refuse_chosen();");
    }

    @AfterAll
    static void closeDatabase() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void openJournal() throws Exception {
        Sql.execute(
                db.dataSource(),
                "delete from dead_letters; select setval('flaky_attempts', 1, false)");
        journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()));
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

    @ParameterizedTest(name = "SQLSTATE {0}")
    @ValueSource(
            strings = {
                "09000", "20000", "21000", "22003", "22P02", "23505", "23514", "27000", "2F005",
                "38001", "39P01", "44000", "54000", "P0001"
            })
    void aRecordTheDatabaseRefusesIsDeadLetteredAndTheOthersAreStored(String sqlState)
            throws Exception {
        String good = "good-" + sqlState;
        String refused = "refuse-" + sqlState + "-patient";
        journal.append(batch(good, "dev-1", List.of(heartRate("g1", "2026-11-22T07:00:00Z", 70))));
        long poisoned =
                journal.append(
                        batch(
                                refused,
                                "dev-1",
                                List.of(
                                        heartRate("secret-id-1", "2026-11-22T07:01:00Z", 71),
                                        heartRate("secret-id-2", "2026-11-22T07:02:00Z", 72))));
        long last =
                journal.append(
                        batch(good, "dev-1", List.of(heartRate("g2", "2026-11-22T07:03:00Z", 73))));
        startDrainer();

        Poll.until("the drainer moves past the refused record", () -> drainer.checkpoint() == last);

        assertEquals(2, readingsOf(good));
        assertEquals(0, readingsOf(refused));
        assertEquals(0, journal.pendingReadings());
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "select journal_index, reason, sqlstate, readings, record, times_seen"
                                        + " from dead_letters where patient_id = ?")) {
            ps.setString(1, refused);
            try (ResultSet r = ps.executeQuery()) {
                assertTrue(r.next(), "a dead letter is kept");
                assertEquals(poisoned, r.getLong(1));
                assertEquals(DeadLetters.DB_REFUSED, r.getString(2));
                assertEquals(sqlState, r.getString(3));
                assertEquals(2, r.getInt(4));
                byte[] record = r.getBytes(5);
                assertNotNull(record, "the record is kept, sealed");
                assertFalse(
                        new String(record, StandardCharsets.ISO_8859_1).contains("secret-id"),
                        "nothing readable about a reading is in clear");
                assertEquals(1, r.getInt(6));
                assertFalse(r.next());
            }
        }
    }

    @ParameterizedTest(name = "SQLSTATE {0}")
    @ValueSource(
            strings = {
                "08006", "0A000", "23514", "25006", "28000", "3D000", "3F000", "40001", "40P01",
                "42501", "53100", "53200", "53300", "55P03", "57014", "58030", "XX000"
            })
    void aFailureRetryingCanFixIsRetriedAndNeverDeadLettered(String sqlState) throws Exception {
        String flaky = "flaky-" + sqlState + "-patient";
        long last =
                journal.append(
                        batch(
                                flaky,
                                "dev-1",
                                List.of(heartRate("f1", "2026-11-22T07:00:00Z", 70))));
        startDrainer();

        Poll.until(
                "the record is stored once the failures stop", () -> drainer.checkpoint() == last);

        assertEquals(1, readingsOf(flaky));
        assertTrue(listener.failedWrites.get() >= 2, "both failed attempts were reported");
        assertEquals(0, Sql.count(db.dataSource(), "select count(*) from dead_letters"));
    }

    @Test
    void aDeadLetterIsReplayedAfterTheFixAndPurged() throws Exception {
        String refused = "refuse-23514-replayed";
        String purged = "refuse-23514-purged";
        journal.append(
                batch(refused, "dev-1", List.of(heartRate("r1", "2026-11-22T07:00:00Z", 70))));
        long last =
                journal.append(
                        batch(
                                purged,
                                "dev-1",
                                List.of(heartRate("r2", "2026-11-22T07:00:00Z", 70))));
        startDrainer();
        Poll.until("both records are dead-lettered", () -> drainer.checkpoint() == last);
        DeadLetters letters = new DeadLetters(db.dataSource(), TestCrypto.of(db.dataSource()));
        List<DeadLetters.Entry> entries = letters.list(0, 10);
        assertEquals(2, entries.size());
        assertEquals(2, letters.totals()[1]);

        // still refused: counted again, kept
        assertEquals(DeadLetters.Replay.REFUSED, letters.replay(entries.get(0).id()));
        assertEquals(2, letters.list(0, 10).get(0).timesSeen());

        // the fix: the trigger stops refusing this patient
        Sql.execute(db.dataSource(), "alter table reading_blocks disable trigger refuse_chosen");
        try {
            assertEquals(DeadLetters.Replay.STORED, letters.replay(entries.get(0).id()));
        } finally {
            Sql.execute(db.dataSource(), "alter table reading_blocks enable trigger refuse_chosen");
        }
        assertEquals(1, readingsOf(refused));
        assertEquals(DeadLetters.Replay.NOT_FOUND, letters.replay(entries.get(0).id()));

        assertTrue(letters.purge(entries.get(1).id()));
        assertFalse(letters.purge(entries.get(1).id()));
        assertEquals(0, letters.totals()[0]);
        assertNull(listOrNull(letters));
    }

    @Test
    void aStoredBlockThatDoesNotOpenDeadLettersTheRecordsForItAndOtherBlocksAreStored()
            throws Exception {
        String patient = "block-tampered";
        long first =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("b1", "2026-11-22T07:00:00Z", 70))));
        startDrainer();
        Poll.until("the block is stored", () -> drainer.checkpoint() == first);
        // one bit of the stored block's tag flipped, as a damaged disk or a row copied by hand
        // would leave it: merging into it needs its contents, which no longer authenticate
        Sql.execute(
                db.dataSource(),
                "update reading_blocks set sealed = set_byte(sealed, length(sealed) - 1,"
                        + " get_byte(sealed, length(sealed) - 1) # 1) where patient_id = '"
                        + patient
                        + "'");

        long intoDamaged =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("b2", "2026-11-22T07:01:00Z", 71))));
        long otherBlock =
                journal.append(
                        batch(patient, "dev-1", List.of(oxygen("b3", "2026-11-22T07:02:00Z", 97))));
        Poll.until(
                "the drainer moves past the record for the damaged block",
                () -> drainer.checkpoint() == otherBlock);
        long laterIntoDamaged =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("b4", "2026-11-22T07:03:00Z", 72))));
        Poll.until(
                "and past a later one for the same block",
                () -> drainer.checkpoint() == laterIntoDamaged);

        assertEquals(
                List.of(intoDamaged, laterIntoDamaged),
                deadLetterIndexes(patient, CryptoFailure.DECRYPTION_FAILED));
        assertEquals(
                0,
                Sql.count(
                        db.dataSource(),
                        "select count(*) from dead_letters where sqlstate is not null"));
        assertEquals(
                2,
                Sql.count(
                        db.dataSource(),
                        "select count(*) from reading_blocks where patient_id = ?",
                        patient),
                "the damaged block, left as it was, and the other block");
        assertEquals(2, readingsOf(patient), "b1 in the damaged block and b3 in the other");
        assertEquals(0, journal.pendingReadings());
    }

    @Test
    void aJournalRecordThatDoesNotOpenUnderItsKeyIsDeadLetteredAndTheDrainerMovesOn()
            throws Exception {
        String patient = "record-tampered";
        long genuine =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("j1", "2026-11-22T07:00:00Z", 70))));
        byte[] record = journal.recordBytes(genuine);
        record[record.length - 1] ^= 1; // the last byte of the batch's tag
        journal.close();
        long tampered = appendRaw(journalDir, record);
        journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()));
        long last =
                journal.append(
                        batch(
                                patient,
                                "dev-1",
                                List.of(heartRate("j2", "2026-11-22T07:01:00Z", 71))));
        startDrainer();

        Poll.until(
                "the drainer moves past the record that does not open",
                () -> drainer.checkpoint() == last);

        assertEquals(List.of(tampered), listener.corruptIndexes);
        assertEquals(
                List.of(tampered), deadLetterIndexes(patient, CryptoFailure.DECRYPTION_FAILED));
        assertEquals(
                1,
                Sql.count(
                        db.dataSource(),
                        "select count(*) from dead_letters where journal_index = ?"
                                + " and readings = 1 and sqlstate is null and record is not null",
                        tampered),
                "kept sealed, with its reading count");
        assertEquals(2, readingsOf(patient), "the records before and after it are stored");
        assertEquals(0, journal.pendingReadings());
    }

    /** Journal indexes of the patient's dead letters with this reason, in order. */
    private static List<Long> deadLetterIndexes(String patient, String reason) throws Exception {
        List<Long> indexes = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "select journal_index from dead_letters where patient_id = ?"
                                        + " and reason = ? order by journal_index")) {
            ps.setString(1, patient);
            ps.setString(2, reason);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    indexes.add(r.getLong(1));
                }
            }
        }
        return indexes;
    }

    /** Appends {@code record} as it is, straight through Chronicle; returns its index. */
    private static long appendRaw(Path dir, byte[] record) {
        try (ChronicleQueue queue =
                        SingleChronicleQueueBuilder.single(dir.toFile())
                                .rollCycle(RollCycles.FAST_DAILY)
                                .build();
                ExcerptAppender appender = queue.createAppender()) {
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().write(record);
            }
            return appender.lastIndexAppended();
        }
    }

    private static List<DeadLetters.Entry> listOrNull(DeadLetters letters) throws Exception {
        List<DeadLetters.Entry> all = letters.list(0, 10);
        return all.isEmpty() ? null : all;
    }

    private void startDrainer() {
        drainer = new JournalDrainer(journal, db.dataSource(), listener, 1_000);
        drainer.start();
    }

    private static long readingsOf(String patient) throws Exception {
        return Sql.count(
                db.dataSource(),
                "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = ?",
                patient);
    }
}

package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.bloodPressure;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.store.fixtures.Readings.micros;
import static org.jkn.telemetry.store.fixtures.Readings.oxygen;
import static org.jkn.telemetry.store.fixtures.Readings.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.store.crypto.SealedRecords;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.Readings;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.query.ObservationIds;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Journal to database: what goes into the journal comes out of the readings table unchanged. */
class JournalRoundTripTest {

    @TempDir static Path shared;

    @TempDir Path journalDir;

    private static Database db;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabases.openWithFixturePartitions(shared.resolve("pg"));
    }

    @AfterAll
    static void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void everyFieldOfEveryReadingTypeReachesTheDatabase() throws Exception {
        JournalBatch sent =
                new JournalBatch(
                        "p-roundtrip",
                        new DeviceInfo("dev-rt", "Acme", "Band 2"),
                        micros("2026-11-22T12:00:00.123456Z"),
                        List.of(
                                heartRate("hr-1", "2026-11-22T07:30:00.000001+07:00", 72),
                                steps(
                                        "st-1",
                                        "2026-11-22T08:00:00+07:00",
                                        "2026-11-22T09:00:00+07:00",
                                        4321),
                                bloodPressure("bp-1", "2026-11-22T10:00:00-03:30", 120.5, 80.25),
                                oxygen(
                                        "ox-1",
                                        "2026-11-22T11:00:00.999999+05:45",
                                        97.123456789012)));
        RecordingListener listener = new RecordingListener();
        Journal journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()));
        JournalDrainer drainer = startDrainer(journal, listener);
        try {
            journal.append(sent);
            Poll.until("the batch is stored", () -> listener.readings.get() == 4);
        } finally {
            drainer.close();
            journal.close();
        }

        List<StoredReading> stored =
                new ReadingQueries(
                                db.dataSource(), TestCrypto.of(db.dataSource()), Duration.ofDays(1))
                        .search(
                                new ObservationSearch(
                                        "p-roundtrip", List.of(), List.of(), true, 10, 0));
        assertEquals(4, stored.size());
        List<NormalizedReading> expected =
                sent.readings().stream()
                        .sorted(Comparator.comparingLong(NormalizedReading::startMicros))
                        .toList();
        for (int i = 0; i < expected.size(); i++) {
            NormalizedReading r = expected.get(i);
            StoredReading s = stored.get(i);
            assertEquals(
                    ObservationIds.id(
                            r.startMicros(),
                            TestCrypto.rowKey("p-roundtrip", "dev-rt", r.readingId()),
                            r.type(),
                            ObservationIds.patientTag("p-roundtrip")),
                    s.observationId());
            assertEquals("p-roundtrip", s.patientId());
            assertEquals("dev-rt", s.deviceId());
            assertEquals("Acme", s.manufacturer());
            assertEquals("Band 2", s.model());
            assertEquals(r.type(), s.type());
            assertEquals(r.startMicros(), s.startMicros(), r.readingId());
            assertEquals(r.endMicros(), s.endMicros(), r.readingId());
            assertEquals(r.offsetSeconds(), s.offsetSeconds(), r.readingId());
            assertEquals(r.value(), s.value(), 0.0, r.readingId());
            assertEquals(
                    r.diastolic(),
                    s.diastolic(),
                    0.0,
                    r.readingId()); // NaN stays NaN (null in the table)
            assertEquals(sent.receivedMicros(), s.receivedMicros());
        }
    }

    @Test
    void recordsOfEveryEarlierVersionAreDrainedIntoBlocksAndAReSentReadingIsStoredOnce()
            throws Exception {
        RecordingListener listener = new RecordingListener();
        Journal journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()));
        JournalDrainer drainer = startDrainer(journal, listener);
        try {
            journal.appendVersion2(
                    Readings.batch(
                            "p-versions",
                            "dev-1",
                            List.of(heartRate("v2", "2026-11-22T07:00:00+07:00", 61))));
            journal.appendVersion3(
                    Readings.batch(
                            "p-versions",
                            "dev-1",
                            List.of(
                                    heartRate("v3", "2026-11-22T07:01:00+07:00", 62),
                                    steps(
                                            "v3-steps",
                                            "2026-11-22T06:30:00+07:00",
                                            "2026-11-22T07:30:00+07:00",
                                            900))));
            // the previous version's record of a reading that is re-sent after the upgrade
            journal.appendVersion3(
                    Readings.batch(
                            "p-versions",
                            "dev-1",
                            List.of(heartRate("again", "2026-11-22T07:02:00+07:00", 63))));
            long last =
                    journal.append(
                            Readings.batch(
                                    "p-versions",
                                    "dev-1",
                                    List.of(
                                            heartRate("again", "2026-11-22T07:02:00+07:00", 63),
                                            heartRate("v4", "2026-11-22T07:03:00+07:00", 64))));
            Poll.until("every record is stored", () -> drainer.checkpoint() == last);
            assertEquals(List.of(), listener.corruptIndexes);
        } finally {
            drainer.close();
            journal.close();
        }
        List<StoredReading> stored =
                new ReadingQueries(
                                db.dataSource(), TestCrypto.of(db.dataSource()), Duration.ofDays(1))
                        .search(
                                new ObservationSearch(
                                        "p-versions", List.of(), List.of(), true, 10, 0));
        assertEquals(List.of("v3-steps", "v2", "v3", "again", "v4"), readingIds(stored));
        assertEquals(
                List.of(900.0, 61.0, 62.0, 63.0, 64.0),
                stored.stream().map(StoredReading::value).toList());
    }

    /** The reading id behind each Observation, recovered by matching its row key. */
    private static List<String> readingIds(List<StoredReading> stored) {
        List<String> candidates = List.of("v2", "v3", "v3-steps", "again", "v4");
        return stored.stream()
                .map(
                        r ->
                                candidates.stream()
                                        .filter(
                                                c ->
                                                        r.observationId()
                                                                .contains(
                                                                        TestCrypto.rowKey(
                                                                                "p-versions",
                                                                                "dev-1",
                                                                                c)))
                                        .findFirst()
                                        .orElse("?"))
                .toList();
    }

    @Test
    void corruptRecordIsDeadLetteredWithoutBlockingLaterRecords() throws Exception {
        long before;
        try (Journal journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()))) {
            before =
                    journal.append(
                            Readings.batch(
                                    "p-corrupt",
                                    "dev-1",
                                    List.of(heartRate("before", "2026-11-22T07:00:00+07:00", 70))));
        }
        long corrupt = appendRecordOfAFutureVersion(journalDir);
        RecordingListener listener = new RecordingListener();
        Journal journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()));
        JournalDrainer drainer = startDrainer(journal, listener);
        try {
            long after =
                    journal.append(
                            Readings.batch(
                                    "p-corrupt",
                                    "dev-1",
                                    List.of(heartRate("after", "2026-11-22T07:05:00+07:00", 71))));
            Poll.until(
                    "the record after the corrupt one is stored",
                    () -> drainer.checkpoint() == after);

            assertEquals(List.of(corrupt), listener.corruptIndexes);
            assertNotEquals(before, corrupt);
            assertEquals(
                    1,
                    Sql.count(
                            db.dataSource(),
                            "select count(*) from dead_letters where journal_index = ? and reason = 'undecodable'",
                            corrupt));
            assertEquals(2, listener.inserted.get());
            assertEquals(
                    2,
                    Sql.count(
                            db.dataSource(),
                            "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-corrupt'"));
        } finally {
            drainer.close();
            journal.close();
        }
    }

    private static JournalDrainer startDrainer(Journal journal, DrainListener listener) {
        JournalDrainer drainer = new JournalDrainer(journal, db.dataSource(), listener, 1_000);
        drainer.start();
        return drainer;
    }

    /** Writes a record as a newer release might, straight through Chronicle; returns its index. */
    private static long appendRecordOfAFutureVersion(Path dir) {
        try (ChronicleQueue queue =
                        SingleChronicleQueueBuilder.single(dir.toFile())
                                .rollCycle(RollCycles.FAST_DAILY)
                                .build();
                ExcerptAppender appender = queue.createAppender()) {
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> bytes = dc.wire().bytes();
                bytes.writeUnsignedByte(SealedRecords.VERSION + 1);
                bytes.writeUtf8("a layout this code does not know");
            }
            return appender.lastIndexAppended();
        }
    }
}

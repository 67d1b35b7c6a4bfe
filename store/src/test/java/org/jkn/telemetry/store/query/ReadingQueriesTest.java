package org.jkn.telemetry.store.query;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.bloodPressure;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.store.fixtures.Readings.micros;
import static org.jkn.telemetry.store.fixtures.Readings.oxygen;
import static org.jkn.telemetry.store.fixtures.Readings.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.copy.ReadingCopier;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search and read as the FHIR API uses them. The steps reading covers 08:00-09:00 (+07:00), the
 * heart rate and oxygen readings are instants at 07:30, the blood pressure was sent at -03:30.
 */
class ReadingQueriesTest {

    private static final String PATIENT = "p-query";
    private static final String OTHER = "p-other";
    private static final String INJECTION = "x' or '1'='1";

    @TempDir
    static Path dir;

    private static Database db;
    private static ReadingQueries queries;

    @BeforeAll
    static void storeReadings() throws Exception {
        db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"));
        queries = new ReadingQueries(db.dataSource(), Duration.ofDays(1));
        ReadingCopier copier = new ReadingCopier(db.dataSource());
        for (String patient : List.of(PATIENT, OTHER)) {
            double bump = patient.equals(PATIENT) ? 0 : 1;
            copier.write(List.of(batch(patient, "dev-q", List.of(
                    heartRate("hr-1", "2026-11-22T07:30:00+07:00", 72 + bump),
                    oxygen("ox-1", "2026-11-22T07:30:00+07:00", 97 + bump),
                    steps("st-1", "2026-11-22T08:00:00+07:00", "2026-11-22T09:00:00+07:00", 4321 + bump),
                    bloodPressure("bp-1", "2026-11-22T10:00:00-03:30", 120 + bump, 80)))), "query-test", 1);
        }
        copier.write(List.of(batch("p-long", "dev-q", List.of(
                steps("st-day", "2026-11-21T09:00:00+07:00", "2026-11-22T09:00:00+07:00", 20_000)))), "query-test", 2);
    }

    @AfterAll
    static void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void eqMatchesReadingsWhoseWholeRangeLiesInTheSearchedRange() throws SQLException {
        assertEquals(List.of("st-1"), stepsMatching(bound(DatePrefix.EQ, "2026-11-22T00:00:00+07:00", "2026-11-23T00:00:00+07:00")));
        assertEquals(List.of(), stepsMatching(bound(DatePrefix.EQ, "2026-11-22T08:00:00+07:00", "2026-11-22T08:01:00+07:00")));
        // the hour 08 ends before 09:00:00, when the period ends
        assertEquals(List.of(), stepsMatching(bound(DatePrefix.EQ, "2026-11-22T08:00:00+07:00", "2026-11-22T09:00:00+07:00")));

        assertEquals(List.of("hr-1"), heartRateMatching(bound(DatePrefix.EQ, "2026-11-22T07:30:00+07:00", "2026-11-22T07:31:00+07:00")));
        assertEquals(List.of(), heartRateMatching(bound(DatePrefix.EQ, "2026-11-22T07:31:00+07:00", "2026-11-22T07:32:00+07:00")));
        assertEquals(List.of(), heartRateMatching(bound(DatePrefix.EQ, "2026-11-22T07:29:59+07:00", "2026-11-22T07:30:00+07:00")));
    }

    @Test
    void geMatchesReadingsThatEndAtOrAfterTheStartOfTheRange() throws SQLException {
        assertEquals(List.of("st-1"), stepsMatching(bound(DatePrefix.GE, "2026-11-22T08:30:00+07:00", "2026-11-22T08:31:00+07:00")));
        assertEquals(List.of("st-1"), stepsMatching(bound(DatePrefix.GE, "2026-11-22T09:00:00+07:00", "2026-11-22T09:01:00+07:00")));
        assertEquals(List.of(), stepsMatching(bound(DatePrefix.GE, "2026-11-22T09:01:00+07:00", "2026-11-22T09:02:00+07:00")));

        assertEquals(List.of("hr-1"), heartRateMatching(bound(DatePrefix.GE, "2026-11-22T07:30:00+07:00", "2026-11-22T07:31:00+07:00")));
        assertEquals(List.of(), heartRateMatching(bound(DatePrefix.GE, "2026-11-22T07:31:00+07:00", "2026-11-22T07:32:00+07:00")));
    }

    @Test
    void gtMatchesReadingsThatEndAtOrAfterTheEndOfTheRange() throws SQLException {
        assertEquals(List.of("st-1"), stepsMatching(bound(DatePrefix.GT, "2026-11-22T08:59:00+07:00", "2026-11-22T09:00:00+07:00")));
        assertEquals(List.of(), stepsMatching(bound(DatePrefix.GT, "2026-11-22T09:00:00+07:00", "2026-11-22T09:01:00+07:00")));

        assertEquals(List.of("hr-1"), heartRateMatching(bound(DatePrefix.GT, "2026-11-22T07:29:00+07:00", "2026-11-22T07:30:00+07:00")));
        assertEquals(List.of(), heartRateMatching(bound(DatePrefix.GT, "2026-11-22T07:30:00+07:00", "2026-11-22T07:31:00+07:00")));
    }

    @Test
    void ltMatchesReadingsThatStartBeforeTheStartOfTheRange() throws SQLException {
        assertEquals(List.of("st-1"), stepsMatching(bound(DatePrefix.LT, "2026-11-22T08:01:00+07:00", "2026-11-22T08:02:00+07:00")));
        assertEquals(List.of(), stepsMatching(bound(DatePrefix.LT, "2026-11-22T08:00:00+07:00", "2026-11-22T08:01:00+07:00")));

        assertEquals(List.of("hr-1"), heartRateMatching(bound(DatePrefix.LT, "2026-11-22T07:31:00+07:00", "2026-11-22T07:32:00+07:00")));
        assertEquals(List.of(), heartRateMatching(bound(DatePrefix.LT, "2026-11-22T07:30:00+07:00", "2026-11-22T07:31:00+07:00")));
    }

    @Test
    void leMatchesReadingsThatStartBeforeTheEndOfTheRange() throws SQLException {
        assertEquals(List.of("st-1"), stepsMatching(bound(DatePrefix.LE, "2026-11-22T08:00:00+07:00", "2026-11-22T08:01:00+07:00")));
        assertEquals(List.of(), stepsMatching(bound(DatePrefix.LE, "2026-11-22T07:59:00+07:00", "2026-11-22T08:00:00+07:00")));

        assertEquals(List.of("hr-1"), heartRateMatching(bound(DatePrefix.LE, "2026-11-22T07:30:00+07:00", "2026-11-22T07:31:00+07:00")));
        assertEquals(List.of(), heartRateMatching(bound(DatePrefix.LE, "2026-11-22T07:29:00+07:00", "2026-11-22T07:30:00+07:00")));
    }

    @Test
    void dateBoundsCombineIntoAWindow() throws SQLException {
        List<StoredReading> found = queries.search(new ObservationSearch(PATIENT, List.of(), List.of(
                bound(DatePrefix.GE, "2026-11-22T07:00:00+07:00", "2026-11-22T07:01:00+07:00"),
                bound(DatePrefix.LT, "2026-11-22T08:00:00+07:00", "2026-11-22T08:01:00+07:00")), true, 10, 0));

        assertEquals(List.of("hr-1", "ox-1"), readingIds(found).stream().sorted().toList());
    }

    @Test
    void geStillFindsAPeriodAsLongAsTheLongestAllowed() throws SQLException {
        // the pruning bound effective_start >= edge - maxPeriod must not cut off a full-length period
        List<StoredReading> found = queries.search(new ObservationSearch("p-long", List.of(ReadingType.STEPS),
                List.of(bound(DatePrefix.GE, "2026-11-22T09:00:00+07:00", "2026-11-22T09:01:00+07:00")), true, 10, 0));

        assertEquals(List.of("st-day"), readingIds(found));
    }

    @Test
    void codeFilterReturnsOnlyTheRequestedTypes() throws SQLException {
        assertEquals(List.of("st-1"), readingIds(search(List.of(ReadingType.STEPS), true, 10, 0)));
        assertEquals(List.of("hr-1", "bp-1"), readingIds(search(List.of(ReadingType.HEART_RATE, ReadingType.BLOOD_PRESSURE), true, 10, 0)));
        assertEquals(4, search(List.of(), true, 10, 0).size());
    }

    @Test
    void pagesReturnOneExtraRowWhileMoreFollow() throws SQLException {
        List<StoredReading> all = search(List.of(), false, 10, 0);
        assertEquals(4, all.size());

        List<StoredReading> first = search(List.of(), false, 2, 0);
        List<StoredReading> second = search(List.of(), false, 2, 2);
        List<StoredReading> past = search(List.of(), false, 2, 4);

        assertEquals(all.subList(0, 3), first, "count + 1 rows: a further page exists");
        assertEquals(all.subList(2, 4), second, "exactly count rows: this is the last page");
        assertEquals(List.of(), past);
    }

    @Test
    void ascendingIsTheExactReverseOfDescendingIncludingTies() throws SQLException {
        List<StoredReading> ascending = search(List.of(), true, 10, 0);
        List<StoredReading> descending = new ArrayList<>(search(List.of(), false, 10, 0));

        assertEquals(List.of("st-1", "bp-1"), readingIds(ascending).subList(2, 4), "oldest first");
        for (int i = 1; i < ascending.size(); i++) {
            assertTrue(ascending.get(i - 1).startMicros() <= ascending.get(i).startMicros());
        }
        // hr-1 and ox-1 share their start: the observation id breaks the tie the same way every time
        assertEquals(ascending.get(0).startMicros(), ascending.get(1).startMicros());
        assertTrue(ascending.get(0).observationId().compareTo(ascending.get(1).observationId()) < 0);
        Collections.reverse(descending);
        assertEquals(ascending, descending);
    }

    @Test
    void readByIdReturnsTheRowThatSearchReturned() throws SQLException {
        for (StoredReading r : search(List.of(), true, 10, 0)) {
            assertEquals(Optional.of(r), queries.read(r.observationId()));
        }
    }

    @Test
    void readReturnsNothingForMalformedIds() throws SQLException {
        String valid = search(List.of(ReadingType.HEART_RATE), true, 1, 0).get(0).observationId();
        for (String bad : Arrays.asList(null, "", "abc", "-", valid.toUpperCase(), valid + "0", valid.substring(1 + valid.indexOf('-')),
                valid.substring(0, valid.length() - 1) + "g", "zzzzzzzzzzzzzz-" + valid.substring(valid.indexOf('-') + 1),
                valid + "-" + "a".repeat(64 - valid.length()))) {
            assertEquals(Optional.empty(), queries.read(bad), String.valueOf(bad));
        }
    }

    @Test
    void readReturnsNothingForAnIdThatMixesTwoReadings() throws SQLException {
        StoredReading heart = search(List.of(ReadingType.HEART_RATE), true, 1, 0).get(0);
        StoredReading steps = search(List.of(ReadingType.STEPS), true, 1, 0).get(0);
        String heartKey = ObservationIds.parse(heart.observationId()).key();

        assertEquals(Optional.empty(), queries.read(ObservationIds.id(steps.startMicros(), heartKey)));
        assertEquals(Optional.empty(), queries.read(ObservationIds.id(heart.startMicros(),
                ObservationIds.key(PATIENT, "dev-q", "never-sent"))));
    }

    @Test
    void offsetIsKeptAsSent() throws SQLException {
        StoredReading bp = search(List.of(ReadingType.BLOOD_PRESSURE), true, 1, 0).get(0);
        StoredReading hr = search(List.of(ReadingType.HEART_RATE), true, 1, 0).get(0);

        assertEquals(-(3 * 3600 + 30 * 60), bp.offsetSeconds());
        assertEquals(micros("2026-11-22T13:30:00Z"), bp.startMicros());
        assertEquals(7 * 3600, hr.offsetSeconds());
    }

    @Test
    void searchNeverReturnsAnotherPatientsReadings() throws SQLException {
        List<StoredReading> mine = search(List.of(), true, 10, 0);
        List<StoredReading> theirs = queries.search(new ObservationSearch(OTHER, List.of(), List.of(), true, 10, 0));

        assertTrue(mine.stream().allMatch(r -> r.patientId().equals(PATIENT)));
        assertTrue(theirs.stream().allMatch(r -> r.patientId().equals(OTHER)));
        assertEquals(readingIds(mine).stream().sorted().toList(), readingIds(theirs).stream().sorted().toList(),
                "same device and reading ids on both sides");
        for (StoredReading r : theirs) {
            assertTrue(mine.stream().noneMatch(m -> m.observationId().equals(r.observationId())));
            assertEquals(OTHER, queries.read(r.observationId()).orElseThrow().patientId());
        }
    }

    @Test
    void injectionShapedValuesAreOnlyValues() throws Exception {
        assertEquals(List.of(), queries.search(new ObservationSearch(INJECTION, List.of(), List.of(), true, 10, 0)));
        assertFalse(queries.patientExists(INJECTION));
        assertTrue(queries.patientExists(PATIENT));
        assertFalse(queries.patientExists("p-never-seen"));

        String readingId = "r1');drop table readings;--";
        new ReadingCopier(db.dataSource()).write(List.of(batch("p-quote'--", "dev-q",
                List.of(heartRate(readingId, "2026-11-22T07:45:00+07:00", 66)))), "query-test", 3);
        List<StoredReading> found = queries.search(new ObservationSearch("p-quote'--", List.of(), List.of(), true, 10, 0));

        assertEquals(List.of(readingId), readingIds(found));
        assertEquals(4, search(List.of(), true, 10, 0).size(), "the readings table is intact");
    }

    private static DateBound bound(DatePrefix prefix, String low, String high) {
        return new DateBound(prefix, micros(low), micros(high));
    }

    private static List<String> stepsMatching(DateBound bound) throws SQLException {
        return readingIds(queries.search(new ObservationSearch(PATIENT, List.of(ReadingType.STEPS), List.of(bound), true, 10, 0)));
    }

    private static List<String> heartRateMatching(DateBound bound) throws SQLException {
        return readingIds(queries.search(new ObservationSearch(PATIENT, List.of(ReadingType.HEART_RATE), List.of(bound), true, 10, 0)));
    }

    private static List<StoredReading> search(List<ReadingType> types, boolean ascending, int count, int offset) throws SQLException {
        return queries.search(new ObservationSearch(PATIENT, types, List.of(), ascending, count, offset));
    }

    private static List<String> readingIds(List<StoredReading> readings) {
        return readings.stream().map(r -> readingId(r)).toList();
    }

    /** The reading id behind a stored row (the id itself is not returned to the API). */
    private static String readingId(StoredReading r) {
        String key = ObservationIds.parse(r.observationId()).key();
        for (String candidate : List.of("hr-1", "ox-1", "st-1", "bp-1", "st-day", "r1');drop table readings;--")) {
            if (ObservationIds.key(r.patientId(), r.deviceId(), candidate).equals(key)) {
                return candidate;
            }
        }
        throw new AssertionError("unexpected row " + r);
    }
}

package org.jkn.telemetry.store.query;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.store.fixtures.Readings.micros;
import static org.jkn.telemetry.store.query.SampleReadings.OTHER;
import static org.jkn.telemetry.store.query.SampleReadings.PATIENT;
import static org.jkn.telemetry.store.query.SampleReadings.readingIds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Code filter, paging, order, read by id and patient isolation, as the FHIR API uses them. */
class ReadingQueriesTest {

    private static final String INJECTION = "x' or '1'='1";

    @TempDir static Path dir;

    private static Database db;
    private static ReadingQueries queries;

    @BeforeAll
    static void storeReadings() throws Exception {
        db = SampleReadings.openAndStore(dir.resolve("pg"));
        queries =
                new ReadingQueries(
                        db.dataSource(), TestCrypto.of(db.dataSource()), SampleReadings.MAX_PERIOD);
    }

    @AfterAll
    static void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void codeFilterReturnsOnlyTheRequestedTypes() throws SQLException {
        assertEquals(List.of("st-1"), readingIds(search(List.of(ReadingType.STEPS), true, 10, 0)));
        assertEquals(
                List.of("hr-1", "bp-1"),
                readingIds(
                        search(
                                List.of(ReadingType.HEART_RATE, ReadingType.BLOOD_PRESSURE),
                                true,
                                10,
                                0)));
        assertEquals(4, search(List.of(), true, 10, 0).size());
    }

    @Test
    void categoryFilterIsAppliedInSqlSoPagesStayFull() throws SQLException {
        ObservationSearch all = new ObservationSearch(PATIENT, List.of(), List.of(), true, 10, 0);
        assertEquals(
                List.of("st-1"),
                readingIds(queries.search(all.onlyCategories(DataCategory.ACTIVITY.bit()))));
        List<StoredReading> vitals =
                queries.search(
                        all.onlyCategories(DataCategory.VITALS.bit() | DataCategory.CYCLE.bit()));
        assertEquals(3, vitals.size());
        assertFalse(readingIds(vitals).contains("st-1"));
        assertEquals(List.of(), queries.search(all.onlyCategories(DataCategory.SLEEP.bit())));
        // a page of two vitals: two matching rows plus the one that says more follow, none of them
        // steps
        ObservationSearch page =
                new ObservationSearch(
                        PATIENT, List.of(), List.of(), true, 2, 0, DataCategory.VITALS.bit());
        assertEquals(3, queries.search(page).size());
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
        // hr-1 and ox-1 share their start: the observation id breaks the tie the same way every
        // time
        assertEquals(ascending.get(0).startMicros(), ascending.get(1).startMicros());
        assertTrue(
                ascending.get(0).observationId().compareTo(ascending.get(1).observationId()) < 0);
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
        for (String bad :
                Arrays.asList(
                        null,
                        "",
                        "abc",
                        "-",
                        valid.toUpperCase(),
                        valid + "0",
                        valid.substring(1 + valid.indexOf('-')),
                        valid.substring(0, valid.length() - 1) + "g",
                        "zzzzzzzzzzzzzz-" + valid.substring(valid.indexOf('-') + 1),
                        valid + "-" + "a".repeat(64 - valid.length()))) {
            assertEquals(Optional.empty(), queries.read(bad), String.valueOf(bad));
        }
    }

    @Test
    void readReturnsNothingForAnIdThatMixesTwoReadings() throws SQLException {
        StoredReading heart = search(List.of(ReadingType.HEART_RATE), true, 1, 0).get(0);
        StoredReading steps = search(List.of(ReadingType.STEPS), true, 1, 0).get(0);
        String heartKey = ObservationIds.parse(heart.observationId()).key();

        assertEquals(
                Optional.empty(), queries.read(ObservationIds.id(steps.startMicros(), heartKey)));
        assertEquals(
                Optional.empty(),
                queries.read(
                        ObservationIds.id(
                                heart.startMicros(),
                                TestCrypto.rowKey(PATIENT, "dev-q", "never-sent"))));
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
        List<StoredReading> theirs =
                queries.search(new ObservationSearch(OTHER, List.of(), List.of(), true, 10, 0));

        assertTrue(mine.stream().allMatch(r -> r.patientId().equals(PATIENT)));
        assertTrue(theirs.stream().allMatch(r -> r.patientId().equals(OTHER)));
        assertEquals(
                readingIds(mine).stream().sorted().toList(),
                readingIds(theirs).stream().sorted().toList(),
                "same device and reading ids on both sides");
        for (StoredReading r : theirs) {
            assertTrue(mine.stream().noneMatch(m -> m.observationId().equals(r.observationId())));
            assertEquals(OTHER, queries.read(r.observationId()).orElseThrow().patientId());
        }
    }

    @Test
    void injectionShapedValuesAreOnlyValues() throws Exception {
        assertEquals(
                List.of(),
                queries.search(
                        new ObservationSearch(INJECTION, List.of(), List.of(), true, 10, 0)));
        assertFalse(queries.patientExists(INJECTION));
        assertTrue(queries.patientExists(PATIENT));
        assertFalse(queries.patientExists("p-never-seen"));

        String readingId = SampleReadings.INJECTION_READING_ID;
        TestCrypto.write(
                db.dataSource(),
                List.of(
                        batch(
                                "p-quote'--",
                                "dev-q",
                                List.of(heartRate(readingId, "2026-11-22T07:45:00+07:00", 66)))),
                "query-test",
                3);
        List<StoredReading> found =
                queries.search(
                        new ObservationSearch("p-quote'--", List.of(), List.of(), true, 10, 0));

        assertEquals(List.of(readingId), readingIds(found));
        assertEquals(4, search(List.of(), true, 10, 0).size(), "the readings table is intact");
    }

    private static List<StoredReading> search(
            List<ReadingType> types, boolean ascending, int count, int offset) throws SQLException {
        List<String> codes = types.stream().map(t -> t.storedCode(0)).toList();
        return queries.search(
                new ObservationSearch(PATIENT, codes, List.of(), ascending, count, offset));
    }
}

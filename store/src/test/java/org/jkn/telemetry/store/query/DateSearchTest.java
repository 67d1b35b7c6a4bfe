package org.jkn.telemetry.store.query;

import static org.jkn.telemetry.store.fixtures.Readings.micros;
import static org.jkn.telemetry.store.query.SampleReadings.PATIENT;
import static org.jkn.telemetry.store.query.SampleReadings.readingIds;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FHIR date search prefixes on an instant (heart rate at 07:30 +07:00) and on a period (steps
 * 08:00-09:00 +07:00), at the exact edges, as {@link ReadingQueries#search} implements them: a
 * search value is the range {@code [low, high)} its precision implies.
 */
class DateSearchTest {

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
    void eqMatchesReadingsWhoseWholeRangeLiesInTheSearchedRange() throws SQLException {
        assertEquals(
                List.of("st-1"),
                stepsMatching(
                        bound(
                                DatePrefix.EQ,
                                "2026-11-22T00:00:00+07:00",
                                "2026-11-23T00:00:00+07:00")));
        assertEquals(
                List.of(),
                stepsMatching(
                        bound(
                                DatePrefix.EQ,
                                "2026-11-22T08:00:00+07:00",
                                "2026-11-22T08:01:00+07:00")));
        // the hour 08 ends before 09:00:00, when the period ends
        assertEquals(
                List.of(),
                stepsMatching(
                        bound(
                                DatePrefix.EQ,
                                "2026-11-22T08:00:00+07:00",
                                "2026-11-22T09:00:00+07:00")));

        assertEquals(
                List.of("hr-1"),
                heartRateMatching(
                        bound(
                                DatePrefix.EQ,
                                "2026-11-22T07:30:00+07:00",
                                "2026-11-22T07:31:00+07:00")));
        assertEquals(
                List.of(),
                heartRateMatching(
                        bound(
                                DatePrefix.EQ,
                                "2026-11-22T07:31:00+07:00",
                                "2026-11-22T07:32:00+07:00")));
        assertEquals(
                List.of(),
                heartRateMatching(
                        bound(
                                DatePrefix.EQ,
                                "2026-11-22T07:29:59+07:00",
                                "2026-11-22T07:30:00+07:00")));
    }

    @Test
    void geMatchesReadingsThatEndAtOrAfterTheStartOfTheRange() throws SQLException {
        assertEquals(
                List.of("st-1"),
                stepsMatching(
                        bound(
                                DatePrefix.GE,
                                "2026-11-22T08:30:00+07:00",
                                "2026-11-22T08:31:00+07:00")));
        assertEquals(
                List.of("st-1"),
                stepsMatching(
                        bound(
                                DatePrefix.GE,
                                "2026-11-22T09:00:00+07:00",
                                "2026-11-22T09:01:00+07:00")));
        assertEquals(
                List.of(),
                stepsMatching(
                        bound(
                                DatePrefix.GE,
                                "2026-11-22T09:01:00+07:00",
                                "2026-11-22T09:02:00+07:00")));

        assertEquals(
                List.of("hr-1"),
                heartRateMatching(
                        bound(
                                DatePrefix.GE,
                                "2026-11-22T07:30:00+07:00",
                                "2026-11-22T07:31:00+07:00")));
        assertEquals(
                List.of(),
                heartRateMatching(
                        bound(
                                DatePrefix.GE,
                                "2026-11-22T07:31:00+07:00",
                                "2026-11-22T07:32:00+07:00")));
    }

    @Test
    void gtMatchesReadingsThatEndAtOrAfterTheEndOfTheRange() throws SQLException {
        assertEquals(
                List.of("st-1"),
                stepsMatching(
                        bound(
                                DatePrefix.GT,
                                "2026-11-22T08:59:00+07:00",
                                "2026-11-22T09:00:00+07:00")));
        assertEquals(
                List.of(),
                stepsMatching(
                        bound(
                                DatePrefix.GT,
                                "2026-11-22T09:00:00+07:00",
                                "2026-11-22T09:01:00+07:00")));

        assertEquals(
                List.of("hr-1"),
                heartRateMatching(
                        bound(
                                DatePrefix.GT,
                                "2026-11-22T07:29:00+07:00",
                                "2026-11-22T07:30:00+07:00")));
        assertEquals(
                List.of(),
                heartRateMatching(
                        bound(
                                DatePrefix.GT,
                                "2026-11-22T07:30:00+07:00",
                                "2026-11-22T07:31:00+07:00")));
    }

    @Test
    void ltMatchesReadingsThatStartBeforeTheStartOfTheRange() throws SQLException {
        assertEquals(
                List.of("st-1"),
                stepsMatching(
                        bound(
                                DatePrefix.LT,
                                "2026-11-22T08:01:00+07:00",
                                "2026-11-22T08:02:00+07:00")));
        assertEquals(
                List.of(),
                stepsMatching(
                        bound(
                                DatePrefix.LT,
                                "2026-11-22T08:00:00+07:00",
                                "2026-11-22T08:01:00+07:00")));

        assertEquals(
                List.of("hr-1"),
                heartRateMatching(
                        bound(
                                DatePrefix.LT,
                                "2026-11-22T07:31:00+07:00",
                                "2026-11-22T07:32:00+07:00")));
        assertEquals(
                List.of(),
                heartRateMatching(
                        bound(
                                DatePrefix.LT,
                                "2026-11-22T07:30:00+07:00",
                                "2026-11-22T07:31:00+07:00")));
    }

    @Test
    void leMatchesReadingsThatStartBeforeTheEndOfTheRange() throws SQLException {
        assertEquals(
                List.of("st-1"),
                stepsMatching(
                        bound(
                                DatePrefix.LE,
                                "2026-11-22T08:00:00+07:00",
                                "2026-11-22T08:01:00+07:00")));
        assertEquals(
                List.of(),
                stepsMatching(
                        bound(
                                DatePrefix.LE,
                                "2026-11-22T07:59:00+07:00",
                                "2026-11-22T08:00:00+07:00")));

        assertEquals(
                List.of("hr-1"),
                heartRateMatching(
                        bound(
                                DatePrefix.LE,
                                "2026-11-22T07:30:00+07:00",
                                "2026-11-22T07:31:00+07:00")));
        assertEquals(
                List.of(),
                heartRateMatching(
                        bound(
                                DatePrefix.LE,
                                "2026-11-22T07:29:00+07:00",
                                "2026-11-22T07:30:00+07:00")));
    }

    @Test
    void dateBoundsCombineIntoAWindow() throws SQLException {
        List<StoredReading> found =
                queries.search(
                        new ObservationSearch(
                                PATIENT,
                                List.of(),
                                List.of(
                                        bound(
                                                DatePrefix.GE,
                                                "2026-11-22T07:00:00+07:00",
                                                "2026-11-22T07:01:00+07:00"),
                                        bound(
                                                DatePrefix.LT,
                                                "2026-11-22T08:00:00+07:00",
                                                "2026-11-22T08:01:00+07:00")),
                                true,
                                10,
                                0));

        assertEquals(List.of("hr-1", "ox-1"), readingIds(found).stream().sorted().toList());
    }

    @Test
    void geStillFindsAPeriodAsLongAsTheLongestAllowed() throws SQLException {
        // the pruning bound effective_start >= edge - maxPeriod must not cut off a full-length
        // period
        List<StoredReading> found =
                queries.search(
                        new ObservationSearch(
                                "p-long",
                                List.of(ReadingType.STEPS.storedCode(0)),
                                List.of(
                                        bound(
                                                DatePrefix.GE,
                                                "2026-11-22T09:00:00+07:00",
                                                "2026-11-22T09:01:00+07:00")),
                                true,
                                10,
                                0));

        assertEquals(List.of("st-day"), readingIds(found));
    }

    private static DateBound bound(DatePrefix prefix, String low, String high) {
        return new DateBound(prefix, micros(low), micros(high));
    }

    private static List<String> stepsMatching(DateBound bound) throws SQLException {
        return readingIds(
                queries.search(
                        new ObservationSearch(
                                PATIENT,
                                List.of(ReadingType.STEPS.storedCode(0)),
                                List.of(bound),
                                true,
                                10,
                                0)));
    }

    private static List<String> heartRateMatching(DateBound bound) throws SQLException {
        return readingIds(
                queries.search(
                        new ObservationSearch(
                                PATIENT,
                                List.of(ReadingType.HEART_RATE.storedCode(0)),
                                List.of(bound),
                                true,
                                10,
                                0)));
    }
}

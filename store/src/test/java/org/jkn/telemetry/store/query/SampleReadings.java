package org.jkn.telemetry.store.query;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.bloodPressure;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.store.fixtures.Readings.oxygen;
import static org.jkn.telemetry.store.fixtures.Readings.steps;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;

/**
 * The readings the query tests search. {@link #PATIENT} and {@link #OTHER} each sent, from a device
 * with the same id and with the same reading ids: a steps period 08:00-09:00 (+07:00), heart rate
 * and oxygen instants at 07:30 (+07:00) and a blood pressure at 10:00 (-03:30). {@code p-long} sent
 * one steps period exactly as long as the longest allowed, ending at 09:00 (+07:00).
 */
final class SampleReadings {

    static final String PATIENT = "p-query";
    static final String OTHER = "p-other";
    static final Duration MAX_PERIOD = Duration.ofDays(1);
    static final String INJECTION_READING_ID = "r1');drop table readings;--";

    private static final List<String> READING_IDS =
            List.of("hr-1", "ox-1", "st-1", "bp-1", "st-day", INJECTION_READING_ID);

    private SampleReadings() {}

    static Database openAndStore(Path dir) throws IOException, SQLException {
        Database db = TestDatabases.openWithFixturePartitions(dir);
        for (String patient : List.of(PATIENT, OTHER)) {
            double bump = patient.equals(PATIENT) ? 0 : 1;
            TestCrypto.write(
                    db.dataSource(),
                    List.of(
                            batch(
                                    patient,
                                    "dev-q",
                                    List.of(
                                            heartRate(
                                                    "hr-1", "2026-11-22T07:30:00+07:00", 72 + bump),
                                            oxygen("ox-1", "2026-11-22T07:30:00+07:00", 97 + bump),
                                            steps(
                                                    "st-1",
                                                    "2026-11-22T08:00:00+07:00",
                                                    "2026-11-22T09:00:00+07:00",
                                                    4321 + bump),
                                            bloodPressure(
                                                    "bp-1",
                                                    "2026-11-22T10:00:00-03:30",
                                                    120 + bump,
                                                    80)))),
                    "query-test",
                    1);
        }
        TestCrypto.write(
                db.dataSource(),
                List.of(
                        batch(
                                "p-long",
                                "dev-q",
                                List.of(
                                        steps(
                                                "st-day",
                                                "2026-11-21T09:00:00+07:00",
                                                "2026-11-22T09:00:00+07:00",
                                                20_000)))),
                "query-test",
                2);
        return db;
    }

    /**
     * The reading ids behind stored rows, found through their observation ids (rows do not carry
     * them).
     */
    static List<String> readingIds(List<StoredReading> readings) {
        return readings.stream().map(SampleReadings::readingId).toList();
    }

    private static String readingId(StoredReading r) {
        String key = ObservationIds.parse(r.observationId()).key();
        for (String candidate : READING_IDS) {
            if (TestCrypto.rowKey(r.patientId(), r.deviceId(), candidate).equals(key)) {
                return candidate;
            }
        }
        throw new AssertionError("unexpected row " + r);
    }
}

package org.jkn.telemetry.store.crypto;

import static org.jkn.telemetry.store.crypto.EnvelopeEncryptionTest.readings;
import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KEK rotation against a real PostgreSQL of its own (rotation re-wraps every key in the database).
 */
class KekRotationTest {

    @TempDir static Path shared;
    static Database db;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabases.openWithFixturePartitions(shared.resolve("pg"));
    }

    @AfterAll
    static void close() throws Exception {
        db.close();
    }

    static List<StoredReading> search(ReadingCrypto crypto, String patient) throws Exception {
        return new ReadingQueries(db.dataSource(), crypto, Duration.ofDays(1))
                .search(new ObservationSearch(patient, List.of(), List.of(), true, 1000, 0));
    }

    @Test
    void rotationRewrapsEveryDataKeyWithoutTouchingAReading() throws Exception {
        LocalKek old =
                new LocalKek(
                        "old-kek",
                        "old-kek-32-bytes-0123456789abcde".getBytes(StandardCharsets.US_ASCII));
        LocalKek fresh =
                new LocalKek(
                        "new-kek",
                        "new-kek-32-bytes-0123456789abcde".getBytes(StandardCharsets.US_ASCII));
        ReadingCrypto before = TestCrypto.create(db.dataSource(), new KekRing(old, List.of()));
        for (String p : List.of("p-rot-1", "p-rot-2", "p-rot-3")) {
            TestCrypto.write(
                    db.dataSource(),
                    before,
                    List.of(
                            new JournalBatch(
                                    p,
                                    batch(p, "dev", List.of()).device(),
                                    0,
                                    readings(p + "-", 5))),
                    "rotation-test",
                    1);
        }
        String rowsBefore = snapshot();
        List<StoredReading> readBefore = search(before, "p-rot-2");

        int rewrapped = new KekRotation(db.dataSource(), new KekRing(fresh, List.of(old))).run(2);
        assertEquals(3, rewrapped);
        assertEquals(
                0,
                Sql.count(
                        db.dataSource(),
                        "select count(*) from data_keys where kek_id = 'old-kek'"));

        ReadingCrypto after =
                TestCrypto.create(
                        db.dataSource(), new KekRing(fresh, List.of())); // old KEK removed
        assertEquals(readBefore, search(after, "p-rot-2"));
        assertEquals(5, search(after, "p-rot-3").size());
        assertEquals(rowsBefore, snapshot(), "blocks (bytes and row versions) are untouched");
        CryptoFailure f =
                assertThrows(
                        CryptoFailure.class,
                        () ->
                                search(
                                        TestCrypto.create(
                                                db.dataSource(), new KekRing(old, List.of())),
                                        "p-rot-1"));
        assertEquals(CryptoFailure.KEK_UNKNOWN, f.code());
    }

    /**
     * Every block of the rotation test with its bytes and its row version (xmin changes on any
     * update).
     */
    private static String snapshot() throws Exception {
        StringBuilder s = new StringBuilder();
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet r =
                        st.executeQuery(
                                "select xmin::text, b::text from reading_blocks b where patient_id like 'p-rot-%' "
                                        + "order by patient_id, type, window_start")) {
            while (r.next()) {
                s.append(r.getString(1)).append(' ').append(r.getString(2)).append('\n');
            }
        }
        assertTrue(s.length() > 0);
        return s.toString();
    }
}

package org.jkn.telemetry.store.crypto;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.journal.DrainListener;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalDrainer;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data keys, nonces, KEK rotation and erasure against a real PostgreSQL. */
class EnvelopeEncryptionTest {

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

    static List<NormalizedReading> readings(String prefix, int n) {
        List<NormalizedReading> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(
                    heartRate(
                            prefix + i,
                            "2026-11-22T07:%02d:%02d+07:00".formatted(i / 60 % 60, i % 60),
                            60 + i % 40));
        }
        return out;
    }

    static List<StoredReading> search(ReadingCrypto crypto, String patient) throws Exception {
        return new ReadingQueries(db.dataSource(), crypto, Duration.ofDays(1))
                .search(new ObservationSearch(patient, List.of(), List.of(), true, 1000, 0));
    }

    @Test
    void concurrentFirstUsesAcrossInstancesAgreeOnOneDataKey() throws Exception {
        KekRing ring = new KekRing(TestCrypto.KEK, List.of());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> versions = new ArrayList<>();
            Set<Object> keys = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 16; i++) {
                ReadingCrypto instance =
                        TestCrypto.create(db.dataSource(), ring); // each like another gateway
                versions.add(
                        pool.submit(
                                () -> {
                                    DataKey k = instance.keys().current("p-race");
                                    keys.add(
                                            java.util.HexFormat.of()
                                                    .formatHex(k.key().getEncoded()));
                                    return k.version();
                                }));
            }
            for (Future<Integer> v : versions) {
                assertEquals(1, v.get());
            }
            assertEquals(1, keys.size(), "every instance uses the same key");
            assertEquals(
                    1,
                    Sql.count(
                            db.dataSource(),
                            "select count(*) from data_keys where patient_id = 'p-race'"));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void nonceNeverRepeatsAcrossThreadsAndProcessStarts() throws Exception {
        Set<String> nonces = ConcurrentHashMap.newKeySet();
        int perThread = 5_000;
        for (int start = 0; start < 2; start++) {
            ReadingCrypto crypto =
                    TestCrypto.create(db.dataSource(), new KekRing(TestCrypto.KEK, List.of()));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(
                        pool.submit(
                                () -> {
                                    SealedBatch b =
                                            crypto.seal(
                                                    "p-nonce",
                                                    new org.jkn.telemetry.normalizer.DeviceInfo(
                                                            "d", null, null),
                                                    0,
                                                    readings("s" + thread + "-", perThread));
                                    for (SealedReading r : b.readings()) {
                                        assertTrue(
                                                nonces.add(
                                                        java.util.HexFormat.of()
                                                                .formatHex(
                                                                        r.sealed(),
                                                                        0,
                                                                        NonceSource.NONCE_BYTES)));
                                    }
                                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
        }
        assertEquals(2 * 4 * perThread, nonces.size());
    }

    @Test
    void readingsStillInTheJournalWhenThePatientIsErasedAreNeverStored(@TempDir Path journalDir)
            throws Exception {
        ReadingCrypto crypto = TestCrypto.of(db.dataSource());
        java.util.concurrent.atomic.AtomicLong inserted =
                new java.util.concurrent.atomic.AtomicLong();
        DrainListener listener =
                new DrainListener() {
                    @Override
                    public void stored(int readings, int newlyStored) {
                        inserted.addAndGet(newlyStored);
                    }

                    @Override
                    public void writeFailed(Exception cause) {}

                    @Override
                    public void corruptRecord(long index, Exception cause) {}
                };
        try (Journal journal = Journal.open(journalDir, false, crypto)) {
            journal.append(batch("p-journal-erased", "dev", readings("j-", 3)));
            long keep = journal.append(batch("p-journal-kept", "dev", readings("k-", 2)));
            new PatientErasure(db.dataSource(), crypto.keys()).erase("p-journal-erased");
            JournalDrainer drainer = new JournalDrainer(journal, db.dataSource(), listener, 1000);
            drainer.start();
            try {
                Poll.until("the journal is drained", () -> drainer.checkpoint() == keep);
            } finally {
                drainer.close();
            }
        }
        assertEquals(
                0,
                Sql.count(
                        db.dataSource(),
                        "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-journal-erased'"));
        assertEquals(
                0,
                Sql.count(
                        db.dataSource(),
                        "select count(*) from patients where id = 'p-journal-erased'"));
        assertEquals(
                2,
                Sql.count(
                        db.dataSource(),
                        "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-journal-kept'"));
        assertEquals(2, inserted.get());
    }

    @Test
    void aWrappedKeyCopiedToAnotherPatientDoesNotUnwrap() throws Exception {
        ReadingCrypto crypto =
                TestCrypto.create(db.dataSource(), new KekRing(TestCrypto.KEK, List.of()));
        crypto.keys().current("p-wrap-a");
        crypto.keys().current("p-wrap-b");
        Sql.execute(
                db.dataSource(),
                "update data_keys set wrapped = (select wrapped from data_keys where patient_id = 'p-wrap-a') "
                        + "where patient_id = 'p-wrap-b'");
        ReadingCrypto fresh =
                TestCrypto.create(db.dataSource(), new KekRing(TestCrypto.KEK, List.of()));
        assertEquals(
                CryptoFailure.KEY_UNWRAP_FAILED,
                assertThrows(CryptoFailure.class, () -> fresh.keys().current("p-wrap-b")).code());
        assertNotEquals(null, fresh.keys().current("p-wrap-a"));
    }
}

package org.jkn.telemetry.store.copy;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.store.block.PendingBlocks;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
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
 * Merges into the same blocks from several writers at once (threads of one drainer, or instances)
 * lose and repeat nothing.
 */
class BlockWriterTest {

    @TempDir static Path dir;
    private static Database db;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"));
    }

    @AfterAll
    static void close() throws Exception {
        db.close();
    }

    @Test
    void writersRacingForTheSameBlocksStoreEveryReadingOnce() throws Exception {
        int writers = 4;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                // each writer has its own crypto, as another instance would (its own nonce field
                // and caches)
                ReadingCrypto crypto =
                        TestCrypto.create(
                                db.dataSource(),
                                new org.jkn.telemetry.store.crypto.KekRing(
                                        TestCrypto.KEK, List.of()));
                Callable<Integer> task =
                        () -> {
                            BlockWriter out = new BlockWriter(db.dataSource(), crypto);
                            int inserted = 0;
                            for (int round = 0; round < rounds; round++) {
                                // every writer writes its own readings and one shared reading into
                                // the same hour block
                                List<NormalizedReading> rs =
                                        List.of(
                                                heartRate(
                                                        "w" + writer + "-" + round,
                                                        at(round * 60 + writer),
                                                        60 + writer),
                                                heartRate(
                                                        "shared-" + round,
                                                        at(round * 60 + 59),
                                                        99));
                                inserted += write(out, crypto, batch("p-race", "dev-1", rs));
                            }
                            return inserted;
                        };
                done.add(pool.submit(task));
            }
            int inserted = 0;
            for (Future<Integer> f : done) {
                inserted += f.get();
            }
            assertEquals(
                    writers * rounds + rounds, inserted, "each reading counted new exactly once");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(
                4 * 25 + 25,
                Sql.count(
                        db.dataSource(),
                        "select sum(n_readings) from reading_blocks where patient_id = 'p-race'"));
        List<StoredReading> all =
                new ReadingQueries(
                                db.dataSource(), TestCrypto.of(db.dataSource()), Duration.ofDays(1))
                        .search(
                                new ObservationSearch(
                                        "p-race", List.of(), List.of(), true, 1000, 0));
        assertEquals(4 * 25 + 25, all.size());
        assertEquals(all.size(), all.stream().map(StoredReading::observationId).distinct().count());
    }

    @Test
    void aChunkSplitOverParallelWritersIsStoredOnceAndAdvancesTheCheckpoint() throws Exception {
        List<JournalBatch> batches = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            batches.add(
                    batch(
                            "p-split-" + p,
                            "dev-1",
                            List.of(heartRate("a", at(p), 70), heartRate("b", at(p + 1), 71))));
        }
        ReadingCrypto crypto = TestCrypto.of(db.dataSource());
        try (ParallelBlockWriter writer = new ParallelBlockWriter(db.dataSource(), crypto, 3)) {
            assertEquals(16, writer.write(pending(crypto, batches).blocks(), "split-test", 41));
            assertEquals(
                    41,
                    Sql.count(
                            db.dataSource(),
                            "select last_index from journal_checkpoints where journal_id = 'split-test'"));
            assertEquals(
                    0,
                    writer.write(pending(crypto, batches).blocks(), "split-test", 42),
                    "a replayed chunk adds nothing");
        }
        assertEquals(
                16,
                Sql.count(
                        db.dataSource(),
                        "select sum(n_readings) from reading_blocks where patient_id like 'p-split-%'"));
    }

    private static int write(BlockWriter out, ReadingCrypto crypto, JournalBatch b)
            throws Exception {
        return out.write(pending(crypto, List.of(b)).blocks(), null, 0);
    }

    private static PendingBlocks pending(ReadingCrypto crypto, List<JournalBatch> batches) {
        PendingBlocks p = new PendingBlocks();
        for (JournalBatch b : batches) {
            int version = crypto.keys().current(b.patientId()).version();
            for (NormalizedReading r : b.readings()) {
                p.add(b.patientId(), version, r, b.device(), b.receivedMicros());
            }
        }
        return p;
    }

    /** A time in the fixture day's 08:00 hour, {@code second} seconds in. */
    private static String at(int second) {
        return Instant.parse("2026-11-22T08:00:00Z").plusSeconds(second).toString();
    }
}

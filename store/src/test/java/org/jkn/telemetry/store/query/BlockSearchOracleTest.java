package org.jkn.telemetry.store.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.copy.BlockUpgrade;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Search over blocks against an oracle: the row-per-reading search of the previous version. Random
 * readings are stored as that version stored them, random searches (codes, categories, every date
 * prefix, both orders, pages) are answered from the rows, the rows are moved into blocks, and every
 * search must give the same readings, ids and order. The seed is printed on failure.
 */
class BlockSearchOracleTest {

    private static final ReadingType[] TYPES = {
        ReadingType.HEART_RATE,
        ReadingType.STEPS,
        ReadingType.BLOOD_PRESSURE,
        ReadingType.WEIGHT,
        ReadingType.SLEEP_SESSION,
        ReadingType.OXYGEN_SATURATION
    };
    private static final long DAY = 86_400_000_000L;
    private static final long BASE = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli() * 1000;

    @TempDir Path dir;

    @Test
    void blocksAnswerEverySearchAsTheRowsDid() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            List<JournalBatch> batches = new ArrayList<>();
            for (int b = 0; b < 12; b++) {
                List<NormalizedReading> rs = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    rs.add(reading(random, "r" + b + "-" + i));
                }
                batches.add(
                        new JournalBatch(
                                "p-oracle",
                                new DeviceInfo("dev-" + b % 3, "Acme", null),
                                BASE + b,
                                rs));
            }
            TestCrypto.writeLegacy(db.dataSource(), batches, "oracle", 1);
            ReadingQueries queries =
                    new ReadingQueries(
                            db.dataSource(), TestCrypto.of(db.dataSource()), Duration.ofDays(2));
            List<ObservationSearch> searches = new ArrayList<>();
            List<List<StoredReading>> expected = new ArrayList<>();
            for (int s = 0; s < 120; s++) {
                ObservationSearch q = search(random);
                searches.add(q);
                expected.add(queries.search(q));
            }
            new BlockUpgrade(db.dataSource(), TestCrypto.of(db.dataSource())).run(100);
            assertEquals(0, Sql.count(db.dataSource(), "select count(*) from readings"));
            for (int s = 0; s < searches.size(); s++) {
                assertEquals(
                        expected.get(s),
                        queries.search(searches.get(s)),
                        "seed " + seed + ", search " + searches.get(s));
            }
        }
    }

    private static NormalizedReading reading(Random r, String id) {
        ReadingType type = TYPES[r.nextInt(TYPES.length)];
        long start = BASE + (long) (r.nextDouble() * 4 * DAY) / 1_000_000 * 1_000_000;
        if (r.nextInt(8) == 0) {
            start = BASE + r.nextInt(4) * DAY; // on a day's edge
        }
        long end = type.shape().isPeriod() ? start + r.nextInt(36) * 3_600_000_000L / 2 : start;
        double diastolic = type == ReadingType.BLOOD_PRESSURE ? 60 + r.nextInt(40) : Double.NaN;
        return new NormalizedReading(type, id, start, end, 25200, 40 + r.nextInt(100), diastolic);
    }

    private static ObservationSearch search(Random r) {
        List<String> codes = new ArrayList<>();
        if (r.nextBoolean()) {
            codes.add(TYPES[r.nextInt(TYPES.length)].storedCode(0));
            if (r.nextBoolean()) {
                codes.add(TYPES[r.nextInt(TYPES.length)].storedCode(0));
            }
        }
        List<DateBound> dates = new ArrayList<>();
        for (int d = r.nextInt(3); d > 0; d--) {
            DatePrefix prefix = DatePrefix.values()[r.nextInt(DatePrefix.values().length)];
            long low =
                    BASE
                            - DAY
                            + (long) (r.nextDouble() * 6 * DAY) / 3_600_000_000L * 3_600_000_000L;
            long width = r.nextBoolean() ? DAY : 3_600_000_000L;
            dates.add(new DateBound(prefix, low, low + width));
        }
        int categories =
                r.nextInt(4) == 0
                        ? DataCategory.VITALS.bit() | DataCategory.ACTIVITY.bit()
                        : DataCategory.ALL;
        return new ObservationSearch(
                "p-oracle",
                codes,
                dates,
                r.nextBoolean(),
                1 + r.nextInt(r.nextBoolean() ? 10 : 200),
                r.nextInt(4) == 0 ? r.nextInt(300) : 0,
                categories);
    }
}

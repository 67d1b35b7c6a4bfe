package org.jkn.telemetry.store.query;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.GlucoseSpecimen;
import org.jkn.telemetry.normalizer.catalog.GlucoseUnit;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.PendingBlocks;
import org.jkn.telemetry.store.copy.BlockWriter;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReadingQueries#latest} and {@link ReadingQueries#statistics} over real sealed blocks in a
 * real database, against naive computations over the readings written. Random data prints its seed
 * so a failure can be replayed.
 */
class ReadingOperationsTest {

    private static final long HOUR = 3_600_000_000L;
    private static final long DAY_START =
            Instant.parse("2026-11-10T00:00:00Z").toEpochMilli() * 1000;

    @TempDir static Path dir;
    private static Database db;
    private static ReadingCrypto crypto;
    private static ReadingQueries queries;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"));
        crypto = TestCrypto.of(db.dataSource());
        queries = new ReadingQueries(db.dataSource(), crypto, Duration.ofDays(1));
    }

    @AfterAll
    static void close() throws Exception {
        db.close();
    }

    private static void write(String patient, List<NormalizedReading> readings) throws Exception {
        JournalBatch b = batch(patient, "dev-1", readings);
        PendingBlocks p = new PendingBlocks();
        int version = crypto.keys().current(patient).version();
        for (NormalizedReading r : b.readings()) {
            p.add(patient, version, r, b.device(), b.receivedMicros());
        }
        new BlockWriter(db.dataSource(), crypto).write(p.blocks(), null, 0);
    }

    private static NormalizedReading instant(ReadingType t, String id, long at, double v) {
        return new NormalizedReading(t, id, at, at, 0, v, Double.NaN);
    }

    @Test
    void statisticsPerBucketMatchANaiveComputation() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        List<NormalizedReading> readings = new ArrayList<>();
        // three days of heart rate at random seconds, and blood pressure every few hours
        for (int i = 0; i < 5000; i++) {
            long at = DAY_START + random.nextLong(3 * 24 * HOUR) / 1_000_000 * 1_000_000;
            readings.add(instant(ReadingType.HEART_RATE, "hr" + i, at, 40 + random.nextInt(140)));
        }
        for (int i = 0; i < 20; i++) {
            long at = DAY_START + i * 3 * HOUR + 60_000_000L;
            readings.add(
                    new NormalizedReading(
                            ReadingType.BLOOD_PRESSURE,
                            "bp" + i,
                            at,
                            at,
                            0,
                            100 + random.nextInt(60),
                            60 + random.nextInt(40)));
        }
        write("p-stats", readings);
        long from = DAY_START + random.nextLong(12 * HOUR);
        long to = from + 24 * HOUR + random.nextLong(24 * HOUR);
        long interval = (1 + random.nextInt(6)) * HOUR;
        String replay = "seed " + seed;
        // unaligned buckets cut hour blocks (the per-reading path); aligned ones take whole
        // blocks (the bulk path)
        compare(readings, from, to, interval, replay + " unaligned");
        compare(readings, DAY_START, DAY_START + 3 * 24 * HOUR, HOUR, replay + " aligned");
    }

    private static void compare(
            List<NormalizedReading> readings, long from, long to, long interval, String replay)
            throws Exception {
        ReadingSeries heart = new ReadingSeries(Set.of(ReadingType.HEART_RATE), Set.of(), false);
        ReadingSeries diastolic =
                new ReadingSeries(Set.of(ReadingType.BLOOD_PRESSURE), Set.of(), true);
        StatisticsQuery q =
                new StatisticsQuery("p-stats", List.of(heart, diastolic), from, to, interval, true);
        StatisticsResult result = queries.statistics(q);
        for (int s = 0; s < 2; s++) {
            SeriesStatistics stats = result.series().get(s);
            for (int k = 0; k < q.bucketCount(); k++) {
                List<Double> expected = new ArrayList<>();
                for (NormalizedReading r : readings) {
                    boolean ofSeries =
                            s == 0
                                    ? r.type() == ReadingType.HEART_RATE
                                    : r.type() == ReadingType.BLOOD_PRESSURE;
                    if (ofSeries
                            && r.startMicros() >= q.bucketStart(k)
                            && r.startMicros() < q.bucketEnd(k)) {
                        expected.add(s == 0 ? r.value() : r.diastolic());
                    }
                }
                check(expected, stats.bucket(k), replay + " series " + s + " bucket " + k);
            }
        }
    }

    private static void check(List<Double> expected, StatisticsBucket b, String replay) {
        if (expected.isEmpty()) {
            assertNull(b, replay);
            return;
        }
        double[] sorted = expected.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        assertEquals(sorted.length, b.count(), replay);
        assertEquals(sum, b.sum(), 1e-9, replay);
        assertEquals(sorted[0], b.minimum(), replay);
        assertEquals(sorted[sorted.length - 1], b.maximum(), replay);
        double rank = (sorted.length - 1) * 0.5;
        int low = (int) rank;
        double median =
                sorted[low]
                        + (rank - low)
                                * ((low + 1 < sorted.length ? sorted[low + 1] : sorted[low])
                                        - sorted[low]);
        assertEquals(median, b.percentile(0.5), 1e-9, replay);
    }

    @Test
    void latestTakesTheNewestPerTypeWithTiesAndTheIdsSearchGives() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        List<NormalizedReading> readings = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            // whole minutes over four days: ties of equal starts happen
            long at = DAY_START + random.nextLong(4 * 24 * 60) * 60_000_000L;
            ReadingType t =
                    random.nextBoolean() ? ReadingType.HEART_RATE : ReadingType.OXYGEN_SATURATION;
            readings.add(instant(t, "r" + i, at, 90 + random.nextInt(10)));
        }
        write("p-latest", readings);
        for (int max : new int[] {1, 3, 50}) {
            List<StoredReading> got =
                    queries.latest(
                            new LatestQuery(
                                    "p-latest",
                                    List.of(ReadingType.HEART_RATE, ReadingType.OXYGEN_SATURATION),
                                    Set.of(),
                                    max));
            for (ReadingType t :
                    EnumSet.of(ReadingType.HEART_RATE, ReadingType.OXYGEN_SATURATION)) {
                List<Long> expected = naiveLatest(readings, t, max);
                List<Long> starts =
                        got.stream()
                                .filter(r -> r.type() == t)
                                .map(StoredReading::startMicros)
                                .toList();
                assertEquals(expected, starts, "seed " + seed + " max " + max + " " + t);
            }
            for (StoredReading r : got) {
                assertEquals(
                        r.observationId(),
                        queries.read(r.observationId()).orElseThrow().observationId(),
                        "read by id finds it under the same id");
            }
        }
    }

    /** The starts of the newest {@code max} of a type, newest first, with the ties of the last. */
    private static List<Long> naiveLatest(List<NormalizedReading> all, ReadingType t, int max) {
        List<Long> starts =
                all.stream()
                        .filter(r -> r.type() == t)
                        .map(NormalizedReading::startMicros)
                        .sorted(Comparator.reverseOrder())
                        .toList();
        List<Long> out = new ArrayList<>();
        for (long s : starts) {
            if (out.size() >= max && s != out.get(out.size() - 1)) {
                break;
            }
            out.add(s);
        }
        return out;
    }

    @Test
    void aCodeKeepingFewReadingsOfATypeReadsOlderBlocks() throws Exception {
        int capillary =
                GlucoseSpecimen.CAPILLARY_BLOOD.storedCode()
                        | GlucoseUnit.MG_PER_DL.storedCode() << 16;
        int wholeBlood =
                GlucoseSpecimen.WHOLE_BLOOD.storedCode() | GlucoseUnit.MG_PER_DL.storedCode() << 16;
        List<NormalizedReading> readings = new ArrayList<>();
        // capillary on days 0 and 1, only whole blood on the five newer days
        for (int day = 0; day < 7; day++) {
            long at = DAY_START + day * 24 * HOUR + 8 * HOUR;
            readings.add(
                    new NormalizedReading(
                            ReadingType.BLOOD_GLUCOSE,
                            "g" + day,
                            at,
                            at,
                            0,
                            100 + day,
                            Double.NaN,
                            day < 2 ? capillary : wholeBlood,
                            List.<SleepStage>of()));
        }
        write("p-glucose", readings);
        List<StoredReading> got =
                queries.latest(
                        new LatestQuery(
                                "p-glucose",
                                List.of(ReadingType.BLOOD_GLUCOSE),
                                Set.of("41653-7"),
                                2));
        assertEquals(List.of(101.0, 100.0), got.stream().map(StoredReading::value).toList());
    }

    @Test
    void glucoseIsCountedInTheUnitOfTheSeriesOnly() throws Exception {
        int massUnit = GlucoseUnit.MG_PER_DL.storedCode() << 16;
        int molesUnit = GlucoseUnit.MMOL_PER_L.storedCode() << 16;
        double[] values = {90, 100, 5.5};
        int[] attrs = {massUnit, massUnit, molesUnit};
        List<NormalizedReading> readings = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            long at = DAY_START + i * HOUR;
            readings.add(
                    new NormalizedReading(
                            ReadingType.BLOOD_GLUCOSE,
                            "u" + i,
                            at,
                            at,
                            0,
                            values[i],
                            Double.NaN,
                            attrs[i],
                            List.<SleepStage>of()));
        }
        write("p-glucose-units", readings);
        // the unspecified-specimen code is the same in both units
        Set<String> code = ReadingType.storedCodesMatching(null, "glucose-unspecified-specimen");
        for (String unit : new String[] {"mg/dL", "mmol/L"}) {
            StatisticsQuery q =
                    new StatisticsQuery(
                            "p-glucose-units",
                            List.of(
                                    new ReadingSeries(
                                            Set.of(ReadingType.BLOOD_GLUCOSE), code, false, unit)),
                            DAY_START,
                            DAY_START + 24 * HOUR,
                            24 * HOUR,
                            false);
            StatisticsBucket b = queries.statistics(q).series().get(0).bucket(0);
            assertEquals(unit.equals("mg/dL") ? 190 : 5.5, b.sum(), unit);
        }
    }
}

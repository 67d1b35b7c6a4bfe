package org.jkn.telemetry.benchmarks.store;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.crypto.DataKeys;
import org.jkn.telemetry.store.crypto.KekRing;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.jkn.telemetry.store.crypto.NonceSource;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.db.DatabaseConfig;
import org.jkn.telemetry.store.journal.DrainListener;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.store.journal.JournalDrainer;
import org.postgresql.PGConnection;

/**
 * The store alone, measured against a raw COPY in the same run: sealed batches are appended to a
 * real journal, then the drainer merges them into blocks in a real PostgreSQL (embedded, or the
 * JDBC URL given), and the time to drain, the bytes on disk per reading (table, indexes and TOAST
 * after VACUUM) and a COPY of as many narrow rows into the same database are printed.
 *
 * <pre>
 * java [chronicle flags] -cp benchmarks/target/benchmarks.jar org.jkn.telemetry.benchmarks.store.DrainThroughput \
 *     [--mode hr|dense|mixed] [--readings 1000000] [--patients 32] [--threads 1] [--url jdbc:postgresql://...] [--timescale auto|off]
 * </pre>
 *
 * Modes: {@code hr} app batches of 1,000 heart-rate readings 1 s apart; {@code dense} the same as 1
 * Hz series samples ({@code id#n}); {@code mixed} a day of a sparse app mix per batch.
 */
public final class DrainThroughput {

    private static final DeviceInfo WATCH = new DeviceInfo("watch-7f3a", "Acme", "Band 5");

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        String mode = o.get("--mode");
        int total = Integer.parseInt(o.get("--readings"));
        int patients = Integer.parseInt(o.get("--patients"));
        Path dir = Files.createTempDirectory("drain-throughput");
        try (Database db = Database.open(databaseConfig(o, dir))) {
            db.maintenance().run(Instant.now());
            DataSource ds = db.dataSource();
            ReadingCrypto crypto = crypto(ds);
            List<JournalBatch> batches = batches(mode, total, patients);
            int readings = batches.stream().mapToInt(b -> b.readings().size()).sum();
            try (Journal journal = Journal.open(dir.resolve("journal"), false, crypto)) {
                long t0 = System.nanoTime();
                for (JournalBatch b : batches) {
                    journal.append(b);
                }
                double appendSeconds = (System.nanoTime() - t0) / 1e9;
                double drainSeconds = drain(journal, ds, Integer.parseInt(o.get("--threads")));
                long stored = count(ds, "select coalesce(sum(n_readings), 0) from reading_blocks");
                long bytes = BlockLoader.TableStats.vacuumAndRead(ds).bytes();
                double copySeconds = copyBaseline(ds, readings);
                System.out.printf(
                        "%n| mode | threads | readings | appended/s (journal) | stored/s | COPY rows/s | stored ÷ COPY | bytes/reading |%n");
                System.out.printf("|---|---|---|---|---|---|---|---|%n");
                System.out.printf(
                        "| %s | %s | %,d | %,.0f | %,.0f | %,.0f | %.2f | %.2f |%n",
                        mode,
                        o.get("--threads"),
                        stored,
                        readings / appendSeconds,
                        readings / drainSeconds,
                        readings / copySeconds,
                        (readings / drainSeconds) / (readings / copySeconds),
                        (double) bytes / stored);
                if (stored != readings) {
                    throw new IllegalStateException("stored " + stored + " of " + readings);
                }
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o =
                new HashMap<>(
                        Map.of(
                                "--mode",
                                "hr",
                                "--readings",
                                "1000000",
                                "--patients",
                                "32",
                                "--threads",
                                "1",
                                "--url",
                                "",
                                "--timescale",
                                "auto"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        return o;
    }

    /** The database at {@code --url}, or without one an embedded PostgreSQL in {@code dir}. */
    private static DatabaseConfig databaseConfig(Map<String, String> o, Path dir) {
        String url = o.get("--url");
        return new DatabaseConfig(
                url.isEmpty() ? null : url,
                url.isEmpty() ? null : "postgres",
                url.isEmpty() ? null : "",
                Integer.parseInt(o.get("--threads")) + 4,
                url.isEmpty() ? dir.resolve("pg") : null,
                o.get("--timescale"),
                Duration.ofDays(7),
                null,
                null,
                3,
                Duration.ofDays(400));
    }

    private static ReadingCrypto crypto(DataSource ds) throws Exception {
        return new ReadingCrypto(
                new DataKeys(
                        ds,
                        new KekRing(
                                new LocalKek(
                                        "bench",
                                        "bench-kek-32-bytes-0123456789abc"
                                                .getBytes(StandardCharsets.US_ASCII)),
                                List.of()),
                        100_000,
                        TimeUnit.MINUTES.toNanos(10),
                        System::nanoTime),
                new RowKeys(
                        "bench-row-key-secret-0123456789abcdef"
                                .getBytes(StandardCharsets.US_ASCII)),
                NonceSource.fromDatabase(ds));
    }

    /** Seconds for the drainer to store everything the journal holds. */
    private static double drain(Journal journal, DataSource ds, int threads) throws Exception {
        long t1 = System.nanoTime();
        JournalDrainer drainer =
                new JournalDrainer(journal, ds, DrainListener.NONE, 10_000, threads);
        drainer.start();
        while (journal.pendingReadings() > 0) {
            Thread.sleep(5);
        }
        double drainSeconds = (System.nanoTime() - t1) / 1e9;
        drainer.close();
        return drainSeconds;
    }

    private static List<JournalBatch> batches(String mode, int total, int patients) {
        List<JournalBatch> out = new ArrayList<>();
        long base =
                Instant.now().minus(Duration.ofDays(2)).truncatedTo(ChronoUnit.DAYS).toEpochMilli()
                        * 1000;
        long received = Instant.now().toEpochMilli() * 1000;
        int[] next = new int[patients];
        int made = 0;
        int p = 0;
        while (made < total) {
            String patient = String.format("%040x", 0xabcdefL * (p + 1));
            List<NormalizedReading> rs = new ArrayList<>();
            if (mode.equals("mixed")) {
                long day = base - (long) next[p]++ * 86_400_000_000L;
                addMixedDay(rs, day, next[p]);
            } else {
                for (int i = 0; i < 1000; i++) {
                    int n = next[p]++;
                    long t = base + n * 1_000_000L;
                    String id =
                            mode.equals("dense")
                                    ? "series-" + n / 1000 + "#" + n % 1000
                                    : "hr-" + n;
                    rs.add(
                            new NormalizedReading(
                                    ReadingType.HEART_RATE,
                                    id,
                                    t,
                                    t,
                                    25200,
                                    60 + (n * 7 % 23),
                                    Double.NaN));
                }
            }
            out.add(new JournalBatch(patient, WATCH, received, rs));
            made += rs.size();
            p = (p + 1) % patients;
        }
        return out;
    }

    /** A day of a sparse app mix; {@code n} numbers the patient's day in the reading ids. */
    private static void addMixedDay(List<NormalizedReading> rs, long day, int n) {
        for (int m = 0; m < 288; m++) { // heart rate every 5 minutes
            long t = day + m * 300_000_000L;
            rs.add(
                    new NormalizedReading(
                            ReadingType.HEART_RATE,
                            "hr-" + n + "-" + m,
                            t,
                            t,
                            25200,
                            60 + m % 40,
                            Double.NaN));
        }
        addHourly(rs, day, n);
        rs.add(
                new NormalizedReading(
                        ReadingType.BLOOD_PRESSURE,
                        "bp-" + n,
                        day + 28_800_000_000L,
                        day + 28_800_000_000L,
                        25200,
                        121,
                        79));
        rs.add(
                new NormalizedReading(
                        ReadingType.WEIGHT,
                        "w-" + n,
                        day + 25_200_000_000L,
                        day + 25_200_000_000L,
                        25200,
                        70.4,
                        Double.NaN));
        rs.add(
                new NormalizedReading(
                        ReadingType.BODY_TEMPERATURE,
                        "t-" + n,
                        day + 30_000_000_000L,
                        day + 30_000_000_000L,
                        25200,
                        36.6,
                        Double.NaN));
    }

    private static void addHourly(List<NormalizedReading> rs, long day, int n) {
        for (int h = 0; h < 24; h++) { // steps and SpO2 hourly
            long t = day + h * 3_600_000_000L;
            rs.add(
                    new NormalizedReading(
                            ReadingType.STEPS,
                            "st-" + n + "-" + h,
                            t,
                            t + 3_600_000_000L,
                            25200,
                            h * 37 % 900,
                            Double.NaN));
            rs.add(
                    new NormalizedReading(
                            ReadingType.OXYGEN_SATURATION,
                            "o2-" + n + "-" + h,
                            t,
                            t,
                            25200,
                            95 + h % 4,
                            Double.NaN));
        }
    }

    /**
     * Seconds to COPY as many narrow rows (patient, time, value; one primary key) into the same
     * database.
     */
    private static double copyBaseline(DataSource ds, int rows) throws Exception {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute("drop table if exists drain_copy_baseline");
            s.execute(
                    "create table drain_copy_baseline (patient_id text, t timestamptz, value double precision, primary key (patient_id, t))");
            int chunk = 10_000;
            List<byte[]> chunks = new ArrayList<>();
            for (int from = 0; from < rows; from += chunk) {
                StringBuilder csv = new StringBuilder(chunk * 80);
                for (int i = from; i < Math.min(rows, from + chunk); i++) {
                    csv.append(String.format("%040x", 0xabcdefL * (i % 32 + 1)))
                            .append(',')
                            .append(Instant.ofEpochSecond(1_700_000_000L + i))
                            .append(',')
                            .append(60 + i % 23)
                            .append('\n');
                }
                chunks.add(csv.toString().getBytes(StandardCharsets.UTF_8));
            }
            long t0 = System.nanoTime(); // the rows are made beforehand: only the COPY is timed
            for (byte[] b : chunks) {
                c.unwrap(PGConnection.class)
                        .getCopyAPI()
                        .copyIn(
                                "copy drain_copy_baseline from stdin (format csv)",
                                new ByteArrayInputStream(b));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            s.execute("drop table drain_copy_baseline");
            return seconds;
        }
    }

    private static long count(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        }
    }
}

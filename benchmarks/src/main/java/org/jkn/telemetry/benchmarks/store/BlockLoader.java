package org.jkn.telemetry.benchmarks.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.PendingBlocks;
import org.jkn.telemetry.store.copy.BlockWriter;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.db.Database;

/**
 * Fills a database with a {@link Cohort}'s 1 Hz heart rate in minutes, straight into sealed blocks:
 * the readings go through {@link PendingBlocks} and {@link BlockWriter}, the drainer's own path, so
 * the rows are exactly what ingest would have stored, without HTTP, normalising or the journal.
 * Each patient gets a data key under the configured KEK first, as on first ingest.
 *
 * <pre>
 * java [chronicle flags] -cp benchmarks/target/benchmarks.jar org.jkn.telemetry.benchmarks.store.BlockLoader \
 *     --url jdbc:postgresql://... [--timescale auto|off] [--patients 40] [--days 15] [--first-day 2026-11-17] \
 *     [--threads 2] [--batch-blocks 240]
 * </pre>
 *
 * A batch of 240 hour blocks (864,000 readings, about 1 MB sealed) per transaction keeps the round
 * trips per reading negligible; writers take patient-days in day order, so they fill one chunk or
 * partition at a time. Loading again is safe: readings already stored are kept once.
 */
public final class BlockLoader {

    private static final DateTimeFormatter HOUR_ID =
            DateTimeFormatter.ofPattern("yyyyMMddHH").withZone(ZoneOffset.UTC);

    /** WIB, as the example batches: the offset is stored and shown, it changes nothing else. */
    private static final int OFFSET_SECONDS = 7 * 3600;

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        Cohort cohort = Cohort.of(o);
        int threads = Integer.parseInt(o.get("--threads"));
        int batchBlocks = Integer.parseInt(o.get("--batch-blocks"));
        System.out.printf(
                "loading %,d readings: %d patients x %d days from %s, %d writers, %d blocks per transaction%n",
                cohort.readings(),
                cohort.patients,
                cohort.days,
                cohort.firstDay,
                threads,
                batchBlocks);
        try (Database db =
                Database.open(Cohort.database(o.get("--url"), o.get("--timescale"), threads + 2))) {
            DataSource ds = db.dataSource();
            long before = TableStats.read(ds).readings();
            if (before > 0) {
                System.out.printf(
                        "reading_blocks already holds %,d readings: the load merges into them%n",
                        before);
            }
            Load load = new Load(ds, cohort, cohort.crypto(ds), batchBlocks);
            long t0 = System.nanoTime();
            long stored = load.run(threads, t0);
            double seconds = (System.nanoTime() - t0) / 1e9;
            TableStats after = TableStats.vacuumAndRead(ds);
            printTable(cohort, after, stored, seconds);
            if (after.readings() - before != stored
                    || (before == 0 && stored != cohort.readings())) {
                throw new IllegalStateException(
                        "stored "
                                + stored
                                + " readings, the table gained "
                                + (after.readings() - before)
                                + ", expected "
                                + cohort.readings());
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o =
                Cohort.options(
                        args,
                        "--url",
                        "",
                        "--timescale",
                        "auto",
                        "--patients",
                        "40",
                        "--days",
                        "15",
                        "--first-day",
                        "",
                        "--threads",
                        "2",
                        "--batch-blocks",
                        "240");
        if (o.get("--url").isEmpty()) {
            throw new IllegalArgumentException("--url jdbc:postgresql://... is required");
        }
        return o;
    }

    private static void printTable(Cohort cohort, TableStats after, long stored, double seconds) {
        System.out.printf(
                "%n| mode | patients x days | readings stored | load time | readings/s | blocks | table size | bytes/reading |%n");
        System.out.printf("|---|---|---|---|---|---|---|---|%n");
        System.out.printf(
                "| %s | %d x %d | %,d | %.1f s | %,.0f | %,d | %s | %.2f |%n",
                after.mode(),
                cohort.patients,
                cohort.days,
                stored,
                seconds,
                stored / seconds,
                after.blocks(),
                after.humanBytes(),
                (double) after.bytes() / after.readings());
    }

    /**
     * One load: writer threads take the cohort's patient-days in day order, each through its own
     * {@link PendingBlocks} and {@link BlockWriter}, a transaction per {@code batchBlocks} blocks.
     */
    private static final class Load {
        private final DataSource ds;
        private final Cohort cohort;
        private final ReadingCrypto crypto;
        private final int batchBlocks;
        private final String[] ids;
        private final int[] versions;
        private final int tasks;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicLong stored = new AtomicLong();

        Load(DataSource ds, Cohort cohort, ReadingCrypto crypto, int batchBlocks) throws Exception {
            this.ds = ds;
            this.cohort = cohort;
            this.crypto = crypto;
            this.batchBlocks = batchBlocks;
            ids = new String[cohort.patients];
            versions = new int[cohort.patients];
            for (int p = 0; p < ids.length; p++) {
                ids[p] = cohort.patientId(p);
                versions[p] =
                        crypto.keys()
                                .current(ids[p])
                                .version(); // creates the data_keys row on first use
            }
            tasks = cohort.patients * cohort.days;
        }

        /** Returns the readings stored; prints progress every 10 s from {@code t0}. */
        long run(int threads, long t0) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                writers.add(pool.submit(this::write));
            }
            pool.shutdown();
            while (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "  %,d readings stored in %.0f s (%,.0f/s)%n",
                        stored.get(), s, stored.get() / s);
            }
            for (Future<?> f : writers) {
                f.get(); // rethrows a writer's failure
            }
            return stored.get();
        }

        private Void write() throws Exception {
            BlockWriter writer = new BlockWriter(ds, crypto);
            PendingBlocks pending = new PendingBlocks();
            for (int task = next.getAndIncrement(); task < tasks; task = next.getAndIncrement()) {
                int p = task % cohort.patients;
                addDay(pending, cohort, ids[p], versions[p], p, task / cohort.patients);
                if (pending.blocks().size() >= batchBlocks) {
                    stored.addAndGet(writer.write(pending.blocks(), null, 0));
                    pending.clear();
                }
            }
            if (!pending.isEmpty()) {
                stored.addAndGet(writer.write(pending.blocks(), null, 0));
            }
            return null;
        }
    }

    /**
     * One patient-day: 24 hour blocks of 86,400 readings, sent by the patient's watch as hourly
     * dense series ({@code hr-<UTC hour>#<n>}, as the normalizer names series samples) and received
     * half a minute after each hour. Values are a bounded random walk seeded by patient and day, so
     * every run stores the same bytes but for the nonces.
     */
    static void addDay(
            PendingBlocks pending,
            Cohort cohort,
            String patientId,
            int keyVersion,
            int patient,
            int day) {
        DeviceInfo watch = new DeviceInfo("watch-" + patient, "Acme", "Band 5");
        Random random = new Random(patient * 1_000_003L + day);
        long dayStart = cohort.firstDayMicros() + day * Cohort.DAY_MICROS;
        int bpm = 60 + random.nextInt(30);
        for (int h = 0; h < 24; h++) {
            long hour = dayStart + h * Cohort.HOUR_MICROS;
            String series = "hr-" + HOUR_ID.format(Instant.ofEpochSecond(hour / 1_000_000L)) + "#";
            long received = hour + Cohort.HOUR_MICROS + 30_000_000L;
            for (int n = 0; n < 3600; n++) {
                bpm = Math.max(45, Math.min(150, bpm + random.nextInt(3) - 1));
                long t = hour + n * 1_000_000L;
                pending.add(
                        patientId,
                        keyVersion,
                        new NormalizedReading(
                                ReadingType.HEART_RATE,
                                series + n,
                                t,
                                t,
                                OFFSET_SECONDS,
                                bpm,
                                Double.NaN),
                        watch,
                        received);
            }
        }
    }

    /**
     * What {@code reading_blocks} holds, and its size on disk: heap, indexes and TOAST of every
     * chunk or partition.
     */
    record TableStats(String mode, long blocks, long readings, long bytes) {

        static TableStats read(DataSource ds) throws Exception {
            try (Connection c = ds.getConnection();
                    Statement s = c.createStatement()) {
                boolean hyper; // TimescaleDB installed and the table not natively partitioned, as
                // the migrations decide
                try (ResultSet r =
                        s.executeQuery(
                                "select exists (select 1 from pg_extension where extname = 'timescaledb') "
                                        + "and not exists (select 1 from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid "
                                        + "where c.relname = 'reading_blocks')")) {
                    r.next();
                    hyper = r.getBoolean(1);
                }
                String size =
                        hyper
                                ? "hypertable_size('reading_blocks')"
                                : "(select coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) from pg_inherits i "
                                        + "where i.inhparent = 'reading_blocks'::regclass) + pg_total_relation_size('reading_blocks')";
                try (ResultSet r =
                        s.executeQuery(
                                "select count(*), coalesce(sum(n_readings), 0), "
                                        + size
                                        + " from reading_blocks")) {
                    r.next();
                    return new TableStats(
                            hyper ? "hypertable" : "partitions",
                            r.getLong(1),
                            r.getLong(2),
                            r.getLong(3));
                }
            }
        }

        /**
         * After VACUUM ANALYZE, so the size counts no dead rows and the planner knows the new data.
         */
        static TableStats vacuumAndRead(DataSource ds) throws Exception {
            try (Connection c = ds.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("vacuum analyze reading_blocks");
            }
            return read(ds);
        }

        String humanBytes() {
            return bytes >= 1 << 30
                    ? String.format("%.2f GB", bytes / (double) (1 << 30))
                    : String.format("%.0f MB", bytes / (double) (1 << 20));
        }
    }
}

package org.jkn.telemetry.benchmarks.store;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.jkn.telemetry.normalizer.catalog.Category;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.db.StorageMode;
import org.jkn.telemetry.store.query.LatestQuery;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.ReadingSeries;
import org.jkn.telemetry.store.query.SeriesStatistics;
import org.jkn.telemetry.store.query.StatisticsQuery;
import org.jkn.telemetry.store.query.StatisticsResult;

/**
 * Latency of {@code Observation/$stats} and {@code $lastn} over what {@link BlockLoader} stored, as
 * {@link SearchLatency} measures search: {@code --warmup} calls not recorded, then {@code
 * --requests} recorded one at a time for random patients, operations taking turns. {@code store} is
 * {@link ReadingQueries#statistics} / {@link ReadingQueries#latest}; {@code http} the running
 * gateway (token, audit commit, rendering, transfer). Every answer is checked: the statistics of
 * every hour of the cohort's days hold 3,600 readings, and $lastn returns {@code max} readings.
 *
 * <pre>
 * java [chronicle flags] -cp benchmarks/target/benchmarks.jar org.jkn.telemetry.benchmarks.store.OperationLatency \
 *     --url jdbc:postgresql://... --patients 10 --days 30 --first-day 2026-10-20 \
 *     [--http http://127.0.0.1:18280] [--levels store,http] [--operations stats,lastn] \
 *     [--warmup 20] [--requests 200] [--seed 1]
 * </pre>
 */
public final class OperationLatency {

    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(5);

    /** What is timed. */
    enum Operation {
        STATS_ORDERED("$stats hourly, with median", true),
        STATS("$stats hourly, no median", false),
        LASTN_1("$lastn vitals, max=1", false),
        LASTN_10("$lastn vitals, max=10", false);

        final String label;
        final boolean ordered;

        Operation(String label, boolean ordered) {
            this.label = label;
            this.ordered = ordered;
        }

        boolean stats() {
            return this == STATS_ORDERED || this == STATS;
        }

        int max() {
            return this == LASTN_10 ? 10 : 1;
        }
    }

    /** One call at one level; returns what the check counts (hours, or readings). */
    interface Level {
        int call(Operation op, int patient) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        Cohort cohort = Cohort.of(o);
        try (Database db =
                Database.open(Cohort.database(o.get("--url"), o.get("--timescale"), 2))) {
            ReadingQueries queries =
                    new ReadingQueries(
                            db.dataSource(), cohort.crypto(db.dataSource()), Duration.ofDays(31));
            List<Measured> measured = measured(o, queries, cohort);
            Random random = new Random(Long.parseLong(o.get("--seed")));
            run(measured, cohort, random, Integer.parseInt(o.get("--warmup")), false);
            run(measured, cohort, random, Integer.parseInt(o.get("--requests")), true);
            print(db.mode(), cohort, measured);
        }
    }

    private static Map<String, String> options(String[] args) {
        return Cohort.options(
                args,
                "--url",
                "",
                "--timescale",
                "auto",
                "--patients",
                "10",
                "--days",
                "30",
                "--first-day",
                "",
                "--http",
                "",
                "--levels",
                "store,http",
                "--warmup",
                "20",
                "--requests",
                "200",
                "--seed",
                "1",
                "--operations",
                "stats,lastn");
    }

    /** One histogram per level and operation asked for. */
    private static List<Measured> measured(
            Map<String, String> o, ReadingQueries queries, Cohort cohort) {
        List<String> operations = Arrays.asList(o.get("--operations").split(",", -1));
        List<Measured> measured = new ArrayList<>();
        for (String name : o.get("--levels").split(",", -1)) {
            Level level =
                    switch (name) {
                        case "store" -> store(queries, cohort);
                        case "http" -> http(o.get("--http"), cohort);
                        default -> throw new IllegalArgumentException("levels: store, http");
                    };
            for (Operation op : Operation.values()) {
                if (operations.contains(op.stats() ? "stats" : "lastn")) {
                    measured.add(new Measured(name, level, op, new Histogram(MAX_MICROS, 3)));
                }
            }
        }
        return measured;
    }

    private static void print(StorageMode mode, Cohort cohort, List<Measured> measured) {
        System.out.printf(
                "%n%s, %d patients x %d days of 1 Hz heart rate%n",
                mode == StorageMode.TIMESCALE ? "hypertable" : "partitions",
                cohort.patients,
                cohort.days);
        System.out.printf("| operation | level | calls | p50 ms | p90 ms | p99 ms | max ms |%n");
        System.out.printf("|---|---|---|---|---|---|---|%n");
        for (Measured m : measured) {
            Histogram h = m.histogram;
            System.out.printf(
                    "| %s | %s | %,d | %.1f | %.1f | %.1f | %.1f |%n",
                    m.op.label,
                    m.level,
                    h.getTotalCount(),
                    h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(90) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0,
                    h.getMaxValue() / 1000.0);
        }
    }

    private record Measured(String level, Level call, Operation op, Histogram histogram) {}

    private static void run(
            List<Measured> measured, Cohort cohort, Random random, int n, boolean record)
            throws Exception {
        List<Measured> order = new ArrayList<>(measured);
        for (int i = 0; i < n; i++) {
            int patient = random.nextInt(cohort.patients);
            Collections.shuffle(order, random);
            for (Measured m : order) {
                long t0 = System.nanoTime();
                int found = m.call.call(m.op, patient);
                long micros = (System.nanoTime() - t0) / 1000;
                int expected = m.op.stats() ? cohort.days * 24 : m.op.max();
                if (found != expected) {
                    throw new IllegalStateException(
                            m.level
                                    + " "
                                    + m.op.label
                                    + " found "
                                    + found
                                    + ", expected "
                                    + expected
                                    + ": is the cohort the one loaded?");
                }
                if (record) {
                    m.histogram.recordValue(Math.min(micros, MAX_MICROS));
                }
            }
        }
    }

    private static Level store(ReadingQueries queries, Cohort cohort) {
        Set<String> heartRateCodes = ReadingType.storedCodesMatching(null, "8867-4");
        ReadingSeries heartRate =
                new ReadingSeries(
                        EnumSet.of(ReadingType.HEART_RATE, ReadingType.RESTING_HEART_RATE),
                        heartRateCodes,
                        false);
        List<ReadingType> vitals = new ArrayList<>();
        for (ReadingType t : ReadingType.values()) {
            if (t.category() == Category.VITAL_SIGNS) {
                vitals.add(t);
            }
        }
        long from = cohort.firstDayMicros();
        long to = from + cohort.days * Cohort.DAY_MICROS;
        return (op, patient) -> {
            String id = cohort.patientId(patient);
            if (op.stats()) {
                StatisticsResult r =
                        queries.statistics(
                                new StatisticsQuery(
                                        id,
                                        List.of(heartRate),
                                        from,
                                        to,
                                        Cohort.HOUR_MICROS,
                                        op.ordered));
                SeriesStatistics s = r.series().get(0);
                int full = 0;
                for (int k = 0; k < s.bucketCount(); k++) {
                    if (s.bucket(k) != null && s.bucket(k).count() == 3600) {
                        full++;
                        if (op.ordered && s.bucket(k).percentile(0.5) <= 0) {
                            throw new IllegalStateException("a median of heart rate <= 0");
                        }
                    }
                }
                return full;
            }
            return queries.latest(new LatestQuery(id, vitals, Set.of(), op.max())).size();
        };
    }

    private static Level http(String base, Cohort cohort) {
        if (base.isEmpty()) {
            throw new IllegalArgumentException("--http is required for the http level");
        }
        HttpClient client = GatewayHttp.client();
        String[] tokens = new String[cohort.patients];
        String period =
                cohort.firstDay
                        + "T00:00:00Z/"
                        + cohort.firstDay.plusDays(cohort.days)
                        + "T00:00:00Z";
        return (op, patient) -> {
            if (tokens[patient] == null) {
                tokens[patient] =
                        GatewayHttp.get(
                                client,
                                base + "/dev/token?role=patient&nik=" + Cohort.nik(patient),
                                null);
            }
            String id = cohort.patientId(patient);
            String url =
                    op.stats()
                            ? base
                                    + "/fhir/Observation/$stats?subject="
                                    + id
                                    + "&code=8867-4&interval=PT1H&period="
                                    + period
                                    + "&statistic=count,minimum,maximum,average"
                                    + (op.ordered ? ",median" : "")
                            : base
                                    + "/fhir/Observation/$lastn?patient="
                                    + id
                                    + "&category=vital-signs&max="
                                    + op.max();
            String body = GatewayHttp.get(client, url, tokens[patient]);
            return op.stats()
                    ? GatewayHttp.occurrences(body, "\"valueInteger\":3600")
                    : GatewayHttp.occurrences(body, "\"fullUrl\"");
        };
    }
}

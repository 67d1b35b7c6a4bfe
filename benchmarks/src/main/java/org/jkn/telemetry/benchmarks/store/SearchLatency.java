package org.jkn.telemetry.benchmarks.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.db.StorageMode;
import org.jkn.telemetry.store.query.ReadingQueries;

/**
 * Search latency over what {@link BlockLoader} stored: for each level ({@link SearchLevel}) and
 * query ({@link SearchQuery}), {@code --warmup} searches not recorded, then {@code --requests}
 * recorded in an HdrHistogram, one at a time (a single client, so each figure is the latency of one
 * search on an otherwise idle service, not of a queue), each for a random patient and time of the
 * cohort. Levels and queries take turns search by search, so load from elsewhere on the machine
 * weighs on all of them alike and their differences stay meaningful. Every page is checked to hold
 * exactly the Observations asked for, so a cohort or key that does not match the loaded data fails
 * instead of timing empty answers.
 *
 * <pre>
 * java [chronicle flags] -cp benchmarks/target/benchmarks.jar org.jkn.telemetry.benchmarks.store.SearchLatency \
 *     --url jdbc:postgresql://... [--timescale auto|off] --patients 40 --days 15 --first-day 2026-11-17 \
 *     [--http http://127.0.0.1:8080] [--levels store,render,stream,http] [--queries hour,day,day-hr,day-asc,none] \
 *     [--warmup 300] [--requests 2000] [--seed 1]
 * </pre>
 *
 * Same cohort options and keys (TELEMETRY_KEK, TELEMETRY_PSEUDONYM_KEY) as the loader; the gateway
 * at {@code --http} must run on the same database with the same keys, in the dev profile.
 */
public final class SearchLatency {

    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(5);

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        Cohort cohort = Cohort.of(o);
        int warmup = Integer.parseInt(o.get("--warmup"));
        int requests = Integer.parseInt(o.get("--requests"));
        String[] ids = new String[cohort.patients];
        for (int p = 0; p < ids.length; p++) {
            ids[p] = cohort.patientId(p);
        }
        List<String> levelNames = List.of(o.get("--levels").split(",", -1));
        List<SearchQuery> queryList = new ArrayList<>();
        for (String q : o.get("--queries").split(",", -1)) {
            queryList.add(SearchQuery.of(q));
        }
        try (Database db =
                Database.open(Cohort.database(o.get("--url"), o.get("--timescale"), 2))) {
            // the gateway's longest reading period (TELEMETRY_MAX_READING_PERIOD): it bounds the
            // look-back of date searches
            ReadingQueries queries =
                    new ReadingQueries(
                            db.dataSource(), cohort.crypto(db.dataSource()), Duration.ofDays(31));
            List<Measured> measured = measured(o, cohort, queries, levelNames, queryList);
            Random random = new Random(Long.parseLong(o.get("--seed")));
            run(measured, cohort, ids, random, warmup, false);
            run(measured, cohort, ids, random, requests, true);
            printTable(db.mode() == StorageMode.TIMESCALE ? "hypertable" : "partitions", measured);
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
                "40",
                "--days",
                "15",
                "--first-day",
                "",
                "--http",
                "",
                "--levels",
                "store,render,stream,http",
                "--queries",
                "hour,day,day-hr,day-asc,none",
                "--warmup",
                "300",
                "--requests",
                "2000",
                "--seed",
                "1");
    }

    /** Every level asked for with every query it can run, each with an empty histogram. */
    private static List<Measured> measured(
            Map<String, String> o,
            Cohort cohort,
            ReadingQueries queries,
            List<String> levelNames,
            List<SearchQuery> queryList) {
        List<Measured> measured = new ArrayList<>();
        for (String levelName : levelNames) {
            SearchLevel level =
                    switch (levelName) {
                        case "store" -> SearchLevel.store(queries);
                        case "render" -> SearchLevel.render(queries);
                        case "stream" -> SearchLevel.stream(queries);
                        case "http" -> SearchLevel.http(require(o, "--http"), cohort.patients);
                        default ->
                                throw new IllegalArgumentException(
                                        "unknown level "
                                                + levelName
                                                + "; known: store, render, stream, http");
                    };
            for (SearchQuery query : queryList) {
                if (query != SearchQuery.NONE
                        || levelName.equals(
                                "http")) { // below HTTP it reads nothing: nothing to measure
                    measured.add(
                            new Measured(levelName, level, query, new Histogram(MAX_MICROS, 3)));
                }
            }
        }
        return measured;
    }

    private static void printTable(String mode, List<Measured> measured) {
        System.out.printf(
                "%n| storage | level | query | page | searches | p50 ms | p90 ms | p99 ms | max ms | mean ms |%n");
        System.out.printf("|---|---|---|---|---|---|---|---|---|---|%n");
        for (Measured m : measured) {
            Histogram h = m.histogram;
            System.out.printf(
                    "| %s | %s | %s | %d | %,d | %s | %s | %s | %s | %s |%n",
                    mode,
                    m.levelName,
                    m.query.label,
                    m.query.count,
                    h.getTotalCount(),
                    ms(h.getValueAtPercentile(50)),
                    ms(h.getValueAtPercentile(90)),
                    ms(h.getValueAtPercentile(99)),
                    ms(h.getMaxValue()),
                    ms((long) h.getMean()));
        }
    }

    /** One level and query, and what it measured. */
    private record Measured(
            String levelName, SearchLevel level, SearchQuery query, Histogram histogram) {}

    /**
     * {@code n} rounds; each runs every level and query once, in a shuffled order, so all of them
     * see the same background load and no one always runs right after another. Each query's levels
     * search the same random target in a round.
     */
    private static void run(
            List<Measured> measured,
            Cohort cohort,
            String[] ids,
            Random random,
            int n,
            boolean record)
            throws Exception {
        List<Measured> order = new ArrayList<>(measured);
        for (int i = 0; i < n; i++) {
            Map<SearchQuery, SearchQuery.Target> targets = new EnumMap<>(SearchQuery.class);
            for (Measured m : measured) {
                targets.computeIfAbsent(m.query, q -> q.pick(cohort, random));
            }
            Collections.shuffle(order, random);
            for (Measured m : order) {
                SearchQuery.Target t = targets.get(m.query);
                long t0 = System.nanoTime();
                int found = m.level.search(m.query, ids[t.patient()], Cohort.nik(t.patient()), t);
                long micros = (System.nanoTime() - t0) / 1000;
                if (found != m.query.count) {
                    throw new IllegalStateException(
                            m.levelName
                                    + " "
                                    + m.query.label
                                    + " search of patient "
                                    + t.patient()
                                    + " from "
                                    + t.fromMicros()
                                    + " found "
                                    + found
                                    + " Observations, expected "
                                    + m.query.count
                                    + ": is the cohort the one loaded?");
                }
                if (record) {
                    m.histogram.recordValue(Math.min(micros, MAX_MICROS));
                }
            }
        }
    }

    private static String ms(long micros) {
        double ms = micros / 1000.0;
        return String.format(ms >= 100 ? "%.0f" : ms >= 10 ? "%.1f" : "%.2f", ms);
    }

    private static String require(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v.isEmpty()) {
            throw new IllegalArgumentException(name + " is required for that level");
        }
        return v;
    }
}

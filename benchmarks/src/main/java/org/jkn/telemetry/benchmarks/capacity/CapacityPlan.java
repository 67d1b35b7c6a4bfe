package org.jkn.telemetry.benchmarks.capacity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * The capacity plan of {@code docs/capacity.md} as arithmetic that reruns when a figure changes:
 * named inputs, each either measured (its default from BENCHMARKS.md, with the section) or assumed,
 * and a Markdown table of what a deployment of so many devices needs. Computes only; measures
 * nothing.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.jkn.telemetry.benchmarks.capacity.CapacityPlan \
 *     [--devices 1000000,10000000,50000000] [--peak-factor 4] [--node-readings-per-s 532197] ...
 * java -cp benchmarks/target/benchmarks.jar org.jkn.telemetry.benchmarks.capacity.CapacityPlan --help
 * </pre>
 */
public final class CapacityPlan {

    private static final double SECONDS_PER_DAY = 86_400;

    /** Where an input's default comes from. */
    enum Basis {
        MEASURED,
        ASSUMED
    }

    /** One named input: {@code --name value}. */
    record Input(String name, String defaultValue, Basis basis, String meaning) {}

    static final List<Input> INPUTS =
            List.of(
                    new Input(
                            "devices",
                            "1000000,10000000,50000000",
                            Basis.ASSUMED,
                            "devices sending readings, one column each"),
                    new Input(
                            "mix",
                            "heart_rate=1440,steps=24,oxygen_saturation=24,heart_rate_variability=4,"
                                    + "respiratory_rate=4,sleep_session=1,blood_pressure=1,weight=1",
                            Basis.ASSUMED,
                            "readings per device per day, by type: heart rate once a minute, steps"
                                    + " and SpO2 hourly, a few of the rest"),
                    new Input(
                            "peak-factor",
                            "4",
                            Basis.ASSUMED,
                            "peak ingest rate over the day's mean (phones sync in bursts)"),
                    new Input(
                            "node-readings-per-s",
                            "532197",
                            Basis.MEASURED,
                            "stored readings/s of one gateway, HTTP batches of single readings"
                                    + " into a TimescaleDB hypertable, 60 s, 2 cores shared with"
                                    + " the load generator and the database (BENCHMARKS.md, Sixty"
                                    + " seconds end to end, with the harness's clocks fixed)"),
                    new Input(
                            "drain-readings-per-s",
                            "1142176",
                            Basis.MEASURED,
                            "the store alone: journal to blocks in a TimescaleDB hypertable, 1 Hz"
                                    + " samples, one writer, 4.07x a raw COPY in the same run"
                                    + " (BENCHMARKS.md, The store alone, key-only hypertable)"),
                    new Input(
                            "utilisation",
                            "0.6",
                            Basis.ASSUMED,
                            "share of a measured rate or of a node's cores planned for at peak"),
                    new Input(
                            "spare-nodes",
                            "1",
                            Basis.ASSUMED,
                            "gateway and API nodes beyond the count the load needs"),
                    new Input(
                            "bytes-heart-rate",
                            "6",
                            Basis.ASSUMED,
                            "bytes on disk per heart-rate reading at one a minute: 3.00 measured"
                                    + " at 1 Hz (BENCHMARKS.md, The store alone), plus the row cost"
                                    + " of an hour block holding 60 readings instead of 3,600"),
                    new Input(
                            "bytes-other",
                            "31.01",
                            Basis.MEASURED,
                            "bytes on disk per reading of the other types: the sparse day"
                                    + " (DrainThroughput --mode mixed, BENCHMARKS.md, The store"
                                    + " alone)"),
                    new Input(
                            "retention-days",
                            "1826",
                            Basis.ASSUMED,
                            "days kept (TELEMETRY_RETENTION=P1826D, five years)"),
                    new Input(
                            "min-replicas",
                            "1",
                            Basis.ASSUMED,
                            "streaming replicas per database primary at least (fail-over)"),
                    new Input(
                            "connected-share",
                            "0.10",
                            Basis.ASSUMED,
                            "share of devices holding an MQTT connection at peak"),
                    new Input(
                            "broker-connections-per-node",
                            "500000",
                            Basis.ASSUMED,
                            "connections per EMQX node (EMQX's sizing, not measured here)"),
                    new Input(
                            "syncs-per-device-day",
                            "24",
                            Basis.ASSUMED,
                            "batches (MQTT publishes) per device per day"),
                    new Input(
                            "broker-messages-per-node",
                            "100000",
                            Basis.ASSUMED,
                            "QoS 1 publishes/s per EMQX node (EMQX's sizing, not measured here)"),
                    new Input(
                            "broker-min-nodes",
                            "3",
                            Basis.ASSUMED,
                            "EMQX cluster nodes at least (fail-over)"),
                    new Input(
                            "searches-per-device-day",
                            "4",
                            Basis.ASSUMED,
                            "FHIR searches of a 1,000-Observation page per device's patient per"
                                    + " day (patient app and clinicians)"),
                    new Input(
                            "read-peak-factor",
                            "4",
                            Basis.ASSUMED,
                            "peak search rate over the day's mean"),
                    new Input(
                            "search-http-p50-ms",
                            "7.00",
                            Basis.MEASURED,
                            "FHIR search over HTTP, one hour of 1,000 Observations, hypertable,"
                                    + " p50; taken as the search's cost in API-node core time"
                                    + " (BENCHMARKS.md, Search latency with 51.8 M readings"
                                    + " stored, after the audit overlap)"),
                    new Input(
                            "search-http-p99-ms",
                            "18.1",
                            Basis.MEASURED,
                            "the same search's p99, against its target of 30 ms (same section)"),
                    new Input(
                            "search-store-p50-ms",
                            "2.29",
                            Basis.MEASURED,
                            "the same search's store level (the database's part and decoding),"
                                    + " p50; taken as its cost in replica core time (same section)"),
                    new Input(
                            "cores-per-node",
                            "8",
                            Basis.ASSUMED,
                            "cores of a FHIR API node and of a database replica"));

    private final Map<String, String> values;
    private final Map<String, Double> mix;

    /** The inputs' defaults, overridden by {@code --name value} pairs. */
    CapacityPlan(String... args) {
        values = new LinkedHashMap<>();
        for (Input in : INPUTS) {
            values.put(in.name(), in.defaultValue());
        }
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!values.containsKey(name) || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "unknown option or missing value: " + args[i] + "; --help lists them");
            }
            values.put(name, args[i + 1]);
        }
        mix = new LinkedHashMap<>();
        for (String pair : values.get("mix").split(",", -1)) {
            String[] kv = pair.trim().split("=", 2);
            if (kv.length != 2 || ReadingType.ofWireName(kv[0]) == null) {
                throw new IllegalArgumentException("--mix: not type=readings/day: " + pair);
            }
            mix.put(kv[0], Double.parseDouble(kv[1]));
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(new CapacityPlan().inputs());
            return;
        }
        CapacityPlan plan = new CapacityPlan(args);
        System.out.println(plan.inputs());
        System.out.println(plan.table());
    }

    double value(String name) {
        return Double.parseDouble(values.get(name));
    }

    List<Long> devices() {
        List<Long> d = new ArrayList<>();
        for (String s : values.get("devices").split(",", -1)) {
            d.add(Long.parseLong(s.trim()));
        }
        return d;
    }

    /** What {@code devices} devices need. Disk in bytes, decimal. */
    record Sizing(
            long devices,
            double readingsPerDay,
            Map<String, Double> readingsPerDayByType,
            double meanReadingsPerSecond,
            double peakReadingsPerSecond,
            int ingestNodes,
            int databasePrimaries,
            double brokerConnections,
            double brokerMessagesPerSecond,
            int brokerNodes,
            double bytesPerDay,
            double bytesPerYear,
            double bytesRetained,
            int replicasPerPrimary,
            double bytesRetainedAllCopies,
            double peakSearchesPerSecond,
            double apiCores,
            int apiNodes,
            double replicaCores) {}

    Sizing size(long devices) {
        Map<String, Double> byType = new LinkedHashMap<>();
        double perDevice = 0;
        for (Map.Entry<String, Double> e : mix.entrySet()) {
            byType.put(e.getKey(), e.getValue() * devices);
            perDevice += e.getValue();
        }
        double util = value("utilisation");
        double perDay = perDevice * devices;
        double mean = perDay / SECONDS_PER_DAY;
        double peak = mean * value("peak-factor");
        int ingestNodes =
                ceil(peak / (value("node-readings-per-s") * util)) + (int) value("spare-nodes");
        int primaries = Math.max(1, ceil(peak / (value("drain-readings-per-s") * util)));
        double connections = devices * value("connected-share");
        double messages =
                devices * value("syncs-per-device-day") / SECONDS_PER_DAY * value("peak-factor");
        int brokerNodes =
                Math.max(
                        (int) value("broker-min-nodes"),
                        Math.max(
                                ceil(connections / value("broker-connections-per-node")),
                                ceil(messages / value("broker-messages-per-node"))));
        double bytesPerDay = bytesPerDevice() * devices;
        Reads reads = reads(devices, primaries, util);
        double retained = bytesPerDay * value("retention-days");
        return new Sizing(
                devices,
                perDay,
                byType,
                mean,
                peak,
                ingestNodes,
                primaries,
                connections,
                messages,
                brokerNodes,
                bytesPerDay,
                bytesPerDay * 365,
                retained,
                reads.replicas(),
                retained * (1 + reads.replicas()),
                reads.searches(),
                reads.apiCores(),
                reads.apiNodes(),
                reads.replicaCores());
    }

    /** Bytes a device's readings of a day take: heart rate at its own cost, the rest at theirs. */
    private double bytesPerDevice() {
        double bytes = 0;
        for (Map.Entry<String, Double> e : mix.entrySet()) {
            bytes +=
                    e.getValue()
                            * value(
                                    e.getKey().equals("heart_rate")
                                            ? "bytes-heart-rate"
                                            : "bytes-other");
        }
        return bytes;
    }

    private record Reads(
            double searches, double apiCores, int apiNodes, double replicaCores, int replicas) {}

    /** Peak searches, and the API nodes and read replicas they take. */
    private Reads reads(long devices, int primaries, double util) {
        double searches =
                devices
                        * value("searches-per-device-day")
                        / SECONDS_PER_DAY
                        * value("read-peak-factor");
        double coreCapacity = value("cores-per-node") * util;
        double apiCores = searches * value("search-http-p50-ms") / 1000;
        int apiNodes = ceil(apiCores / coreCapacity) + (int) value("spare-nodes");
        double replicaCores = searches * value("search-store-p50-ms") / 1000;
        int replicas =
                Math.max(
                        (int) value("min-replicas"), ceil(replicaCores / primaries / coreCapacity));
        return new Reads(searches, apiCores, apiNodes, replicaCores, replicas);
    }

    private static int ceil(double x) {
        // a hair of rounding error must not add a node
        return (int) Math.ceil(x - 1e-9);
    }

    /** The inputs, their values and their basis, as a Markdown table. */
    String inputs() {
        StringBuilder b = new StringBuilder();
        b.append("| input | value | basis | meaning |\n|---|---|---|---|\n");
        for (Input in : INPUTS) {
            b.append("| `--")
                    .append(in.name())
                    .append("` | ")
                    .append(values.get(in.name()))
                    .append(" | ")
                    .append(in.basis().name().toLowerCase(Locale.ROOT))
                    .append(values.get(in.name()).equals(in.defaultValue()) ? "" : " (changed)")
                    .append(" | ")
                    .append(in.meaning())
                    .append(" |\n");
        }
        return b.toString();
    }

    /** The sizing of every {@code --devices} count, one column each, as a Markdown table. */
    String table() {
        List<Sizing> s = new ArrayList<>();
        for (long d : devices()) {
            s.add(size(d));
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(row("devices", s, x -> count((double) x.devices())));
        ingestRows(s, rows);
        storageRows(s, rows);
        readRows(s, rows);
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            b.append("| ").append(String.join(" | ", rows.get(r))).append(" |\n");
            if (r == 0) {
                b.append("|---".repeat(rows.get(0).length)).append("|\n");
            }
        }
        double p99 = value("search-http-p99-ms");
        b.append('\n')
                .append(
                        String.format(
                                Locale.ROOT,
                                "FHIR search of a 1,000 page over HTTP: p99 %.1f ms against a target"
                                        + " of 30 ms (%s); measured with 51.8 M readings"
                                        + " stored; a search reads one patient's blocks.%n",
                                p99,
                                p99 <= 30 ? "met" : "not met"));
        return b.toString();
    }

    /** Readings by type, rates, gateways and the broker. */
    private void ingestRows(List<Sizing> s, List<String[]> rows) {
        rows.add(row("readings per day", s, x -> count(x.readingsPerDay())));
        for (String type : mix.keySet()) {
            rows.add(
                    row(
                            "- " + type + " (" + count(mix.get(type)) + " per device)",
                            s,
                            x -> count(x.readingsPerDayByType().get(type))));
        }
        rows.add(row("mean readings/s", s, x -> count(x.meanReadingsPerSecond())));
        rows.add(
                row(
                        "peak readings/s (x" + values.get("peak-factor") + ")",
                        s,
                        x -> count(x.peakReadingsPerSecond())));
        rows.add(
                row(
                        "gateway (ingest) nodes, " + values.get("spare-nodes") + " spare included",
                        s,
                        x -> Integer.toString(x.ingestNodes())));
        rows.add(row("MQTT connections at peak", s, x -> count(x.brokerConnections())));
        rows.add(row("MQTT publishes/s at peak", s, x -> count(x.brokerMessagesPerSecond())));
        rows.add(row("EMQX nodes", s, x -> Integer.toString(x.brokerNodes())));
    }

    /** Database primaries, bytes per day and year, and what is kept. */
    private void storageRows(List<Sizing> s, List<String[]> rows) {
        rows.add(
                row(
                        "TimescaleDB primaries (shards by patient)",
                        s,
                        x -> Integer.toString(x.databasePrimaries())));
        rows.add(row("TimescaleDB data per day", s, x -> bytes(x.bytesPerDay())));
        rows.add(row("TimescaleDB data per year", s, x -> bytes(x.bytesPerYear())));
        rows.add(
                row(
                        "data kept (" + values.get("retention-days") + " days), one copy",
                        s,
                        x -> bytes(x.bytesRetained())));
    }

    /** FHIR searches, API nodes, read replicas and the disk of every copy. */
    private void readRows(List<Sizing> s, List<String[]> rows) {
        rows.add(
                row(
                        "FHIR searches/s at peak (x" + values.get("read-peak-factor") + ")",
                        s,
                        x -> count(x.peakSearchesPerSecond())));
        rows.add(
                row(
                        "FHIR API nodes ("
                                + values.get("cores-per-node")
                                + " cores), spare included",
                        s,
                        x -> Integer.toString(x.apiNodes())));
        rows.add(
                row(
                        "read replicas per primary",
                        s,
                        x ->
                                x.replicasPerPrimary()
                                        + " ("
                                        + String.format(Locale.ROOT, "%.1f", x.replicaCores())
                                        + " cores of searches in all)"));
        rows.add(
                row(
                        "disk, primaries and replicas, data kept",
                        s,
                        x -> bytes(x.bytesRetainedAllCopies())));
    }

    private static String[] row(String label, List<Sizing> s, Function<Sizing, String> cell) {
        String[] r = new String[s.size() + 1];
        r[0] = label;
        for (int i = 0; i < s.size(); i++) {
            r[i + 1] = cell.apply(s.get(i));
        }
        return r;
    }

    /** A count for reading: 123,457 below a million, else 1.2 M or 1.50 billion. */
    static String count(double x) {
        if (x >= 1e9) {
            return String.format(Locale.ROOT, "%.2f billion", x / 1e9);
        }
        if (x >= 1e6) {
            return String.format(Locale.ROOT, "%.1f M", x / 1e6);
        }
        return String.format(Locale.ROOT, "%,d", Math.round(x));
    }

    /** Decimal bytes: GB, TB, PB with three significant digits. */
    static String bytes(double x) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        int u = 0;
        while (x >= 1000 && u < units.length - 1) {
            x /= 1000;
            u++;
        }
        return String.format(
                Locale.ROOT, x >= 100 ? "%.0f %s" : x >= 10 ? "%.1f %s" : "%.2f %s", x, units[u]);
    }
}

package org.jkn.telemetry.benchmarks.load;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * End-to-end load on a running development gateway: simulated patients upload heart rate (HTTP
 * batches, HTTP dense series, or MQTT devices) for a while, then it waits until the journal is
 * drained into the database and reports what the whole path sustains: readings acknowledged and
 * stored per second, acknowledgement latency percentiles, bytes on disk per stored reading, and a
 * raw COPY into the same database for comparison. Ends with a markdown table row set for
 * BENCHMARKS.md. {@code benchmarks/e2e.sh} starts a database and a gateway and runs this.
 *
 * <p>It creates patients, consents and devices: point it at a throwaway gateway, never at
 * production data. Nothing identifying is printed (no NIK, token or secret).
 */
public final class EndToEnd {

    private final Options o;
    private final GatewayClient gateway;

    private EndToEnd(Options o) {
        this.o = o;
        this.gateway = new GatewayClient(o.http());
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(Options.USAGE);
            return;
        }
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        int status = new EndToEnd(o).run();
        System.exit(status); // Paho's and the HTTP client's threads would keep the JVM alive
    }

    private int run() throws Exception {
        String runTag = Long.toString(System.currentTimeMillis(), 36);
        // the wearers' clocks start days back, whole minutes, so a run's readings look like a
        // synced backlog
        long firstSecond = (Instant.now().getEpochSecond() - o.daysBack() * 86_400L) / 60 * 60;
        printPlan();

        List<HeartRateFeed> feeds = new ArrayList<>();
        Transport transport = setUp(runTag, firstSecond, feeds);
        String initial = gateway.metrics();
        warmUp(transport);
        String before = gateway.metrics();
        LoadDriver driver =
                new LoadDriver(transport, o.patients(), o.batch(), o.rate(), o.concurrency());
        Histogram latency = new Histogram(3);
        driver.start(o.seconds());
        progress(driver, latency, before);
        if (!driver.awaitAnswers(120)) {
            System.out.println(
                    "warning: batches still unanswered 120 s after the end of the run; counted as not acknowledged");
        }
        driver.interval(latency);
        // 1-minute load average as sending ended: on a shared machine, the context every figure
        // needs
        String loadAtSendEnd = loadAverage().split(" ", -1)[0];
        // the run's length, or up to the last answer when that came later: every slot may have sat
        // out a
        // Retry-After at the end, which is part of the run, not a reason to divide by less
        double sendSeconds =
                Math.max(
                        o.seconds(),
                        (driver.lastAnswerNanos.get() - driver.firstSendNanos()) / 1e9);
        Drain drain = drain(driver.firstSendNanos(), before, initial);
        transport.close();
        String after = gateway.metrics();

        long accepted = driver.accepted.sum();
        double acceptedPerSecond = accepted / sendSeconds;
        double storedPerSecond = drain.stored / drain.seconds;
        summary(driver, latency, accepted, sendSeconds, drain, before, after, feeds);
        System.out.printf(
                "load average when sending ended %s, when the journal was drained %s%n",
                loadAtSendEnd, loadAverage());
        Storage storage = storage(drain, firstSecond, storedPerSecond);
        printTable(storage, drain, latency, acceptedPerSecond, storedPerSecond, loadAtSendEnd);
        return accepted > 0 && drain.complete ? 0 : 1;
    }

    private void printPlan() {
        System.out.printf(
                "e2e %s: %d patients, batches of %d, %s, %d in flight at most, %d s; load average %s%n",
                o.mode(),
                o.patients(),
                o.batch(),
                o.rate() > 0
                        ? String.format("%.0f readings/s offered", o.rate())
                        : "as fast as possible",
                o.concurrency(),
                o.seconds(),
                loadAverage());
        if (o.warmup() > 0) {
            System.out.printf("after %d s of warm-up at the same load%n", o.warmup());
        }
    }

    /** What the database holds after the run, and the raw COPY it is compared with. */
    private record Storage(String label, double bytesPerReading, double copyRowsPerSecond) {}

    /**
     * Bytes on disk of the readings' tables, then a raw COPY of at least as many rows into the same
     * database.
     */
    private Storage storage(Drain drain, long firstSecond, double storedPerSecond)
            throws Exception {
        List<StorageProbe.Relation> relations;
        double copyRowsPerSecond;
        try (Connection c = DriverManager.getConnection(o.jdbc(), o.dbUser(), o.dbPassword())) {
            relations = StorageProbe.measure(c);
            long rows = Math.max(drain.storedAll, o.copyMinRows());
            System.out.printf(
                    "COPY baseline: %,d rows into %s, %,d rows per COPY...%n",
                    rows, CopyBaseline.TABLE, o.copyChunk());
            copyRowsPerSecond = CopyBaseline.run(c, rows, o.copyChunk(), o.patients(), firstSecond);
        }
        long bytes = printRelations(relations);
        // warm-up readings are on disk too, so they count here
        double bytesPerReading =
                drain.storedAll > 0 ? (double) bytes / drain.storedAll : Double.NaN;
        System.out.printf(
                "  %,.0f bytes per stored reading (%,d bytes / %,d readings stored since the warm-up began;"
                        + " assumes the database holds only this run's)%n",
                bytesPerReading, bytes, drain.storedAll);
        System.out.printf(
                "  COPY %,.0f rows/s; stored/s / COPY rows/s = %.3f%n",
                copyRowsPerSecond, storedPerSecond / copyRowsPerSecond);
        String label = o.label() != null ? o.label() : storageLabel(relations);
        return new Storage(label, bytesPerReading, copyRowsPerSecond);
    }

    /** One line per table; returns their bytes on disk in all. */
    private static long printRelations(List<StorageProbe.Relation> relations) {
        long bytes = 0;
        for (StorageProbe.Relation r : relations) {
            bytes += r.bytes();
            System.out.printf(
                    "  %s (%s, %d partitions/chunks, %,d rows): %,d bytes: heap %,d, indexes %,d, TOAST %,d%n",
                    r.name(),
                    r.kind(),
                    r.parts(),
                    r.rows(),
                    r.bytes(),
                    r.bytes() - r.indexBytes() - r.toastBytes(),
                    r.indexBytes(),
                    r.toastBytes());
        }
        if (relations.isEmpty()) {
            System.out.println("  neither readings nor reading_blocks exists in this database");
        }
        return bytes;
    }

    /** The markdown table row set for BENCHMARKS.md. */
    private void printTable(
            Storage storage,
            Drain drain,
            Histogram latency,
            double acceptedPerSecond,
            double storedPerSecond,
            String loadAtSendEnd) {
        System.out.println();
        System.out.println(
                "| mode | storage | batch | patients | offered readings/s | run s | accepted/s | stored/s"
                        + " | drain-only stored/s | ack p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | bytes/reading | COPY rows/s | stored/COPY"
                        + " | load avg |");
        System.out.println(
                "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        String offered =
                o.rate() > 0
                        ? String.format("%,.0f", o.rate())
                        : "max (" + o.concurrency() + " in flight)";
        String run = o.seconds() + (o.warmup() > 0 ? " (+" + o.warmup() + " warm-up)" : "");
        String drainOnly =
                Double.isNaN(drain.drainOnlyPerSecond)
                        ? "-"
                        : String.format("%,.0f", drain.drainOnlyPerSecond);
        System.out.printf(
                "| %s | %s | %d | %d | %s | %s | %,.0f | %,.0f | %s | %s | %s | %s | %s | %.1f | %,.0f | %,.0f | %.3f | %s |%n",
                o.mode(),
                storage.label(),
                o.batch(),
                o.patients(),
                offered,
                run,
                acceptedPerSecond,
                storedPerSecond,
                drainOnly,
                ms(latency, 50),
                ms(latency, 90),
                ms(latency, 99),
                ms(latency, 99.9),
                latency.getMaxValue() / 1000.0,
                storage.bytesPerReading(),
                storage.copyRowsPerSecond(),
                storedPerSecond / storage.copyRowsPerSecond(),
                loadAtSendEnd);
    }

    /**
     * Patients with consents (and for MQTT their devices), and the transport that sends for them.
     */
    private Transport setUp(String runTag, long firstSecond, List<HeartRateFeed> feeds)
            throws Exception {
        String admin =
                o.mode().equals("mqtt")
                        ? (o.token() != null ? o.token() : gateway.devToken("role=admin"))
                        : null;
        List<String> tokens = new ArrayList<>();
        System.out.printf(
                "consenting %d patients%s...%n",
                o.patients(), admin != null ? " and registering their devices" : "");
        for (int i = 0; i < o.patients(); i++) {
            String nik = Niks.of(o.patientBase() + i);
            feeds.add(new HeartRateFeed(nik, "e2e-watch-" + i, runTag, firstSecond));
            if (admin == null) {
                String token =
                        gateway.patientToken(
                                nik); // the app's own token: it may upload only this patient's
                // batches
                gateway.consent(token, nik);
                tokens.add(token);
            } else {
                gateway.consent(admin, nik);
            }
        }
        return switch (o.mode()) {
            case "http" -> new HttpTransport(o.http(), feeds, tokens, o.batch(), false);
            case "http-dense" -> new HttpTransport(o.http(), feeds, tokens, o.batch(), true);
            default ->
                    new MqttTransport(
                            gateway, admin, o.mqtt(), feeds, o.batch(), o.mqttInFlight(), runTag);
        };
    }

    /**
     * The same load for {@code --warmup} seconds, not counted: the gateway's JIT compiles its hot
     * path in the first seconds, and on two cores that would otherwise be the run's p99.9 and max.
     * What it leaves in the journal is drained during the measured run, as a steady state would.
     */
    private void warmUp(Transport transport) throws Exception {
        if (o.warmup() == 0) {
            return;
        }
        LoadDriver w =
                new LoadDriver(transport, o.patients(), o.batch(), o.rate(), o.concurrency());
        w.start(o.warmup());
        w.awaitAnswers(120);
        System.out.printf(
                "warm-up: %,d readings acknowledged in %d s (not counted below)%n",
                w.accepted.sum(), o.warmup());
    }

    /**
     * One line a second while sending: what was acknowledged, how fast, and how far the store is
     * behind.
     */
    private void progress(LoadDriver driver, Histogram total, String before) throws Exception {
        double storedBefore = GatewayClient.sum(before, "telemetry_readings_stored_total");
        long lastAccepted = 0;
        double lastStored = storedBefore;
        for (int s = 1; s <= o.seconds(); s++) {
            Thread.sleep(
                    Math.max(
                            0,
                            (driver.firstSendNanos() + s * 1_000_000_000L - System.nanoTime())
                                    / 1_000_000));
            Histogram h = driver.interval(total);
            String m = gateway.metrics();
            double stored = GatewayClient.sum(m, "telemetry_readings_stored_total");
            long a = driver.accepted.sum();
            System.out.printf(
                    "%3ds accepted %,d (%,d/s) p50 %s ms p99 %s ms in-flight %d refused %d failed %d | stored %,.0f/s lag %,.0f%n",
                    s,
                    a,
                    a - lastAccepted,
                    ms(h, 50),
                    ms(h, 99),
                    driver.inFlight(),
                    driver.refusedBatches.sum(),
                    driver.failedBatches.sum(),
                    stored - lastStored,
                    GatewayClient.sum(m, "telemetry_journal_lag_readings"));
            lastAccepted = a;
            lastStored = stored;
        }
    }

    /** {@code stored}: since the measured run began; {@code storedAll}: since the warm-up began. */
    private record Drain(
            long stored,
            long storedAll,
            double seconds,
            double drainOnlyPerSecond,
            boolean complete) {}

    /**
     * Backlog (readings) below which the drain alone is too short to time: a few write
     * transactions.
     */
    private static final double DRAIN_ONLY_MIN_LAG = 50_000;

    /**
     * Waits until the gateway's journal lag is 0: every acknowledged reading is in the database.
     * Stored/s runs from the first send to that moment. Drain-only stored/s is the rate after the
     * last answer, when the store no longer shares the machine with ingest and the load generator;
     * it is left out (NaN) when less than {@link #DRAIN_ONLY_MIN_LAG} readings were left to store.
     */
    private Drain drain(long firstSendNanos, String before, String initial) throws Exception {
        double storedBefore = GatewayClient.sum(before, "telemetry_readings_stored_total");
        long deadline = System.nanoTime() + o.drainTimeoutSeconds() * 1_000_000_000L;
        long lastPrint = System.nanoTime();
        long sendEnd = 0;
        double storedAtSendEnd = 0;
        double lagAtSendEnd = 0;
        while (true) {
            String m = gateway.metrics();
            double lag = GatewayClient.sum(m, "telemetry_journal_lag_readings");
            long now = System.nanoTime();
            if (sendEnd == 0) {
                sendEnd = now;
                storedAtSendEnd = GatewayClient.sum(m, "telemetry_readings_stored_total");
                lagAtSendEnd = lag;
            }
            if (lag == 0 || now > deadline) {
                // the lag drops just before the stored counter counts a write: let the counter
                // catch up
                Thread.sleep(300);
                double total = gateway.metric("telemetry_readings_stored_total");
                long stored = Math.round(total - storedBefore);
                double seconds = (now - firstSendNanos) / 1e9;
                double drainOnly =
                        lagAtSendEnd >= DRAIN_ONLY_MIN_LAG && now > sendEnd
                                ? (total - storedAtSendEnd) / ((now - sendEnd) / 1e9)
                                : Double.NaN;
                System.out.printf(
                        "%s: %,d readings stored in %.1f s from the first send; after the last answer %,.0f left,"
                                + " stored at %,.0f/s%n",
                        lag == 0 ? "journal drained" : "drain timeout, lag " + Math.round(lag),
                        stored,
                        seconds,
                        lagAtSendEnd,
                        drainOnly);
                return new Drain(
                        stored,
                        Math.round(
                                total
                                        - GatewayClient.sum(
                                                initial, "telemetry_readings_stored_total")),
                        seconds,
                        drainOnly,
                        lag == 0);
            }
            if (now - lastPrint > 5_000_000_000L) {
                System.out.printf(
                        "draining: lag %,.0f, stored %,.0f%n",
                        lag,
                        GatewayClient.sum(m, "telemetry_readings_stored_total") - storedBefore);
                lastPrint = now;
            }
            Thread.sleep(100);
        }
    }

    private void summary(
            LoadDriver d,
            Histogram latency,
            long accepted,
            double sendSeconds,
            Drain drain,
            String before,
            String after,
            List<HeartRateFeed> feeds) {
        System.out.printf(
                "%nsent %,d batches in %.1f s: %,d readings acknowledged (%,.0f/s), %,d rejected, %,d batches refused,"
                        + " %,d failed%s%n",
                d.batchesSent.sum(),
                sendSeconds,
                accepted,
                accepted / sendSeconds,
                d.rejected.sum(),
                d.refusedBatches.sum(),
                d.failedBatches.sum(),
                o.rate() > 0
                        ? String.format(
                                ", %,d scheduled batches not sent (all slots waiting)",
                                d.missedBatches())
                        : "");
        System.out.printf(
                "ack latency ms: p50 %s p90 %s p99 %s p99.9 %s max %.1f (%,d batches)%n",
                ms(latency, 50),
                ms(latency, 90),
                ms(latency, 99),
                ms(latency, 99.9),
                latency.getMaxValue() / 1000.0,
                latency.getTotalCount());
        Map<String, Long> reasons = new TreeMap<>();
        d.reasons.forEach((k, v) -> reasons.put(k, v.sum()));
        reasons.forEach((k, v) -> System.out.printf("  %,d x %s%n", v, k));
        // the gateway's own counts: for MQTT the only source of per-reading rejections
        System.out.printf(
                "gateway counters over the run: accepted %,.0f, rejected %s, duplicates %,.0f, stored %,d (the warm-up's backlog"
                        + " included), db write failures %,.0f%n",
                delta(before, after, "telemetry_readings_accepted_total"),
                rejectedByReason(before, after),
                delta(before, after, "telemetry_readings_duplicates_total"),
                drain.stored,
                delta(before, after, "telemetry_db_write_failures_total"));
        long horizon = 0;
        for (HeartRateFeed f : feeds) {
            horizon = Math.max(horizon, f.nextSecond());
        }
        System.out.printf(
                "simulated time reached %s (the newest reading; now %s)%n",
                Instant.ofEpochSecond(horizon), Instant.now());
        if (horizon > Instant.now().getEpochSecond()) {
            // readings past now + the gateway's skew are rejected, and a rejected batch costs
            // the gateway nearly what an accepted one does: the accepted rate then undercounts
            System.out.printf(
                    "WARNING: the wearers' clocks ran past now; readings after that were rejected as"
                            + " time-in-future and are not in the figures: raise --days-back%n");
        }
    }

    private static double delta(String before, String after, String name) {
        return GatewayClient.sum(after, name) - GatewayClient.sum(before, name);
    }

    private static String rejectedByReason(String before, String after) {
        Map<String, Double> b = GatewayClient.byLabels(before, "telemetry_readings_rejected_total");
        StringBuilder s = new StringBuilder();
        double total = 0;
        for (Map.Entry<String, Double> e :
                GatewayClient.byLabels(after, "telemetry_readings_rejected_total").entrySet()) {
            double d = e.getValue() - b.getOrDefault(e.getKey(), 0.0);
            if (d > 0) {
                s.append(String.format(" %s %,.0f", e.getKey(), d));
                total += d;
            }
        }
        return String.format("%,.0f", total)
                + (s.length() > 0 ? " (" + s.toString().trim() + ")" : "");
    }

    private static String storageLabel(List<StorageProbe.Relation> relations) {
        List<String> parts = new ArrayList<>();
        for (StorageProbe.Relation r : relations) {
            parts.add(
                    r.name()
                            + ": "
                            + switch (r.kind()) {
                                case "hypertable" -> "TimescaleDB hypertable";
                                case "partitioned" -> "native partitions";
                                default -> "plain table";
                            });
        }
        return parts.isEmpty() ? "none found" : String.join(", ", parts);
    }

    private static String ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0
                ? "-"
                : String.format("%.1f", h.getValueAtPercentile(percentile) / 1000.0);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ", -1);
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}

package org.jkn.telemetry.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jkn.telemetry.gateway.ingest.IngestRefusal;
import org.jkn.telemetry.normalizer.BatchError;
import org.jkn.telemetry.normalizer.RejectReason;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.journal.DrainListener;
import org.jkn.telemetry.store.journal.Journal;

/**
 * The service's meters, registered once with their tags so the hot path only increments. Tags are
 * reading types, reason codes and outcomes: never identifiers or values.
 */
public final class Metrics implements DrainListener {

    private final PrometheusMeterRegistry registry =
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics jvmGc = new JvmGcMetrics();
    private final JvmHeapPressureMetrics jvmHeapPressure = new JvmHeapPressureMetrics();
    private final Map<ReadingType, Counter> accepted = new EnumMap<>(ReadingType.class);
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Map<BatchError, Counter> batchesRefused = new EnumMap<>(BatchError.class);
    private final Counter refusedOverload;
    private final Counter refusedDiskLow;
    private final Counter refusedTooLarge;
    private final Counter stored;
    private final Counter duplicates;
    private final Counter writeFailures;
    private final Timer dbWrite;
    private final Counter corruptRecords;
    private final Counter journalFilesDeleted;

    public Metrics(Journal journal) {
        // heap, GC pauses, threads and CPU: what an operator looks at first when latency climbs
        new JvmMemoryMetrics().bindTo(registry);
        jvmGc.bindTo(registry);
        // registered at once (pause timers only appear at the first collection)
        jvmHeapPressure.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        for (ReadingType t : ReadingType.values()) {
            accepted.put(
                    t,
                    Counter.builder("telemetry.readings.accepted")
                            .description("Readings journaled and acknowledged")
                            .tag("type", t.wireName())
                            .register(registry));
        }
        for (RejectReason r : RejectReason.values()) {
            rejected.put(
                    r,
                    Counter.builder("telemetry.readings.rejected")
                            .description("Readings rejected, by reason")
                            .tag("reason", r.code())
                            .register(registry));
        }
        for (BatchError e : BatchError.values()) {
            batchesRefused.put(e, refused(e.code()));
        }
        refusedOverload = refused(IngestRefusal.JOURNAL_FULL.code());
        refusedDiskLow = refused(IngestRefusal.DISK_LOW.code());
        refusedTooLarge = refused("body-too-large");
        stored =
                Counter.builder("telemetry.readings.stored")
                        .description("Readings newly written to the database")
                        .register(registry);
        duplicates =
                Counter.builder("telemetry.readings.duplicates")
                        .description("Readings already stored (retries, re-uploads), skipped")
                        .register(registry);
        writeFailures =
                Counter.builder("telemetry.db.write.failures")
                        .description("Database writes that failed and were retried")
                        .register(registry);
        dbWrite = dbWriteTimer();
        corruptRecords =
                Counter.builder("telemetry.journal.corrupt.records")
                        .description("Journal records that could not be decoded")
                        .register(registry);
        journalFilesDeleted =
                Counter.builder("telemetry.journal.files.deleted")
                        .description(
                                "Journal cycle files deleted once every record in them was stored")
                        .register(registry);
        Gauge.builder("telemetry.journal.lag.readings", journal, Journal::pendingReadings)
                .description("Readings journaled and acknowledged but not yet stored")
                .register(registry);
    }

    /** Registered at once, so the dashboard's percentiles have series before the first write. */
    private Timer dbWriteTimer() {
        return Timer.builder("telemetry.db.write")
                .description(
                        "Drainer writes to the database: one chunk's blocks and checkpoint,"
                                + " from the first statement to the last commit")
                .publishPercentileHistogram()
                .serviceLevelObjectives(
                        Duration.ofMillis(10),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofSeconds(1))
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    private Counter refused(String reason) {
        return Counter.builder("telemetry.batches.refused")
                .description("Whole batches refused, by reason")
                .tag("reason", reason)
                .register(registry);
    }

    public void accepted(ReadingType type) {
        accepted.get(type).increment();
    }

    public void rejected(RejectReason reason) {
        rejected.get(reason).increment();
    }

    public void batchRefused(BatchError error) {
        batchesRefused.get(error).increment();
    }

    /**
     * A whole batch refused by a transport's own check before it reached the normalizer (a broker
     * delivery for an unknown or revoked device...), by stable code. Cold path: registered on first
     * use.
     */
    public void batchRefused(String reason) {
        refused(reason).increment();
    }

    /**
     * A broker delivery left unacknowledged (journal full, registry unreachable...) to be retried.
     * Cold path.
     */
    public void deliveryDeferred(String reason) {
        Counter.builder("telemetry.broker.deliveries.deferred")
                .description(
                        "Broker deliveries not acknowledged yet because they could not be journaled, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /**
     * An MQTT CONNECT refused, by stable reason ({@code bad-credentials}, {@code
     * quota-exceeded}...). Cold path.
     */
    public void mqttConnectRefused(String reason) {
        Counter.builder("telemetry.mqtt.connects.refused")
                .description("MQTT connections refused at CONNECT, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /**
     * An MQTT connection ended by the server, by stable reason ({@code not-authorized}, {@code
     * protocol-error}...). Cold path.
     */
    public void mqttDisconnected(String reason) {
        Counter.builder("telemetry.mqtt.disconnects")
                .description("MQTT connections the server ended, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /**
     * A request refused for its bearer token ({@code token-missing}, {@code token-expired}, {@code
     * insufficient-scope}...), by stable reason. Cold path: registered on first use.
     */
    public void authRefused(String reason) {
        Counter.builder("telemetry.auth.refused")
                .description("HTTP requests refused for their bearer token, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** Registers the gauge of live, accepted MQTT connections, read on each scrape. */
    public void mqttConnections(Supplier<Number> live) {
        Gauge.builder("telemetry.mqtt.connections", live)
                .description("Live, accepted MQTT connections")
                .register(registry);
    }

    /**
     * One FHIR request answered: its latency, by resource (a fixed set), method and status class,
     * as a histogram so percentiles can be computed across instances.
     */
    public void fhirRequest(String resource, String method, int status, long nanos) {
        Timer.builder("telemetry.fhir.request")
                .description("FHIR API requests, from routing to the last byte of the answer")
                .tag("resource", resource)
                .tag("method", method)
                .tag("status", status / 100 + "xx")
                .publishPercentileHistogram()
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The disk guard's last measurements. */
    public void disk(
            Supplier<Number> freeBytes, Supplier<Number> journalBytes, Supplier<Number> low) {
        Gauge.builder("telemetry.disk.free.bytes", freeBytes)
                .description("Usable bytes on the data directory's file system")
                .register(registry);
        Gauge.builder("telemetry.journal.bytes", journalBytes)
                .description("Total length of the journal's files")
                .register(registry);
        Gauge.builder("telemetry.disk.low", low)
                .description("1 while ingest is refused for lack of disk")
                .register(registry);
    }

    /** A batch refused before it was read: journal budget spent, or disk low. */
    public void refused(IngestRefusal why) {
        (why == IngestRefusal.DISK_LOW ? refusedDiskLow : refusedOverload).increment();
    }

    public void refusedTooLarge() {
        refusedTooLarge.increment();
    }

    @Override
    public void stored(int readings, int inserted) {
        stored.increment(inserted);
        duplicates.increment(readings - inserted);
    }

    @Override
    public void writeCommitted(long nanos) {
        dbWrite.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void writeFailed(Exception cause) {
        writeFailures.increment();
    }

    @Override
    public void corruptRecord(long index, Exception cause) {
        corruptRecords.increment();
    }

    @Override
    public void deadLettered(int readings, String reason) {
        // reasons are a short fixed set of codes (db-refused, undecodable, crypto failure codes)
        Counter.builder("telemetry.dead.letters")
                .description("Journal records moved to the dead letters, by reason")
                .tag("reason", reason)
                .register(registry)
                .increment();
        Counter.builder("telemetry.dead.letter.readings")
                .description("Readings in journal records moved to the dead letters")
                .register(registry)
                .increment((double) readings);
    }

    @Override
    public void journalFilesDeleted(int files) {
        journalFilesDeleted.increment(files);
    }

    /**
     * A stored reading that could not be opened, by stable code ({@code decryption-failed}, {@code
     * kek-unknown}...). Cold path.
     */
    public void decryptionFailed(String code) {
        Counter.builder("telemetry.decryption.failures")
                .description("Stored readings that failed to decrypt; none was shown")
                .tag("code", code)
                .register(registry)
                .increment();
    }

    /** A patient erased (crypto-shredding). Cold path. */
    public void erased() {
        Counter.builder("telemetry.erasures")
                .description("Patients erased (data keys destroyed)")
                .register(registry)
                .increment();
    }

    /** Rows of erased patients deleted by the background job. */
    public void erasedRowsDeleted(long rows) {
        Counter.builder("telemetry.erasure.rows.deleted")
                .description("Unreadable readings of erased patients deleted")
                .register(registry)
                .increment((double) rows);
    }

    /** Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }
}

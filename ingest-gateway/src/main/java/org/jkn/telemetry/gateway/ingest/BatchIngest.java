package org.jkn.telemetry.gateway.ingest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.BatchSource;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.Rejection;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalBatch;

/**
 * The one ingest path behind every transport (HTTP, the embedded MQTT server and an external
 * broker's subscriber): refuse when the journal budget is spent, otherwise normalize, reject the
 * readings of categories the patient has not consented to the collection of, append the rest to the
 * journal and count accepted and rejected readings. A transport acknowledges only after {@link
 * #ingest} returns.
 *
 * <p>Thread-safe. {@link #ingest} blocks (parsing, journal append and msync): call it on a worker
 * thread; it throws {@link org.jkn.telemetry.store.consent.ConsentUnavailableException} (nothing
 * appended, retryable) when the patient's consent cannot be known. {@link #refusal} is cheap and
 * safe on an event loop.
 */
public final class BatchIngest {

    private final BatchNormalizer normalizer;
    private final Journal journal;
    private final Metrics metrics;
    private final long maxPendingReadings;
    private final Clock clock;
    private final CollectionConsent consents;
    private final BooleanSupplier diskLow;

    /** Without a disk guard (benchmarks, tests of other things). */
    public BatchIngest(
            BatchNormalizer normalizer,
            Journal journal,
            Metrics metrics,
            long maxPendingReadings,
            Clock clock,
            CollectionConsent consents) {
        this(normalizer, journal, metrics, maxPendingReadings, clock, consents, () -> false);
    }

    /**
     * @param diskLow true while ingest must be refused for lack of disk ({@link DiskGuard#low});
     *     called for every batch, so it must be cheap
     */
    public BatchIngest(
            BatchNormalizer normalizer,
            Journal journal,
            Metrics metrics,
            long maxPendingReadings,
            Clock clock,
            CollectionConsent consents,
            BooleanSupplier diskLow) {
        this.diskLow = diskLow;
        this.normalizer = normalizer;
        this.consents = consents;
        this.journal = journal;
        this.metrics = metrics;
        this.maxPendingReadings = maxPendingReadings;
        this.clock = clock;
    }

    /**
     * Why a batch must be refused before it is read (counted), or null when it may go on: the disk
     * is nearly full, or more readings wait to be stored than the journal budget allows.
     */
    public IngestRefusal refusal() {
        if (diskLow.getAsBoolean()) {
            metrics.refused(IngestRefusal.DISK_LOW);
            return IngestRefusal.DISK_LOW;
        }
        if (journal.pendingReadings() >= maxPendingReadings) {
            metrics.refused(IngestRefusal.JOURNAL_FULL);
            return IngestRefusal.JOURNAL_FULL;
        }
        return null;
    }

    /**
     * Normalizes one batch, appends the accepted readings and returns the outcome; a whole-batch
     * error appends nothing. {@code source} is null for a batch that names its own patient (HTTP).
     */
    public NormalizedBatch ingest(byte[] body, BatchSource source) {
        Instant now = clock.instant();
        long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
        NormalizedBatch batch = normalizer.normalize(body, nowMicros, source);
        if (batch.error() != null) {
            metrics.batchRefused(batch.error());
            return batch;
        }
        if (!batch.readings().isEmpty()) {
            // after normalizing (the patient is known) and before the journal: nothing not
            // consented to is ever written
            int allowed = consents.collectable(batch.patientId(), nowMicros);
            if (allowed != DataCategory.ALL) {
                batch = batch.onlyCategories(allowed);
            }
        }
        if (!batch.readings().isEmpty()) {
            journal.append(
                    new JournalBatch(
                            batch.patientId(), batch.device(), nowMicros, batch.readings()));
        }
        for (NormalizedReading r : batch.readings()) {
            metrics.accepted(r.type());
        }
        for (Rejection r : batch.rejections()) {
            metrics.rejected(r.reason());
        }
        return batch;
    }

    /**
     * {@code {"accepted": n, "rejected": [{"index", "id", "reason", "message"}]}}, the answer to an
     * accepted batch.
     */
    public static JsonObject acceptedBody(NormalizedBatch batch) {
        JsonArray rejected = new JsonArray();
        for (Rejection r : batch.rejections()) {
            JsonObject j = new JsonObject().put("index", r.index());
            if (r.readingId() != null) {
                j.put("id", r.readingId());
            }
            rejected.add(j.put("reason", r.reason().code()).put("message", r.message()));
        }
        return new JsonObject().put("accepted", batch.readings().size()).put("rejected", rejected);
    }

    /** {@code {"error": {"code", "message"}}}, the answer to a refused batch. */
    public static JsonObject errorBody(String code, String message) {
        return new JsonObject()
                .put("error", new JsonObject().put("code", code).put("message", message));
    }
}

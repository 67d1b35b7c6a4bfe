package org.jkn.telemetry.benchmarks.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.benchmarks.normalizer.Batches;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.ingest.CollectionConsent;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizerLimits;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.consent.ConsentGrant;
import org.jkn.telemetry.store.consent.ConsentStore;
import org.jkn.telemetry.store.consent.StoredConsent;
import org.jkn.telemetry.store.crypto.DataKeys;
import org.jkn.telemetry.store.crypto.KekRing;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.jkn.telemetry.store.crypto.NonceSource;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.db.DatabaseConfig;
import org.jkn.telemetry.store.journal.Journal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ingest path ({@link BatchIngest#ingest}: normalize, collection check, journal append without
 * msync, metrics) with the consent check and without it, in one run, so their ratio is the check's
 * cost. "With": the patient's decision comes from the real PostgreSQL-backed cache (after the first
 * batch every lookup is a hit, as for a patient who uploads often). For {@code heart_rate} the
 * patient consents to every category but cycle, so the per-reading category pass runs too; for
 * {@code mixed} (cycle types included) the patient consents to everything, which skips the pass and
 * leaves the lookup. "Without": every category is allowed, no lookup, no pass. The {@code check}
 * pair isolates the check on an already normalized batch. Scores are readings per second. The
 * journal grows with every invocation (some hundreds of MB per run, removed at the end).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ConsentCheckBenchmark extends BenchmarkBase {

    static final int READINGS = 100;

    @Param({"heart_rate", "mixed"})
    public String type;

    private Path dir;
    private Database database;
    private Journal journal;
    private BatchIngest withConsent;
    private BatchIngest withoutConsent;
    private CollectionConsent decisions;
    private byte[] body;
    private NormalizedBatch normalized;
    private String patientId;

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("consent-bench");
        database = openDatabase(dir);
        Pseudonymizer pseudonymizer = new Pseudonymizer(Batches.KEY);
        patientId = pseudonymizer.patientId("3171011508850001");
        decisions = CollectionConsent.of(consentDecisions());
        journal =
                Journal.open(
                        dir.resolve("journal"),
                        false,
                        crypto(database)); // both variants seal: only the check differs
        Metrics metrics = new Metrics(journal);
        BatchNormalizer normalizer = new BatchNormalizer(pseudonymizer, NormalizerLimits.DEFAULTS);
        Clock clock = Clock.fixed(Batches.NOW, ZoneOffset.UTC);
        withConsent =
                new BatchIngest(normalizer, journal, metrics, Long.MAX_VALUE, clock, decisions);
        withoutConsent =
                new BatchIngest(
                        normalizer,
                        journal,
                        metrics,
                        Long.MAX_VALUE,
                        clock,
                        (p, now) -> DataCategory.ALL);
        body =
                type.equals("mixed")
                        ? Batches.batch(READINGS, Batches.mixed())
                        : Batches.batch(READINGS, type);
        NormalizedBatch check = withConsent.ingest(body, null);
        if (check.error() != null || check.readings().size() != READINGS) {
            throw new IllegalStateException(
                    "benchmark batch is not accepted whole: "
                            + check.errorMessage()
                            + " "
                            + check.rejections());
        }
        normalized = normalizer.normalize(body, Batches.NOW_MICROS);
    }

    private static Database openDatabase(Path dir) throws Exception {
        return Database.open(
                new DatabaseConfig(
                        null,
                        null,
                        null,
                        2,
                        dir.resolve("pg"),
                        "off",
                        Duration.ofDays(7),
                        null,
                        null,
                        1,
                        Duration.ofDays(365)));
    }

    /**
     * The patient's stored consent (every category for {@code mixed}, all but cycle otherwise) and
     * the cache that answers from it.
     */
    private ConsentDecisions consentDecisions() throws Exception {
        ConsentStore store = new ConsentStore(database.dataSource());
        store.insert(
                new StoredConsent("bench", patientId, "active", 1, Instant.now(), "{}"),
                List.of(
                        new ConsentGrant(
                                ConsentGrant.Action.COLLECT,
                                type.equals("mixed")
                                        ? DataCategory.ALL
                                        : DataCategory.ALL_BUT_CYCLE,
                                null,
                                Long.MIN_VALUE,
                                Long.MAX_VALUE)));
        return new ConsentDecisions(store, Duration.ofHours(1), 100_000);
    }

    private static ReadingCrypto crypto(Database database) throws Exception {
        KekRing keks = new KekRing(LocalKek.parse(LocalKek.generate("bench")), List.of());
        return new ReadingCrypto(
                new DataKeys(
                        database.dataSource(),
                        keks,
                        1000,
                        TimeUnit.HOURS.toNanos(1),
                        System::nanoTime),
                new RowKeys(Batches.KEY),
                NonceSource.fromDatabase(database.dataSource()));
    }

    @TearDown
    public void tearDown() throws IOException {
        journal.close();
        database.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @OperationsPerInvocation(READINGS)
    public NormalizedBatch ingestWithConsentCheck() {
        return withConsent.ingest(body, null);
    }

    @Benchmark
    @OperationsPerInvocation(READINGS)
    public NormalizedBatch ingestWithoutConsentCheck() {
        return withoutConsent.ingest(body, null);
    }

    /** The check alone: decision lookup and the category pass over a normalized batch. */
    @Benchmark
    @OperationsPerInvocation(READINGS)
    public NormalizedBatch checkOnly() {
        return normalized.onlyCategories(decisions.collectable(patientId, Batches.NOW_MICROS));
    }
}

package org.jkn.telemetry.benchmarks.store.crypto;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.benchmarks.normalizer.Batches;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.normalizer.NormalizerLimits;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.crypto.DataKeys;
import org.jkn.telemetry.store.crypto.KekRing;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.jkn.telemetry.store.crypto.NonceSource;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.store.crypto.SealSession;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.db.DatabaseConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost of encryption at rest on the ingest path: {@code normalize} alone against {@code
 * normalizeAndSeal} (normalize, then encode the batch and seal it once into a journal record as
 * {@code Journal.append} does) and {@code normalizeAndSealEachReading} (the previous record format:
 * a row key HMAC and an AES-256-GCM seal per reading). All run in one JMH run; their scores
 * (readings per second, 1,000 per invocation) give the ratios. The data key comes from a real
 * embedded PostgreSQL and is cached after the first batch, as in service.
 */
@State(Scope.Benchmark)
public class SealBenchmark extends BenchmarkBase {

    static final int READINGS = 1000;

    @Param({"mixed", "heart_rate", "sleep_session"})
    public String type;

    private Path dir;
    private Database database;
    private BatchNormalizer normalizer;
    private ReadingCrypto crypto;
    private byte[] body;

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("seal-bench");
        database =
                Database.open(
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
                                Duration.ofDays(400)));
        KekRing keks = new KekRing(LocalKek.parse(LocalKek.generate("bench")), List.of());
        crypto =
                new ReadingCrypto(
                        new DataKeys(
                                database.dataSource(),
                                keks,
                                1000,
                                TimeUnit.HOURS.toNanos(1),
                                System::nanoTime),
                        new RowKeys(Batches.KEY),
                        NonceSource.fromDatabase(database.dataSource()));
        normalizer = new BatchNormalizer(new Pseudonymizer(Batches.KEY), NormalizerLimits.DEFAULTS);
        body =
                type.equals("mixed")
                        ? Batches.batch(READINGS, Batches.mixed())
                        : Batches.batch(READINGS, type);
        NormalizedBatch check = normalizer.normalize(body, Batches.NOW_MICROS);
        if (check.error() != null || check.readings().size() != READINGS) {
            throw new IllegalStateException("benchmark batch does not normalize cleanly");
        }
        normalizeAndSeal(); // creates and caches the patient's data key
    }

    @TearDown
    public void tearDown() throws Exception {
        database.close();
    }

    @Benchmark
    @OperationsPerInvocation(READINGS)
    public NormalizedBatch normalize() {
        return normalizer.normalize(body, Batches.NOW_MICROS);
    }

    @Benchmark
    @OperationsPerInvocation(READINGS)
    public long normalizeAndSeal() {
        NormalizedBatch b = normalizer.normalize(body, Batches.NOW_MICROS);
        try (SealSession s = crypto.acquire()) {
            Bytes<?> record =
                    s.sealRecord(b.patientId(), b.device(), Batches.NOW_MICROS, b.readings());
            return record.readRemaining();
        }
    }

    @Benchmark
    @OperationsPerInvocation(READINGS)
    public long normalizeAndSealEachReading() {
        NormalizedBatch b = normalizer.normalize(body, Batches.NOW_MICROS);
        try (SealSession s = crypto.acquire()) {
            Bytes<?> record =
                    s.sealRecordVersion3(
                            b.patientId(), b.device(), Batches.NOW_MICROS, b.readings());
            return record.readRemaining();
        }
    }
}

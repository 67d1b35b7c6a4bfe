package org.jkn.telemetry.benchmarks.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jkn.telemetry.benchmarks.BenchmarkBase;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.audit.AuditActor;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditLog;
import org.jkn.telemetry.store.audit.AuditOutcome;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.block.PendingBlocks;
import org.jkn.telemetry.store.copy.BlockWriter;
import org.jkn.telemetry.store.crypto.DataKeys;
import org.jkn.telemetry.store.crypto.KekRing;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.jkn.telemetry.store.crypto.NonceSource;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.db.DatabaseConfig;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What the synchronous audit record costs an Observation read: {@code read} is the database read by
 * id alone, {@code readAudited} the same read followed by its committed audit record, as the FHIR
 * API does before answering. Both against the embedded PostgreSQL with its default durable commits;
 * divide the two scores for the ratio. HTTP and rendering, the same for both, are left out, so the
 * ratio is the worst case the API can see. With several threads ({@code -t 4}) concurrent commits
 * share PostgreSQL's WAL flushes (group commit) and the ratio shrinks.
 */
@State(Scope.Benchmark)
public class AuditedReadBenchmark extends BenchmarkBase {

    private static final String PATIENT = "0123456789abcdef0123456789abcdef01234567";
    private static final AuditActor CLINICIAN =
            new AuditActor("clinician", "dr-1", "Practitioner/dr-1", "Organization/rs-1");

    private Path dir;
    private Database db;
    private ReadingQueries queries;
    private AuditLog audit;
    private String[] ids;

    @Setup
    public void setUp() throws IOException, SQLException {
        dir = Files.createTempDirectory("audit-bench");
        db = openDatabase(dir);
        long now = Instant.now().getEpochSecond() * 1_000_000L;
        ReadingCrypto crypto = crypto(db);
        store(
                crypto,
                new JournalBatch(
                        PATIENT, new DeviceInfo("dev-1", "Acme", "Band 5"), now, readings(now)));
        queries = new ReadingQueries(db.dataSource(), crypto, Duration.ofDays(31));
        audit = new AuditLog(db.dataSource(), "bench", Clock.systemUTC());
        List<StoredReading> rows =
                queries.search(
                        new ObservationSearch(PATIENT, List.of(), List.of(), false, 1000, 0));
        ids = rows.stream().limit(1024).map(StoredReading::observationId).toArray(String[]::new);
        if (ids.length < 1000) {
            throw new IllegalStateException("expected 1000 readings, found " + ids.length);
        }
    }

    private static Database openDatabase(Path dir) throws IOException, SQLException {
        return Database.open(
                new DatabaseConfig(
                        null,
                        null,
                        null,
                        4,
                        dir.resolve("pg"),
                        "off",
                        Duration.ofDays(7),
                        null,
                        null,
                        3,
                        Duration.ofDays(62)));
    }

    /** 1,024 heart-rate readings a minute apart, the newest a minute before {@code now}. */
    private static List<NormalizedReading> readings(long now) {
        List<NormalizedReading> readings = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            long t = now - (i + 1) * 60_000_000L;
            readings.add(
                    new NormalizedReading(
                            ReadingType.HEART_RATE,
                            "hr-" + i,
                            t,
                            t,
                            25_200,
                            60 + i % 40,
                            Double.NaN));
        }
        return readings;
    }

    private static ReadingCrypto crypto(Database db) throws SQLException {
        return new ReadingCrypto(
                new DataKeys(
                        db.dataSource(),
                        new KekRing(
                                new LocalKek(
                                        "bench-1",
                                        "bench-kek-32-bytes-0123456789abc"
                                                .getBytes(StandardCharsets.US_ASCII)),
                                List.of()),
                        1000,
                        TimeUnit.MINUTES.toNanos(1),
                        System::nanoTime),
                new RowKeys(
                        "bench-row-key-secret-0123456789abcdef"
                                .getBytes(StandardCharsets.US_ASCII)),
                NonceSource.fromDatabase(db.dataSource()));
    }

    /** The batch as sealed blocks, through the drainer's own writer. */
    private void store(ReadingCrypto crypto, JournalBatch batch) throws SQLException {
        PendingBlocks pending = new PendingBlocks();
        int version = crypto.keys().current(batch.patientId()).version();
        for (var r : batch.readings()) {
            pending.add(batch.patientId(), version, r, batch.device(), batch.receivedMicros());
        }
        new BlockWriter(db.dataSource(), crypto).write(pending.blocks(), "bench", 1);
    }

    @TearDown
    public void tearDown() throws IOException {
        audit.close();
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public StoredReading read() throws SQLException {
        return queries.read(ids[ThreadLocalRandom.current().nextInt(ids.length)]).orElseThrow();
    }

    @Benchmark
    public StoredReading readAudited() throws SQLException {
        StoredReading r =
                queries.read(ids[ThreadLocalRandom.current().nextInt(ids.length)]).orElseThrow();
        audit.append(
                new AuditEntry(
                        r.patientId(),
                        Interaction.READ,
                        "Observation",
                        r.observationId(),
                        null,
                        AuditOutcome.SUCCESS,
                        null,
                        CLINICIAN));
        return r;
    }
}

package org.jkn.telemetry.store.db;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the readings live and how they are kept.
 *
 * @param url JDBC URL of an external PostgreSQL/TimescaleDB; null starts the embedded one
 * @param embeddedDir data directory of the embedded PostgreSQL (kept across restarts)
 * @param timescale {@code auto} uses TimescaleDB when the extension can be created, {@code off}
 *     never
 * @param chunkInterval TimescaleDB chunk interval
 * @param compressAfter TimescaleDB: compress chunks older than this; null disables compression
 * @param retention drop readings older than this (chunks or monthly partitions); null keeps all
 * @param partitionsAhead native partitioning: months of partitions created ahead of now
 * @param partitionsBehind native partitioning: how far back partitions exist (the oldest accepted
 *     reading)
 * @param auditRetention drop monthly audit partitions older than this; null keeps the whole trail
 */
public record DatabaseConfig(
        String url,
        String user,
        String password,
        int poolSize,
        Path embeddedDir,
        String timescale,
        Duration chunkInterval,
        Duration compressAfter,
        Duration retention,
        int partitionsAhead,
        Duration partitionsBehind,
        Duration auditRetention) {

    /** Keeping the whole audit trail. */
    public DatabaseConfig(
            String url,
            String user,
            String password,
            int poolSize,
            Path embeddedDir,
            String timescale,
            Duration chunkInterval,
            Duration compressAfter,
            Duration retention,
            int partitionsAhead,
            Duration partitionsBehind) {
        this(
                url,
                user,
                password,
                poolSize,
                embeddedDir,
                timescale,
                chunkInterval,
                compressAfter,
                retention,
                partitionsAhead,
                partitionsBehind,
                null);
    }

    public DatabaseConfig {
        if (url == null && embeddedDir == null) {
            throw new IllegalArgumentException(
                    "either a database URL or an embedded data directory is required");
        }
        if (poolSize < 1 || poolSize > 200) {
            throw new IllegalArgumentException("database pool size must be 1-200, got " + poolSize);
        }
        if (!"auto".equals(timescale) && !"off".equals(timescale)) {
            throw new IllegalArgumentException("timescale must be auto or off, got " + timescale);
        }
        if (chunkInterval.isNegative() || chunkInterval.isZero()) {
            throw new IllegalArgumentException("chunk interval must be positive");
        }
        if (partitionsAhead < 1 || partitionsAhead > 24) {
            throw new IllegalArgumentException(
                    "partitions ahead must be 1-24 months, got " + partitionsAhead);
        }
        if (auditRetention != null && auditRetention.compareTo(Duration.ofDays(31)) < 0) {
            throw new IllegalArgumentException(
                    "audit retention must be at least P31D (a month is the unit dropped), got "
                            + auditRetention);
        }
    }

    public boolean embedded() {
        return url == null;
    }
}

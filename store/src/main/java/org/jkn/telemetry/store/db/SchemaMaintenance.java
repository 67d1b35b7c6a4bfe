package org.jkn.telemetry.store.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the time layout of the readings table in shape: on TimescaleDB it sets the chunk interval,
 * compression and retention policies (TimescaleDB's own jobs then do the work); on plain PostgreSQL
 * it creates monthly partitions ahead of time and drops those past retention. Idempotent; run at
 * start-up and then periodically.
 */
public final class SchemaMaintenance {

    private static final Logger log = LoggerFactory.getLogger(SchemaMaintenance.class);

    private final DataSource dataSource;
    private final DatabaseConfig config;

    public SchemaMaintenance(DataSource dataSource, DatabaseConfig config) {
        this.dataSource = dataSource;
        this.config = config;
    }

    public static StorageMode detect(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "select exists (select 1 from pg_partitioned_table pt "
                                        + "join pg_class c on c.oid = pt.partrelid where c.relname = 'readings')")) {
            r.next();
            return r.getBoolean(1) ? StorageMode.NATIVE_PARTITIONS : StorageMode.TIMESCALE;
        }
    }

    /** Applies the layout settings once; returns the mode found. */
    public StorageMode run(Instant now) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            StorageMode mode = detect(c);
            if (mode == StorageMode.TIMESCALE) {
                applyTimescale(c);
            } else {
                applyPartitions(c, now);
            }
            applyAuditPartitions(c, now);
            return mode;
        }
    }

    private void applyPartitions(Connection c, Instant now) throws SQLException {
        Instant from = now.minus(config.partitionsBehind());
        Instant to = now.atOffset(ZoneOffset.UTC).plusMonths(config.partitionsAhead()).toInstant();
        int created = call(c, "select ensure_reading_partitions(?, ?)", from, to);
        if (created > 0) {
            log.info("created {} monthly reading partitions", created);
        }
        if (config.retention() != null) {
            int dropped =
                    call(
                            c,
                            "select drop_reading_partitions_before(?)",
                            now.minus(config.retention()),
                            null);
            if (dropped > 0) {
                log.info("dropped {} reading partitions past retention", dropped);
            }
        }
    }

    /**
     * The audit trail is partitioned by month in both modes: the current month and those ahead, and
     * retention.
     */
    private void applyAuditPartitions(Connection c, Instant now) throws SQLException {
        Instant to = now.atOffset(ZoneOffset.UTC).plusMonths(config.partitionsAhead()).toInstant();
        // from the month before: a clock a little behind the database's near a month's turn still
        // has its partition
        int created =
                call(
                        c,
                        "select ensure_audit_partitions(?, ?)",
                        now.atOffset(ZoneOffset.UTC).minusMonths(1).toInstant(),
                        to);
        if (created > 0) {
            log.info("created {} monthly audit partitions", created);
        }
        if (config.auditRetention() != null) {
            int dropped =
                    call(
                            c,
                            "select drop_audit_partitions_before(?)",
                            now.minus(config.auditRetention()),
                            null);
            if (dropped > 0) {
                log.info(
                        "dropped {} monthly audit partitions past TELEMETRY_AUDIT_RETENTION",
                        dropped);
            }
        }
    }

    /**
     * Runs a maintenance function taking one or two instants ({@code b} null: one) and returning a
     * count.
     */
    private static int call(Connection c, String sql, Instant a, Instant b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, Timestamp.from(a));
            if (b != null) {
                ps.setTimestamp(2, Timestamp.from(b));
            }
            try (ResultSet r = ps.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private void applyTimescale(Connection c) throws SQLException {
        // blocks are sealed ciphertext, which compression cannot shrink: chunks and retention only
        for (String table : new String[] {"readings", "reading_blocks"}) {
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "select set_chunk_time_interval(?::regclass, ?::interval)")) {
                ps.setString(1, table);
                ps.setString(2, interval(config.chunkInterval()));
                ps.execute();
            }
            if (config.retention() != null) {
                try (PreparedStatement ps =
                        c.prepareStatement(
                                "select add_retention_policy(?::regclass, ?::interval, if_not_exists => true)")) {
                    ps.setString(1, table);
                    ps.setString(2, interval(config.retention()));
                    ps.execute();
                }
            }
        }
        if (config.compressAfter() != null) {
            // every column of the primary key must be a segmentby or orderby column of compressed
            // chunks;
            // settings cannot change once chunks are compressed, so they are set only the first
            // time
            boolean enabled;
            try (Statement s = c.createStatement();
                    ResultSet r =
                            s.executeQuery(
                                    "select compression_enabled from timescaledb_information.hypertables "
                                            + "where hypertable_name = 'readings'")) {
                enabled = r.next() && r.getBoolean(1);
            }
            if (!enabled) {
                try (Statement s = c.createStatement()) {
                    s.execute(
                            "alter table readings set (timescaledb.compress, timescaledb.compress_segmentby = 'patient_id', "
                                    + "timescaledb.compress_orderby = 'effective_start desc, device_id, reading_id')");
                }
            }
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "select add_compression_policy('readings', ?::interval, if_not_exists => true)")) {
                ps.setString(1, interval(config.compressAfter()));
                ps.execute();
            }
        }
    }

    private static String interval(Duration d) {
        return d.toSeconds() + " seconds";
    }
}

package org.jkn.telemetry.benchmarks.load;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes on disk of what stores readings, after the drain: the legacy {@code readings} table and the
 * {@code reading_blocks} table of the store being rewritten (one row per patient, type and time
 * window; absent in older schemas, so absence is normal). Each counts with its indexes, TOAST and
 * every partition or chunk: {@code hypertable_size} for a TimescaleDB hypertable (compressed chunks
 * included), otherwise {@code pg_total_relation_size} summed over the table and its {@code
 * pg_inherits} descendants (a partitioned parent itself holds nothing).
 */
final class StorageProbe {

    static final List<String> TABLES = List.of("readings", "reading_blocks");

    /**
     * One table's share: {@code kind} is hypertable, partitioned or table; {@code bytes}
     * everything, of which {@code indexBytes} indexes and {@code toastBytes} TOAST (the rest is the
     * heap); {@code parts} its chunks or partitions.
     */
    record Relation(
            String name,
            String kind,
            long bytes,
            long indexBytes,
            long toastBytes,
            long parts,
            long rows) {}

    private StorageProbe() {}

    static List<Relation> measure(Connection c) throws SQLException {
        c.setAutoCommit(true); // VACUUM refuses to run in a transaction
        boolean timescale =
                exists(c, "select 1 from pg_extension where extname = 'timescaledb'", null);
        List<Relation> found = new ArrayList<>();
        for (String table : TABLES) {
            if (!exists(c, "select 1 where to_regclass(?) is not null", table)) {
                continue;
            }
            try (Statement s = c.createStatement()) {
                // fresh statistics and visibility maps: the size is then what a settled table costs
                s.execute("vacuum analyze " + table);
            }
            boolean hypertable =
                    timescale
                            && exists(
                                    c,
                                    "select 1 from timescaledb_information.hypertables"
                                            + " where format('%I.%I', hypertable_schema, hypertable_name)::regclass = to_regclass(?)",
                                    table);
            String kind;
            long[] size; // total, indexes, TOAST, partitions or chunks
            if (hypertable) {
                kind = "hypertable";
                // total_bytes is what hypertable_size() returns (chunks, compressed ones included);
                // the split is free here
                size =
                        longs(
                                c,
                                "select coalesce(sum(total_bytes), 0), coalesce(sum(index_bytes), 0), coalesce(sum(toast_bytes), 0),"
                                        + " (select count(*) from timescaledb_information.chunks"
                                        + "  where format('%I.%I', hypertable_schema, hypertable_name)::regclass = to_regclass(?))"
                                        + " from hypertable_detailed_size(to_regclass(?))",
                                table,
                                table);
            } else {
                kind =
                        exists(
                                        c,
                                        "select 1 from pg_class where oid = to_regclass(?) and relkind = 'p'",
                                        table)
                                ? "partitioned"
                                : "table";
                size =
                        longs(
                                c,
                                "with recursive t(oid) as (select to_regclass(?)::oid"
                                        + " union all select i.inhrelid from pg_inherits i join t on i.inhparent = t.oid)"
                                        + " select coalesce(sum(pg_total_relation_size(t.oid)), 0), coalesce(sum(pg_indexes_size(t.oid)), 0),"
                                        + " coalesce(sum(case when c.reltoastrelid <> 0 then pg_total_relation_size(c.reltoastrelid) else 0 end), 0),"
                                        + " count(*) - 1 from t join pg_class c on c.oid = t.oid",
                                table);
            }
            long rows = single(c, "select count(*) from " + table);
            found.add(new Relation(table, kind, size[0], size[1], size[2], size[3], rows));
        }
        return found;
    }

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            if (arg != null) {
                s.setString(1, arg);
            }
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    private static long single(Connection c, String sql) throws SQLException {
        return longs(c, sql)[0];
    }

    /** The first row's columns as numbers; {@code args} fill the placeholders in order. */
    private static long[] longs(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                long[] v = new long[r.getMetaData().getColumnCount()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.getLong(i + 1);
                }
                return v;
            }
        }
    }
}

package org.jkn.telemetry.store.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.BlockReadings;
import org.jkn.telemetry.store.block.BlockWindow;

/**
 * Statistics over a patient's readings in a time range ({@code Observation/$stats}), computed in
 * one pass over the blocks of the range: each block is opened into one reused set of columns and
 * its values go straight into the buckets, with no object per reading. Blocks come through a
 * cursor, so memory holds a few blocks plus, only when order statistics are asked for, the values
 * of the buckets (bounded by {@link StatisticsQuery#MAX_KEPT_VALUES}).
 *
 * <p>A reading counts in the bucket its start falls in. Readings stored as rows before blocks are
 * not read here; they count once the upgrade has moved them.
 *
 * <p>Thread-safe: per-call state only.
 */
final class ReadingStatistics {

    private static final String LIVE =
            " and exists (select 1 from data_keys k where k.patient_id = b.patient_id "
                    + "and k.key_version = b.key_version and k.destroyed_at is null)";
    private static final int FETCH = 32;

    private final SealedBlocks blocks;

    ReadingStatistics(SealedBlocks blocks) {
        this.blocks = blocks;
    }

    StatisticsResult compute(Connection c, StatisticsQuery q) throws SQLException {
        List<SeriesStatistics> out = new ArrayList<>();
        Map<ReadingType, List<SeriesStatistics>> byType = new EnumMap<>(ReadingType.class);
        for (ReadingSeries s : q.series()) {
            SeriesStatistics stats = new SeriesStatistics(s, q.bucketCount());
            out.add(stats);
            for (ReadingType t : s.types()) {
                byType.computeIfAbsent(t, k -> new ArrayList<>()).add(stats);
            }
        }
        if (byType.isEmpty()) {
            return new StatisticsResult(out, false);
        }
        Set<BlockWindow> lengths = new LinkedHashSet<>();
        for (ReadingType t : byType.keySet()) {
            lengths.add(BlockWindow.of(t));
        }
        List<BlockWindow> windows = new ArrayList<>(lengths);
        boolean autoCommit = c.getAutoCommit();
        // a cursor: a month of 1 Hz heart rate is 720 blocks, read a few at a time
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql(windows.size()))) {
            ps.setFetchSize(FETCH);
            int p = 1;
            ps.setString(p++, q.patientId());
            for (BlockWindow w : windows) {
                List<Short> ids = new ArrayList<>();
                for (ReadingType t : byType.keySet()) {
                    if (BlockWindow.of(t) == w) {
                        ids.add((short) t.id());
                    }
                }
                ps.setArray(p++, c.createArrayOf("int2", ids.toArray(new Short[0])));
                ps.setObject(p++, ReadingQueries.timestamp(w.startOf(q.fromMicros())));
            }
            ps.setObject(p, ReadingQueries.timestamp(q.toMicros()));
            if (!scan(ps, q, byType)) {
                return StatisticsResult.tooMany();
            }
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
        return new StatisticsResult(out, false);
    }

    /** The blocks of the types, from the window holding the range's start, before its end. */
    private static String sql(int windowLengths) {
        StringBuilder sql =
                new StringBuilder(
                        "select b.type, (extract(epoch from b.window_start) * 1000000)::bigint, "
                                + "b.key_version, b.sealed from reading_blocks b where b.patient_id = ? and (");
        for (int i = 0; i < windowLengths; i++) {
            sql.append(i == 0 ? "" : " or ").append("(b.type = any(?) and b.window_start >= ?)");
        }
        return sql.append(") and b.window_start < ?").append(LIVE).toString();
    }

    /** Adds every block's readings; false once the values kept would pass the bound. */
    private boolean scan(
            PreparedStatement ps,
            StatisticsQuery q,
            Map<ReadingType, List<SeriesStatistics>> byType)
            throws SQLException {
        BlockReadings b = new BlockReadings();
        long kept = 0;
        try (ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                ReadingType type = ReadingType.ofId(r.getInt(1));
                List<SeriesStatistics> series = type == null ? null : byType.get(type);
                if (series == null) {
                    throw new SQLException("reading_blocks row of a type not asked for", "XX000");
                }
                blocks.open(q.patientId(), type, r.getLong(2), r.getInt(3), r.getBytes(4), b);
                kept += add(q, type, b, series);
                if (q.keepValues() && kept > StatisticsQuery.MAX_KEPT_VALUES) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Adds a block's readings in the range to each series that keeps them; how many were added. */
    private static long add(
            StatisticsQuery q, ReadingType type, BlockReadings b, List<SeriesStatistics> series) {
        long added = 0;
        long from = q.fromMicros();
        long to = q.toMicros();
        long interval = q.intervalMicros();
        boolean keepValues = q.keepValues();
        for (int s = 0; s < series.size(); s++) {
            SeriesStatistics stats = series.get(s);
            ReadingSeries rs = stats.series();
            // decided once per block when the codes keep every reading of the type (the rule)
            boolean every = rs.keepsEvery(type);
            boolean diastolic = rs.diastolic();
            int n = b.size();
            // fast path: a block's readings are sorted by start (BlockWriter sorts them before
            // sealing), so when its first and last fall in one bucket, all of them do
            if (every && n > 0 && b.startMicros(0) >= from && b.startMicros(n - 1) < to) {
                int k = (int) ((b.startMicros(0) - from) / interval);
                if ((b.startMicros(n - 1) - from) / interval == k) {
                    added += stats.bucketFor(k, type, b.attrs(0), keepValues).addAll(b, diastolic);
                    continue;
                }
            }
            // slow path, for a block across buckets or of mixed codes: the bucket is found again
            // (a division) only when a reading leaves the current one's edges
            StatisticsBucket bucket = null;
            long low = Long.MAX_VALUE;
            long high = Long.MIN_VALUE;
            for (int i = 0; i < b.size(); i++) {
                long start = b.startMicros(i);
                if (start < from || start >= to || (!every && !rs.keeps(type, b.attrs(i)))) {
                    continue;
                }
                double v = diastolic ? b.diastolic(i) : b.value(i);
                if (Double.isNaN(v)) {
                    continue;
                }
                if (start < low || start >= high) {
                    int k = (int) ((start - from) / interval);
                    low = from + k * interval;
                    high = low + interval;
                    bucket = stats.bucketFor(k, type, b.attrs(i), keepValues);
                }
                bucket.add(v);
                added++;
            }
        }
        return added;
    }
}

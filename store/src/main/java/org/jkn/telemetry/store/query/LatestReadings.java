package org.jkn.telemetry.store.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.BlockReadings;

/**
 * The newest readings of each reading type of a patient ({@code Observation/$lastn}), from the
 * newest blocks only. Blocks are per patient, type and window, and the row says in clear how many
 * readings it holds, so one query picks, per type, the newest blocks until they hold {@code max}
 * readings (an index scan per type, at most {@code max} blocks); only those are opened. Readings of
 * one type are grouped once, whatever the number of codings their Observations carry.
 *
 * <p>When the codes asked for keep only some of a type's readings (blood glucose by specimen, HRV
 * by statistic), the newest blocks may not hold enough: that type then goes on, block by block,
 * through older windows (the slow path).
 *
 * <p>Ties: as Observation-lastn asks, readings with the same start as the last one kept are kept
 * too (they share its block: the window follows from the start). Readings stored as rows before
 * blocks are not read here; they count once the upgrade has moved them.
 *
 * <p>Thread-safe: per-call state only.
 */
final class LatestReadings {

    private static final String LIVE =
            " and exists (select 1 from data_keys k where k.patient_id = b.patient_id "
                    + "and k.key_version = b.key_version and k.destroyed_at is null)";
    private static final String MICROS = "(extract(epoch from b.window_start) * 1000000)::bigint";

    /**
     * Per type, its newest blocks up to {@code max} of them, and of those only the ones needed: a
     * block is read when the newer ones hold fewer than {@code max} readings.
     */
    private static final String NEWEST =
            "select type, micros, key_version, sealed from ("
                    + " select t.type, b.window_start, b.micros, b.key_version, b.sealed,"
                    + " coalesce(sum(b.n_readings) over (partition by t.type order by b.window_start desc"
                    + " rows between unbounded preceding and 1 preceding), 0) as newer"
                    + " from unnest(?::int2[]) as t(type) cross join lateral ("
                    + " select b.window_start, "
                    + MICROS
                    + " as micros, b.key_version, b.n_readings, b.sealed from reading_blocks b"
                    + " where b.patient_id = ? and b.type = t.type"
                    + LIVE
                    + " order by b.window_start desc limit ?) b) x"
                    + " where newer < ? order by type, window_start desc";

    private static final String OLDER =
            "select "
                    + MICROS
                    + ", b.key_version, b.sealed from reading_blocks b"
                    + " where b.patient_id = ? and b.type = ? and b.window_start < ?"
                    + LIVE
                    + " order by b.window_start desc";

    private final SealedBlocks blocks;

    LatestReadings(SealedBlocks blocks) {
        this.blocks = blocks;
    }

    /** By type in the order of {@code q.types()}, newest first within a type. */
    List<StoredReading> latest(Connection c, LatestQuery q) throws SQLException {
        List<Group> groups = new ArrayList<>();
        for (ReadingType t : q.types()) {
            groups.add(new Group(t));
        }
        if (groups.isEmpty()) {
            return List.of();
        }
        readNewest(c, q, groups);
        for (Group g : groups) {
            if (!g.full(q.max()) && g.oldestWindow != Long.MIN_VALUE && q.narrows(g.type)) {
                readOlder(c, q, g);
            }
        }
        List<StoredReading> out = new ArrayList<>();
        for (Group g : groups) {
            out.addAll(g.readings);
        }
        return out;
    }

    private void readNewest(Connection c, LatestQuery q, List<Group> groups) throws SQLException {
        Short[] ids = new Short[groups.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (short) groups.get(i).type.id();
        }
        try (PreparedStatement ps = c.prepareStatement(NEWEST)) {
            ps.setArray(1, c.createArrayOf("int2", ids));
            ps.setString(2, q.patientId());
            ps.setInt(3, q.max());
            ps.setInt(4, q.max());
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    Group g = group(groups, r.getInt(1));
                    take(q, g, r.getLong(2), r.getInt(3), r.getBytes(4));
                }
            }
        }
    }

    /** The slow path: older blocks of one type, newest first, until it has {@code max}. */
    private void readOlder(Connection c, LatestQuery q, Group g) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        // a cursor: blocks come a few at a time and the scan stops once the group is full
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(OLDER)) {
            ps.setFetchSize(4);
            ps.setString(1, q.patientId());
            ps.setShort(2, (short) g.type.id());
            ps.setObject(3, ReadingQueries.timestamp(g.oldestWindow));
            try (ResultSet r = ps.executeQuery()) {
                while (!g.full(q.max()) && r.next()) {
                    take(q, g, r.getLong(1), r.getInt(2), r.getBytes(3));
                }
            }
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
    }

    private static Group group(List<Group> groups, int typeId) throws SQLException {
        for (Group g : groups) {
            if (g.type.id() == typeId) {
                return g;
            }
        }
        throw new SQLException("reading_blocks row of a type not asked for", "XX000");
    }

    /** Keeps the block's newest readings the group still needs, and their ties. */
    private void take(LatestQuery q, Group g, long window, int keyVersion, byte[] sealed) {
        g.oldestWindow = window;
        if (g.full(q.max())) {
            return;
        }
        BlockReadings b = blocks.open(q.patientId(), g.type, window, keyVersion, sealed, g.scratch);
        // a block's readings are sorted by start: newest last
        for (int i = b.size() - 1; i >= 0; i--) {
            if (!q.keeps(g.type, b.attrs(i))) {
                continue;
            }
            long start = b.startMicros(i);
            if (g.readings.size() >= q.max() && start != g.lastStart) {
                return;
            }
            g.readings.add(blocks.reading(q.patientId(), g.type, b, i));
            g.lastStart = start;
        }
    }

    /** What one type has found so far. */
    private static final class Group {
        final ReadingType type;
        final List<StoredReading> readings = new ArrayList<>();
        final BlockReadings scratch = new BlockReadings();
        long oldestWindow = Long.MIN_VALUE;
        long lastStart;

        Group(ReadingType type) {
            this.type = type;
        }

        /** Ties of the last one kept are in its block, so an older block adds none. */
        boolean full(int max) {
            return readings.size() >= max;
        }
    }
}

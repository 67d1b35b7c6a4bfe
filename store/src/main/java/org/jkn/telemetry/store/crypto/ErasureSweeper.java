package org.jkn.telemetry.store.crypto;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The background half of an erasure: deletes the readings an erasure made unreadable (rows stored
 * before blocks, then blocks, then the upgrade's ids of the patient's readings), in batches of
 * {@code batchRows} rows per transaction (so a patient with years of one-second heart rate does not
 * hold one huge transaction), and marks the erasure done once none is left. Readings sealed under a
 * later key version (arrived after the erasure) are kept.
 *
 * <p>Not thread-safe: run by one scheduler thread (several instances may run it at once on one
 * database; deleting twice is harmless).
 */
public final class ErasureSweeper {

    private static final String PENDING =
            "select patient_id, erased_at, max_key_version from erasures "
                    + "where rows_deleted_at is null order by erased_at limit 100";
    private static final String DELETE =
            "delete from readings r using (select patient_id, device_id, reading_id, effective_start "
                    + "from readings where patient_id = ? and key_version <= ? limit ?) d where r.patient_id = d.patient_id "
                    + "and r.device_id = d.device_id and r.reading_id = d.reading_id and r.effective_start = d.effective_start";
    private static final String DELETE_BLOCKS =
            "delete from reading_blocks b using (select patient_id, type, window_start, "
                    + "key_version from reading_blocks where patient_id = ? and key_version <= ? limit ?) d where b.patient_id = d.patient_id "
                    + "and b.type = d.type and b.window_start = d.window_start and b.key_version = d.key_version returning b.n_readings";
    private static final String DELETE_IDS =
            "delete from legacy_observation_ids where patient_id = ?";
    private static final String DONE =
            "update erasures set rows_deleted_at = now() where patient_id = ? and erased_at = ?";

    private final DataSource dataSource;
    private final int batchRows;

    /** Blocks deleted per statement: a block holds up to thousands of readings. */
    private final int batchBlocks;

    public ErasureSweeper(DataSource dataSource, int batchRows) {
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be >= 1");
        }
        this.dataSource = dataSource;
        this.batchRows = batchRows;
        this.batchBlocks = Math.max(1, batchRows / 100);
    }

    /** An erasure whose readings are still to delete. */
    private record Pending(String patientId, Timestamp erasedAt, int maxVersion) {}

    /** The deletes one sweep may still run, and the readings it deleted so far. */
    private static final class Progress {
        private int batchesLeft;
        long deleted;

        Progress(int maxBatches) {
            this.batchesLeft = maxBatches;
        }

        /** Takes one delete from the budget; false once it is spent. */
        boolean takeBatch() {
            return batchesLeft-- > 0;
        }
    }

    /**
     * Runs until every recorded erasure is swept or {@code maxBatches} deletes ran; returns the
     * rows deleted.
     */
    public long sweep(int maxBatches) throws SQLException {
        Progress progress = new Progress(maxBatches);
        try (Connection c = dataSource.getConnection()) {
            for (Pending p : pending(c)) {
                if (!deleteRows(c, p, progress) || !deleteBlocks(c, p, progress)) {
                    return progress.deleted;
                }
                finish(c, p);
            }
        }
        return progress.deleted;
    }

    private static List<Pending> pending(Connection c) throws SQLException {
        List<Pending> pending = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PENDING);
                ResultSet r = ps.executeQuery()) {
            while (r.next()) {
                pending.add(new Pending(r.getString(1), r.getTimestamp(2), r.getInt(3)));
            }
        }
        return pending;
    }

    /** Deletes the erasure's rows stored before blocks; false when the budget ran out first. */
    private boolean deleteRows(Connection c, Pending p, Progress progress) throws SQLException {
        while (true) {
            if (!progress.takeBatch()) {
                return false;
            }
            int n;
            try (PreparedStatement ps = c.prepareStatement(DELETE)) {
                ps.setString(1, p.patientId());
                ps.setInt(2, p.maxVersion());
                ps.setInt(3, batchRows);
                n = ps.executeUpdate();
            }
            progress.deleted += n;
            if (n < batchRows) {
                return true;
            }
        }
    }

    /** Deletes the erasure's blocks; false when the budget ran out first. */
    private boolean deleteBlocks(Connection c, Pending p, Progress progress) throws SQLException {
        while (true) {
            if (!progress.takeBatch()) {
                return false;
            }
            int blocks = 0;
            try (PreparedStatement ps = c.prepareStatement(DELETE_BLOCKS)) {
                ps.setString(1, p.patientId());
                ps.setInt(2, p.maxVersion());
                ps.setInt(3, batchBlocks);
                try (ResultSet r = ps.executeQuery()) {
                    while (r.next()) {
                        blocks++;
                        progress.deleted += r.getInt(1);
                    }
                }
            }
            if (blocks < batchBlocks) {
                return true;
            }
        }
    }

    /** Forgets the upgrade's ids of the patient's readings and marks the erasure done. */
    private static void finish(Connection c, Pending p) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_IDS)) {
            ps.setString(1, p.patientId());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement(DONE)) {
            ps.setString(1, p.patientId());
            ps.setTimestamp(2, p.erasedAt());
            ps.executeUpdate();
        }
    }
}

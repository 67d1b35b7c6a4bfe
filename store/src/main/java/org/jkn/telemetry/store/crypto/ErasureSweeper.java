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

    public ErasureSweeper(DataSource dataSource, int batchRows) {
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be >= 1");
        }
        this.dataSource = dataSource;
        this.batchRows = batchRows;
    }

    /**
     * Runs until every recorded erasure is swept or {@code maxBatches} deletes ran; returns the
     * rows deleted.
     */
    public long sweep(int maxBatches) throws SQLException {
        long deleted = 0;
        int batches = 0;
        try (Connection c = dataSource.getConnection()) {
            record Pending(String patientId, Timestamp erasedAt, int maxVersion) {}
            List<Pending> pending = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(PENDING);
                    ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    pending.add(new Pending(r.getString(1), r.getTimestamp(2), r.getInt(3)));
                }
            }
            for (Pending p : pending) {
                while (true) {
                    if (batches++ >= maxBatches) {
                        return deleted;
                    }
                    int n;
                    try (PreparedStatement ps = c.prepareStatement(DELETE)) {
                        ps.setString(1, p.patientId());
                        ps.setInt(2, p.maxVersion());
                        ps.setInt(3, batchRows);
                        n = ps.executeUpdate();
                    }
                    deleted += n;
                    if (n < batchRows) {
                        break;
                    }
                }
                while (true) {
                    if (batches++ >= maxBatches) {
                        return deleted;
                    }
                    int blocks = 0;
                    try (PreparedStatement ps = c.prepareStatement(DELETE_BLOCKS)) {
                        ps.setString(1, p.patientId());
                        ps.setInt(2, p.maxVersion());
                        ps.setInt(
                                3,
                                Math.max(1, batchRows / 100)); // a block holds up to thousands of
                        // readings
                        try (ResultSet r = ps.executeQuery()) {
                            while (r.next()) {
                                blocks++;
                                deleted += r.getInt(1);
                            }
                        }
                    }
                    if (blocks < Math.max(1, batchRows / 100)) {
                        break;
                    }
                }
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
        return deleted;
    }
}

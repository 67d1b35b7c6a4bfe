package org.jkn.telemetry.store.crypto;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * KEK rotation: re-wraps every live data key that is not wrapped by the current KEK, in batches,
 * without touching a single reading (readings are sealed under the data keys, which do not change).
 * Once it has finished, the previous KEKs can be removed from configuration.
 *
 * <p>Each key is updated only if it is still wrapped by the KEK it was read with and still live, so
 * concurrent runs on several instances, and erasures meanwhile, are harmless. Blocking (JDBC and
 * one unwrap and wrap per key); run at start-up in the background, or on demand.
 */
public final class KekRotation {

    private static final String SELECT =
            "select patient_id, key_version, kek_id, wrapped from data_keys "
                    + "where destroyed_at is null and kek_id <> ? limit ?";
    private static final String UPDATE =
            "update data_keys set kek_id = ?, wrapped = ? "
                    + "where patient_id = ? and key_version = ? and kek_id = ? and destroyed_at is null";

    private final DataSource dataSource;
    private final KekRing keks;

    public KekRotation(DataSource dataSource, KekRing keks) {
        this.dataSource = dataSource;
        this.keks = keks;
    }

    /**
     * Re-wraps until no key is left under an old KEK; returns how many were re-wrapped. A key under
     * a KEK that is not configured stops the run with {@code kek-unknown}.
     */
    public int run(int batchSize) throws SQLException {
        KeyEncryptionKey current = keks.current();
        int total = 0;
        try (Connection c = dataSource.getConnection()) {
            while (true) {
                record Row(String patientId, int version, String kekId, byte[] wrapped) {}
                List<Row> rows = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement(SELECT)) {
                    ps.setString(1, current.id());
                    ps.setInt(2, batchSize);
                    try (ResultSet r = ps.executeQuery()) {
                        while (r.next()) {
                            rows.add(
                                    new Row(
                                            r.getString(1),
                                            r.getInt(2),
                                            r.getString(3),
                                            r.getBytes(4)));
                        }
                    }
                }
                if (rows.isEmpty()) {
                    return total;
                }
                try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
                    for (Row row : rows) {
                        byte[] context = DataKeys.context(row.patientId(), row.version());
                        byte[] raw = keks.get(row.kekId()).unwrap(row.wrapped(), context);
                        try {
                            ps.setString(1, current.id());
                            ps.setBytes(2, current.wrap(raw, context));
                        } finally {
                            java.util.Arrays.fill(raw, (byte) 0);
                        }
                        ps.setString(3, row.patientId());
                        ps.setInt(4, row.version());
                        ps.setString(5, row.kekId());
                        ps.addBatch();
                    }
                    for (int n : ps.executeBatch()) {
                        total += Math.max(0, n);
                    }
                }
            }
        }
    }
}

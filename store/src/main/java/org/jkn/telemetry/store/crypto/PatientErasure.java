package org.jkn.telemetry.store.crypto;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jkn.telemetry.store.db.ChangeNotices;
import org.jkn.telemetry.store.db.TransactionStep;

/**
 * Erasure of a patient by crypto-shredding, the one place an erasure happens: in one transaction
 * the patient's data keys are destroyed (every sealed reading, in the database and still in the
 * journal, becomes unreadable at that commit), the plaintext rows of earlier versions are deleted,
 * the patient's registered and seen devices and the patient row are removed, and the erasure is
 * recorded for {@link ErasureSweeper}, which deletes the unreadable rows later. Then this
 * instance's key cache is dropped. Readings arriving afterwards get a new data key version.
 *
 * <p>Related data kept by other parts (consents, audit) is removed through {@link #onErased} hooks,
 * called inside the same transaction so an erasure is all or nothing.
 *
 * <p>Thread-safe; blocking (JDBC).
 */
public final class PatientErasure {

    /** Removes what another part keeps about the patient, in the erasure's transaction. */
    public interface Hook {
        void erase(Connection c, String patientId) throws SQLException;
    }

    /** What an erasure did. {@code found} is false when nothing was known about the patient. */
    public record Result(boolean found, int keysDestroyed, List<String> registeredDevices) {}

    private final DataSource dataSource;
    private final DataKeys keys;
    private final List<Hook> hooks = new ArrayList<>();

    public PatientErasure(DataSource dataSource, DataKeys keys) {
        this.dataSource = dataSource;
        this.keys = keys;
    }

    /** Adds a hook (at wiring time, before erasures run). */
    public synchronized PatientErasure onErased(Hook hook) {
        hooks.add(hook);
        return this;
    }

    public Result erase(String patientId) throws SQLException {
        return erase(patientId, TransactionStep.NONE);
    }

    /**
     * Erases the patient and, when there was something to erase, runs {@code alsoIfFound} in the
     * same transaction (the erasure's audit record: both are committed or neither is).
     */
    public Result erase(String patientId, TransactionStep alsoIfFound) throws SQLException {
        Result result;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                result = erase(c, patientId);
                if (result.found()) {
                    alsoIfFound.apply(c);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        keys.invalidate(patientId);
        return result;
    }

    private Result erase(Connection c, String patientId) throws SQLException {
        int maxVersion = 0;
        int destroyed = 0;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "update data_keys set wrapped = null, destroyed_at = now() "
                                + "where patient_id = ? and destroyed_at is null returning key_version")) {
            ps.setString(1, patientId);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    destroyed++;
                    maxVersion = Math.max(maxVersion, r.getInt(1));
                }
            }
        }
        int legacy =
                update(
                        c,
                        "delete from readings where patient_id = ? and key_version is null",
                        patientId);
        List<String> registered = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "delete from registered_devices where patient_id = ? returning id")) {
            ps.setString(1, patientId);
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    registered.add(r.getString(1));
                }
            }
        }
        update(c, "delete from devices where patient_id = ?", patientId);
        for (Hook h : hooks) {
            h.erase(c, patientId);
        }
        int patients = update(c, "delete from patients where id = ?", patientId);
        boolean found = destroyed > 0 || legacy > 0 || !registered.isEmpty() || patients > 0;
        if (found) {
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "insert into erasures (patient_id, max_key_version) values (?, ?)")) {
                ps.setString(1, patientId);
                ps.setInt(2, maxVersion);
                ps.executeUpdate();
            }
            // other instances drop their cached keys, decisions and device credentials when this
            // commits
            ChangeNotices.publish(c, ChangeNotices.Kind.ERASURE, patientId);
            for (String device : registered) {
                ChangeNotices.publish(c, ChangeNotices.Kind.DEVICE_REVOKED, device);
            }
        }
        return new Result(found, destroyed, List.copyOf(registered));
    }

    private static int update(Connection c, String sql, String patientId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, patientId);
            return ps.executeUpdate();
        }
    }
}

package org.jkn.telemetry.store.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.jkn.telemetry.store.crypto.DeviceSealer;
import org.jkn.telemetry.store.db.ChangeNotices;

/** The {@code registered_devices} table. Blocking JDBC; thread-safe (one connection per call). */
final class DeviceStore {

    private static final String PATIENT =
            "insert into patients (id) values (?) on conflict do nothing";
    private static final String INSERT =
            "insert into registered_devices "
                    + "(id, patient_id, attrs_sealed, attrs_key_version, serial_hash, secret_salt, secret_iterations, secret_hash) "
                    + "values (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String FIND =
            "select patient_id, manufacturer, model, attrs_sealed, attrs_key_version, "
                    + "secret_salt, secret_iterations, secret_hash, revoked_at is not null from registered_devices where id = ?";
    private static final String PLAINTEXT =
            "select id, patient_id, manufacturer, model from registered_devices "
                    + "where attrs_sealed is null and (manufacturer is not null or model is not null) limit ?";
    private static final String SEAL =
            "update registered_devices set attrs_sealed = ?, attrs_key_version = ?, manufacturer = null, "
                    + "model = null where id = ? and attrs_sealed is null";
    private static final String REVOKE =
            "update registered_devices set revoked_at = coalesce(revoked_at, now()) where id = ?";

    /**
     * A row: the device's patient, its attributes (sealed, or in clear in a row of an earlier
     * version not yet sealed), its secret's hash, and whether it was revoked.
     */
    record StoredDevice(
            String id,
            String patientId,
            String manufacturer,
            String model,
            byte[] sealed,
            int keyVersion,
            SecretHash secret,
            boolean revoked) {}

    /** A row of an earlier version with its attributes in clear. */
    record PlaintextDevice(String id, String patientId, String manufacturer, String model) {}

    private final DataSource dataSource;

    DeviceStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void insert(
            String id,
            DeviceRegistration r,
            DeviceSealer.Sealed attrs,
            String serialHash,
            SecretHash secret)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(PATIENT);
                    PreparedStatement d = c.prepareStatement(INSERT)) {
                p.setString(1, r.patientId());
                p.executeUpdate();
                d.setString(1, id);
                d.setString(2, r.patientId());
                d.setBytes(3, attrs.bytes());
                d.setInt(4, attrs.keyVersion());
                d.setString(5, serialHash);
                d.setBytes(6, secret.salt());
                d.setInt(7, secret.iterations());
                d.setBytes(8, secret.hash());
                d.executeUpdate();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The device, or null when there is none with this id. */
    StoredDevice find(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(FIND)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                return new StoredDevice(
                        id,
                        r.getString(1),
                        r.getString(2),
                        r.getString(3),
                        r.getBytes(4),
                        r.getInt(5),
                        new SecretHash(r.getBytes(6), r.getInt(7), r.getBytes(8)),
                        r.getBoolean(9));
            }
        }
    }

    /**
     * Marks the device revoked (keeping the first revocation time); false when there is no such
     * device.
     */
    boolean revoke(String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement(REVOKE)) {
                s.setString(1, id);
                if (s.executeUpdate() != 1) {
                    c.rollback();
                    return false;
                }
                // the other instances are told when, and only if, the revocation commits
                ChangeNotices.publish(c, ChangeNotices.Kind.DEVICE_REVOKED, id);
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Up to {@code limit} rows whose attributes are still in clear. */
    List<PlaintextDevice> plaintext(int limit) throws SQLException {
        List<PlaintextDevice> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(PLAINTEXT)) {
            s.setInt(1, limit);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(
                            new PlaintextDevice(
                                    r.getString(1),
                                    r.getString(2),
                                    r.getString(3),
                                    r.getString(4)));
                }
            }
        }
        return out;
    }

    /** Replaces a row's clear attributes with sealed ones (unless another instance did first). */
    void seal(String id, DeviceSealer.Sealed attrs) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement(SEAL)) {
            s.setBytes(1, attrs.bytes());
            s.setInt(2, attrs.keyVersion());
            s.setString(3, id);
            s.executeUpdate();
        }
    }
}

package org.jkn.telemetry.store.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jkn.telemetry.store.db.ChangeNotices;

/** The {@code registered_devices} table. Blocking JDBC; thread-safe (one connection per call). */
final class DeviceStore {

    private static final String PATIENT = "insert into patients (id) values (?) on conflict do nothing";
    private static final String INSERT = "insert into registered_devices "
            + "(id, patient_id, manufacturer, model, serial_hash, secret_salt, secret_iterations, secret_hash) "
            + "values (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String FIND = "select patient_id, manufacturer, model, secret_salt, secret_iterations, secret_hash, "
            + "revoked_at is not null from registered_devices where id = ?";
    // one statement, so the notice to the other instances commits with the revocation
    private static final String REVOKE = "with revoked as (update registered_devices set revoked_at = coalesce(revoked_at, now()) "
            + "where id = ? returning id) select pg_notify('" + ChangeNotices.CHANNEL + "', '" + ChangeNotices.Kind.DEVICE_REVOKED.code()
            + ":' || id) from revoked";

    /** A row: the device, its secret's hash, and whether it was revoked. */
    record StoredDevice(RegisteredDevice device, SecretHash secret, boolean revoked) {
    }

    private final DataSource dataSource;

    DeviceStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void insert(String id, DeviceRegistration r, String serialHash, SecretHash secret) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement(PATIENT); PreparedStatement d = c.prepareStatement(INSERT)) {
                p.setString(1, r.patientId());
                p.executeUpdate();
                d.setString(1, id);
                d.setString(2, r.patientId());
                d.setString(3, r.manufacturer());
                d.setString(4, r.model());
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
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(FIND)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                RegisteredDevice device = new RegisteredDevice(id, r.getString(1), r.getString(2), r.getString(3));
                return new StoredDevice(device, new SecretHash(r.getBytes(4), r.getInt(5), r.getBytes(6)), r.getBoolean(7));
            }
        }
    }

    /** Marks the device revoked (keeping the first revocation time); false when there is no such device. */
    boolean revoke(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(REVOKE)) {
            s.setString(1, id);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }
}

package org.jkn.telemetry.store.crypto;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.List;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.copy.Detail;

/**
 * Seals the plaintext rows that earlier versions stored ({@code key_version} null): each is
 * replaced, in one transaction per batch, by its sealed form under the patient's data key, with
 * the device's manufacturer and model (from the old {@code devices} table) inside the ciphertext.
 * Once no plaintext row is left, the {@code devices} table, which only served them, is emptied.
 *
 * <p>A sealed row's key is the keyed row key, so the Observation ids of these readings change once
 * (the old ids used an unkeyed hash); a reading re-sent later is then recognised as before. When a
 * sealed copy already exists (the reading was re-sent after the upgrade), the plaintext row is
 * simply deleted.
 *
 * <p>Blocking (JDBC, sealing). Safe to run on several instances at once: rows are taken with
 * {@code for update skip locked}. Run at start-up in the background.
 */
public final class PlaintextRowSealer {

    private static final String TAKE = "select r.patient_id, r.device_id, r.reading_id, r.type, r.effective_start, r.effective_end, "
            + "r.tz_offset, r.value, r.value2, r.received_at, r.attrs, r.detail, d.manufacturer, d.model "
            + "from readings r left join devices d on d.patient_id = r.patient_id and d.id = r.device_id "
            + "where r.key_version is null limit ? for update of r skip locked";
    private static final String DELETE = "delete from readings where patient_id = ? and device_id = ? and reading_id = ? "
            + "and effective_start = ? and key_version is null";
    private static final String INSERT = "insert into readings (patient_id, device_id, reading_id, type, code, effective_start, "
            + "effective_end, tz_offset, obs_key, received_at, key_version, sealed) values (?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            + "on conflict do nothing";

    private final DataSource dataSource;
    private final ReadingCrypto crypto;

    public PlaintextRowSealer(DataSource dataSource, ReadingCrypto crypto) {
        this.dataSource = dataSource;
        this.crypto = crypto;
    }

    /** Seals every plaintext row, {@code batchRows} per transaction; returns how many were replaced. */
    public long run(int batchRows) throws SQLException {
        long total = 0;
        try (Connection c = dataSource.getConnection()) {
            while (true) {
                int n = batch(c, batchRows);
                total += n;
                if (n == 0) {
                    break;
                }
            }
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select not exists (select 1 from readings where key_version is null)")) {
                r.next();
                if (r.getBoolean(1)) {
                    s.executeUpdate("delete from devices");
                }
            }
        }
        return total;
    }

    private int batch(Connection c, int batchRows) throws SQLException {
        c.setAutoCommit(false);
        try {
            int n = 0;
            try (PreparedStatement take = c.prepareStatement(TAKE); PreparedStatement delete = c.prepareStatement(DELETE);
                 PreparedStatement insert = c.prepareStatement(INSERT)) {
                take.setInt(1, batchRows);
                try (ResultSet r = take.executeQuery()) {
                    while (r.next()) {
                        seal(r, delete, insert);
                        n++;
                    }
                }
                if (n > 0) {
                    delete.executeBatch();
                    insert.executeBatch();
                }
            }
            c.commit();
            return n;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private void seal(ResultSet r, PreparedStatement delete, PreparedStatement insert) throws SQLException {
        String patient = r.getString(1);
        String device = r.getString(2);
        String readingId = r.getString(3);
        ReadingType type = ReadingType.ofId(r.getInt(4));
        if (type == null) {
            throw new SQLException("a plaintext readings row has an unknown type id", "22023");
        }
        OffsetDateTime start = r.getObject(5, OffsetDateTime.class);
        double value = r.getDouble(8);
        if (r.wasNull()) {
            value = Double.NaN;
        }
        double value2 = r.getDouble(9);
        if (r.wasNull()) {
            value2 = Double.NaN;
        }
        NormalizedReading reading = new NormalizedReading(type, readingId, micros(start), micros(r.getObject(6, OffsetDateTime.class)),
                r.getInt(7), value, value2, r.getInt(11), Detail.decode(r.getBytes(12)));
        long received = micros(r.getObject(10, OffsetDateTime.class));
        SealedBatch b = crypto.seal(patient, new DeviceInfo(device, r.getString(13), r.getString(14)), received, List.of(reading));
        SealedReading s = b.readings().get(0);

        delete.setString(1, patient);
        delete.setString(2, device);
        delete.setString(3, readingId);
        delete.setObject(4, start);
        delete.addBatch();
        insert.setString(1, patient);
        insert.setString(2, s.rowKey());
        insert.setShort(3, (short) type.id());
        insert.setString(4, s.code());
        insert.setObject(5, start);
        insert.setObject(6, r.getObject(6, OffsetDateTime.class));
        insert.setInt(7, s.offsetSeconds());
        insert.setString(8, s.rowKey());
        insert.setObject(9, r.getObject(10, OffsetDateTime.class));
        insert.setInt(10, b.keyVersion());
        insert.setBytes(11, s.sealed());
        insert.addBatch();
    }

    private static long micros(OffsetDateTime t) {
        return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}

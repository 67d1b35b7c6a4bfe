package org.jkn.telemetry.store.copy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.block.PendingBlocks;
import org.jkn.telemetry.store.crypto.Opened;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;

/**
 * Moves readings stored one row each by earlier versions (sealed rows, and plaintext rows older
 * still) into blocks, a batch at a time, at start-up in the background. Each step opens its rows,
 * merges them into their blocks ({@link BlockWriter}, which also dedups against readings that
 * arrived again meanwhile), records each reading's old Observation id for reads by id, and deletes
 * the rows, all in one transaction: a kill at any point leaves every reading in exactly one place,
 * so the job resumes where it stopped and running it twice (or on two instances: an advisory lock
 * makes them take turns) changes nothing. Search reads both places meanwhile, so nothing disappears
 * from view.
 *
 * <p>Rows whose data key was destroyed (an erasure) are left for the erasure sweeper.
 *
 * <p>Not thread-safe: one per start-up job.
 */
public final class BlockUpgrade {

    private static final String SELECT =
            "select r.patient_id, r.device_id, r.reading_id, r.type, r.effective_start, "
                    + "r.effective_end, r.tz_offset, r.value, r.value2, r.obs_key, r.received_at, d.manufacturer, d.model, r.attrs, r.detail, "
                    + "r.key_version, r.sealed from readings r left join devices d on d.patient_id = r.patient_id and d.id = r.device_id "
                    + "where r.key_version is null or exists (select 1 from data_keys k where k.patient_id = r.patient_id "
                    + "and k.key_version = r.key_version and k.destroyed_at is null) "
                    + "limit ?";
    private static final String DELETE =
            "delete from readings where patient_id = ? and device_id = ? and reading_id = ? "
                    + "and effective_start = ?";
    private static final String REMEMBER =
            "insert into legacy_observation_ids (obs_key, effective_start, patient_id, type) "
                    + "values (?, ?, ?, ?) on conflict do nothing";

    private final DataSource dataSource;
    private final ReadingCrypto crypto;
    private final BlockWriter writer;
    private final PendingBlocks pending = new PendingBlocks();
    private final RowKeys.Hasher hasher;

    public BlockUpgrade(DataSource dataSource, ReadingCrypto crypto) {
        this.dataSource = dataSource;
        this.crypto = crypto;
        this.writer = new BlockWriter(dataSource, crypto);
        this.hasher = crypto.rowKeys().hasher();
    }

    /** Moves rows in steps of {@code batchRows} until none is left; returns how many were moved. */
    public long run(int batchRows) throws SQLException {
        long moved = 0;
        while (true) {
            int n = step(batchRows);
            moved += n;
            if (n == 0) {
                break;
            }
        }
        // the devices table only served plaintext rows (their manufacturer and model are now sealed
        // in blocks)
        try (Connection c = dataSource.getConnection();
                Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "select not exists (select 1 from readings where key_version is null)")) {
            r.next();
            if (r.getBoolean(1)) {
                s.executeUpdate("delete from devices");
            }
        }
        return moved;
    }

    /** One step: at most {@code batchRows} rows moved in one transaction; returns how many. */
    public int step(int batchRows) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int n = step(c, batchRows);
                c.commit();
                return n;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException r) {
                    e.addSuppressed(r); // the connection broke: what broke it is the news
                }
                throw e;
            } finally {
                pending.clear();
                if (!c.isClosed()) {
                    c.setAutoCommit(true);
                }
            }
        }
    }

    private int step(Connection c, int batchRows) throws SQLException {
        pending.clear();
        // one mover at a time across instances; rows are not locked one by one, which TimescaleDB
        // refuses on compressed chunks ("locking compressed tuples is not supported"). Waiting, not
        // trying: a backend whose client was killed can hold the lock until it next talks to it,
        // and giving up then would end the upgrade quietly until the next start.
        try (PreparedStatement lock =
                c.prepareStatement(
                        "select pg_advisory_xact_lock(hashtext('telemetry block upgrade'))")) {
            lock.executeQuery().close();
        }
        int rows = 0;
        try (PreparedStatement select = c.prepareStatement(SELECT);
                PreparedStatement delete = c.prepareStatement(DELETE);
                PreparedStatement remember = c.prepareStatement(REMEMBER)) {
            select.setInt(1, batchRows);
            try (ResultSet r = select.executeQuery()) {
                while (r.next()) {
                    rows++;
                    String key = move(r);
                    delete.setString(1, r.getString(1));
                    delete.setString(2, r.getString(2));
                    delete.setString(3, r.getString(3));
                    delete.setObject(4, r.getObject(5, OffsetDateTime.class));
                    delete.addBatch();
                    remember.setString(1, key);
                    remember.setObject(2, r.getObject(5, OffsetDateTime.class));
                    remember.setString(3, r.getString(1));
                    remember.setShort(4, r.getShort(4));
                    remember.addBatch();
                }
            }
            if (rows == 0) {
                return 0;
            }
            writer.merge(c, pending.blocks());
            remember.executeBatch();
            delete.executeBatch();
        }
        return rows;
    }

    /**
     * Adds the row's reading to the pending blocks; returns the row key its Observation id carries.
     */
    private String move(ResultSet r) throws SQLException {
        String patient = r.getString(1);
        ReadingType type = ReadingType.ofId(r.getInt(4));
        if (type == null) {
            throw new SQLException("a readings row has an unknown type id", "22023");
        }
        long start = micros(r.getObject(5, OffsetDateTime.class));
        long end = micros(r.getObject(6, OffsetDateTime.class));
        int offset = r.getInt(7);
        long received = micros(r.getObject(11, OffsetDateTime.class));
        String key = r.getString(10);
        int keyVersion = r.getInt(16);
        NormalizedReading reading;
        DeviceInfo device;
        if (r.wasNull()) {
            keyVersion = crypto.keys().current(patient).version();
            reading = plaintextReading(r, type, start, end, offset);
            device = new DeviceInfo(r.getString(2), r.getString(12), r.getString(13));
            // as the sealing of plaintext rows did: the id becomes the keyed row key's
            key = hasher.key(patient, device.id(), reading.readingId());
        } else {
            Opened o =
                    crypto.open(patient, keyVersion, type, start, end, offset, key, r.getBytes(17));
            reading =
                    new NormalizedReading(
                            type,
                            o.readingId(),
                            start,
                            end,
                            offset,
                            o.value(),
                            o.diastolic(),
                            o.attrs(),
                            o.stages());
            device = new DeviceInfo(o.deviceId(), o.manufacturer(), o.model());
        }
        pending.add(patient, keyVersion, reading, device, received);
        pending.markLastLegacy(patient, keyVersion, type, start);
        return key;
    }

    /** The reading of a row stored in plaintext, before sealing; NaN for a null value. */
    private static NormalizedReading plaintextReading(
            ResultSet r, ReadingType type, long start, long end, int offset) throws SQLException {
        return new NormalizedReading(
                type,
                r.getString(3),
                start,
                end,
                offset,
                doubleOrNaN(r, 8),
                doubleOrNaN(r, 9),
                r.getInt(14),
                Detail.decode(r.getBytes(15)));
    }

    private static double doubleOrNaN(ResultSet r, int column) throws SQLException {
        double value = r.getDouble(column);
        return r.wasNull() ? Double.NaN : value;
    }

    private static long micros(OffsetDateTime t) {
        return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}

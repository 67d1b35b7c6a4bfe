package org.jkn.telemetry.store.copy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.store.query.ObservationIds;
import org.postgresql.PGConnection;

/**
 * Writes journal batches to the database in one transaction: patients and devices upserted, the
 * readings COPYed into a session-local staging table and moved with {@code ON CONFLICT DO NOTHING}
 * (so a re-sent reading is stored once), and the journal checkpoint advanced. Either all of it
 * commits or none of it does, so a replay after a crash is exact.
 *
 * <p>Not thread-safe: one per drainer thread. Cost: one round trip per statement, one COPY per call.
 */
public final class ReadingCopier {

    private static final String STAGE = "create temp table if not exists readings_stage "
            + "(like readings including defaults) on commit delete rows";
    private static final String COPY = "copy readings_stage (patient_id, device_id, reading_id, type, code, "
            + "effective_start, effective_end, tz_offset, value, value2, obs_key, received_at, attrs, detail) from stdin (format csv)";
    private static final String MOVE = "insert into readings (patient_id, device_id, reading_id, type, code, effective_start, "
            + "effective_end, tz_offset, value, value2, obs_key, received_at, attrs, detail) select patient_id, device_id, reading_id, "
            + "type, code, effective_start, effective_end, tz_offset, value, value2, obs_key, received_at, attrs, detail "
            + "from readings_stage on conflict do nothing";
    private static final String PATIENT = "insert into patients (id) values (?) on conflict do nothing";
    private static final String DEVICE = "insert into devices (patient_id, id, manufacturer, model) values (?, ?, ?, ?) "
            + "on conflict (patient_id, id) do update set manufacturer = coalesce(excluded.manufacturer, devices.manufacturer), "
            + "model = coalesce(excluded.model, devices.model), last_seen = now()";
    private static final String CHECKPOINT = "insert into journal_checkpoints (journal_id, last_index) values (?, ?) "
            + "on conflict (journal_id) do update set last_index = excluded.last_index, updated_at = now()";

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final DataSource dataSource;
    private final StringBuilder csv = new StringBuilder(1 << 16);

    public ReadingCopier(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores the batches and records {@code lastIndex} as the journal's checkpoint.
     *
     * @return the number of readings newly stored (the rest were already there)
     */
    public int write(List<JournalBatch> batches, String journalId, long lastIndex) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int inserted = write(c, batches, journalId, lastIndex);
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    private int write(Connection c, List<JournalBatch> batches, String journalId, long lastIndex) throws SQLException {
        Map<String, DeviceInfo> devices = new LinkedHashMap<>();
        for (JournalBatch b : batches) {
            devices.put(b.patientId() + '\0' + b.device().id(), b.device());
        }
        try (PreparedStatement p = c.prepareStatement(PATIENT); PreparedStatement d = c.prepareStatement(DEVICE)) {
            for (Map.Entry<String, DeviceInfo> e : devices.entrySet()) {
                String patient = e.getKey().substring(0, e.getKey().indexOf('\0'));
                p.setString(1, patient);
                p.addBatch();
                d.setString(1, patient);
                d.setString(2, e.getValue().id());
                d.setString(3, e.getValue().manufacturer());
                d.setString(4, e.getValue().model());
                d.addBatch();
            }
            p.executeBatch();
            d.executeBatch();
        }
        int inserted = 0;
        if (fillCsv(batches) > 0) {
            try (Statement s = c.createStatement()) {
                s.execute(STAGE);
            }
            try {
                byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
                c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new ByteArrayInputStream(bytes));
            } catch (IOException e) {
                throw new SQLException("COPY into readings_stage failed", "08006", e);
            }
            try (Statement s = c.createStatement()) {
                inserted = s.executeUpdate(MOVE);
            }
        }
        try (PreparedStatement cp = c.prepareStatement(CHECKPOINT)) {
            cp.setString(1, journalId);
            cp.setLong(2, lastIndex);
            cp.executeUpdate();
        }
        return inserted;
    }

    /** CSV rows for COPY. Ids were checked by the normalizer ([A-Za-z0-9._:-]), so no quoting is needed. */
    private int fillCsv(List<JournalBatch> batches) {
        csv.setLength(0);
        int rows = 0;
        for (JournalBatch b : batches) {
            String received = micros(b.receivedMicros());
            for (NormalizedReading r : b.readings()) {
                csv.append(b.patientId()).append(',')
                        .append(b.device().id()).append(',')
                        .append(r.readingId()).append(',')
                        .append(r.type().id()).append(',')
                        .append(r.type().storedCode(r.attrs())).append(',')
                        .append(micros(r.startMicros())).append(',')
                        .append(micros(r.endMicros())).append(',')
                        .append(r.offsetSeconds()).append(',');
                if (!Double.isNaN(r.value())) {
                    csv.append(r.value());
                }
                csv.append(',');
                if (!Double.isNaN(r.value2())) {
                    csv.append(r.value2());
                }
                csv.append(',')
                        .append(ObservationIds.key(b.patientId(), b.device().id(), r.readingId())).append(',')
                        .append(received).append(',')
                        .append(r.attrs()).append(',');
                byte[] detail = Detail.encode(r.stages());
                if (detail != null) {
                    csv.append("\\x");
                    for (byte x : detail) {
                        csv.append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
                    }
                }
                csv.append('\n');
                rows++;
            }
        }
        return rows;
    }

    private static String micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L).toString();
    }
}

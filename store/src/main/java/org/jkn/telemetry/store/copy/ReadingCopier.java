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
import org.jkn.telemetry.store.crypto.SealedBatch;
import org.jkn.telemetry.store.crypto.SealedReading;
import org.postgresql.PGConnection;

/**
 * Writes sealed journal batches to the database in one transaction: patients upserted, the
 * readings COPYed into a session-local staging table and moved with {@code ON CONFLICT DO NOTHING}
 * (so a re-sent reading, recognised by its row key, is stored once), and the journal checkpoint
 * advanced. Either all of it commits or none of it does, so a replay after a crash is exact.
 *
 * <p>Ciphertexts are copied as they are. Readings sealed under a data key that was destroyed
 * meanwhile (the patient was erased while they waited in the journal) are not stored.
 *
 * <p>Not thread-safe: one per drainer thread. Cost: one round trip per statement, one COPY per call.
 */
public final class ReadingCopier {

    private static final String STAGE = "create temp table if not exists readings_stage "
            + "(like readings including defaults) on commit delete rows";
    private static final String COPY = "copy readings_stage (patient_id, device_id, reading_id, type, code, "
            + "effective_start, effective_end, tz_offset, obs_key, received_at, key_version, sealed) from stdin (format csv)";
    private static final String MOVE = "insert into readings (patient_id, device_id, reading_id, type, code, effective_start, "
            + "effective_end, tz_offset, obs_key, received_at, key_version, sealed) select s.patient_id, s.device_id, s.reading_id, "
            + "s.type, s.code, s.effective_start, s.effective_end, s.tz_offset, s.obs_key, s.received_at, s.key_version, s.sealed "
            + "from readings_stage s join data_keys k on k.patient_id = s.patient_id and k.key_version = s.key_version "
            + "and k.destroyed_at is null on conflict do nothing";
    private static final String PATIENT = "insert into patients (id) select ? where exists (select 1 from data_keys "
            + "where patient_id = ? and key_version = ? and destroyed_at is null) on conflict do nothing";
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
     * @return the number of readings newly stored (the rest were already there, or erased)
     */
    public int write(List<SealedBatch> batches, String journalId, long lastIndex) throws SQLException {
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

    private int write(Connection c, List<SealedBatch> batches, String journalId, long lastIndex) throws SQLException {
        Map<String, Integer> patients = new LinkedHashMap<>();
        for (SealedBatch b : batches) {
            patients.merge(b.patientId(), b.keyVersion(), Math::max);
        }
        try (PreparedStatement p = c.prepareStatement(PATIENT)) {
            for (Map.Entry<String, Integer> e : patients.entrySet()) {
                p.setString(1, e.getKey());
                p.setString(2, e.getKey());
                p.setInt(3, e.getValue());
                p.addBatch();
            }
            p.executeBatch();
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

    /**
     * CSV rows for COPY. Patient ids are pseudonyms and row keys hex, codes come from the catalogue,
     * so no quoting is needed; the device id column is empty (the device is inside the ciphertext).
     */
    private int fillCsv(List<SealedBatch> batches) {
        csv.setLength(0);
        int rows = 0;
        for (SealedBatch b : batches) {
            String received = micros(b.receivedMicros());
            for (SealedReading r : b.readings()) {
                csv.append(b.patientId()).append(",\"\",")
                        .append(r.rowKey()).append(',')
                        .append(r.type().id()).append(',')
                        .append(r.code()).append(',')
                        .append(micros(r.startMicros())).append(',')
                        .append(micros(r.endMicros())).append(',')
                        .append(r.offsetSeconds()).append(',')
                        .append(r.rowKey()).append(',')
                        .append(received).append(',')
                        .append(b.keyVersion()).append(",\\x");
                for (byte x : r.sealed()) {
                    csv.append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
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

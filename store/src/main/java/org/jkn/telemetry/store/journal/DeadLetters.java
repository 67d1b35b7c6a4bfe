package org.jkn.telemetry.store.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.store.block.PendingBlocks;
import org.jkn.telemetry.store.copy.BlockWriter;
import org.jkn.telemetry.store.crypto.BatchRecords;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.SealedRecords;

/**
 * Journal records the database refused for good ({@link WriteFailures#isRefusal}), kept sealed in
 * {@code dead_letters} with their reason, how many times they were seen and when: listed without
 * any health data, replayed after a fix, or purged.
 *
 * <p>Thread-safe; every call takes its own connection.
 */
public final class DeadLetters {

    /** The database refused the record's blocks (the SQLSTATE says why). */
    public static final String DB_REFUSED = "db-refused";

    /** The journal record could not be decoded. */
    public static final String UNDECODABLE = "undecodable";

    private static final String ADD =
            "insert into dead_letters (journal_id, journal_index, patient_id, reason, sqlstate, readings, record)"
                    + " values (?, ?, ?, ?, ?, ?, ?)"
                    + " on conflict (journal_id, journal_index) do update set reason = excluded.reason,"
                    + " sqlstate = excluded.sqlstate, times_seen = dead_letters.times_seen + 1, last_seen = now()";

    private final DataSource dataSource;
    private final ReadingCrypto crypto;

    public DeadLetters(DataSource dataSource, ReadingCrypto crypto) {
        this.dataSource = dataSource;
        this.crypto = crypto;
    }

    /** One dead letter as an operator sees it: no patient, no reading, only where and why. */
    public record Entry(
            long id,
            String journalId,
            long journalIndex,
            String reason,
            String sqlState,
            int readings,
            boolean kept,
            int timesSeen,
            Instant firstSeen,
            Instant lastSeen) {}

    /** The outcome of a replay. */
    public enum Replay {
        /** Stored; the dead letter is gone. */
        STORED,
        /** Refused again; its reason and count are updated. */
        REFUSED,
        /** No dead letter has that id. */
        NOT_FOUND,
        /**
         * The record was not kept (a plaintext record of an early version), so only purging helps.
         */
        NOT_KEPT
    }

    /** Dead letters, oldest first, after {@code afterId} (0 for the first page). */
    public List<Entry> list(long afterId, int limit) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "select id, journal_id, journal_index, reason, sqlstate, readings,"
                                        + " record is not null, times_seen, first_seen, last_seen"
                                        + " from dead_letters where id > ? order by id limit ?")) {
            ps.setLong(1, afterId);
            ps.setInt(2, limit);
            List<Entry> entries = new ArrayList<>();
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    entries.add(
                            new Entry(
                                    r.getLong(1),
                                    r.getString(2),
                                    r.getLong(3),
                                    r.getString(4),
                                    r.getString(5),
                                    r.getInt(6),
                                    r.getBoolean(7),
                                    r.getInt(8),
                                    r.getTimestamp(9).toInstant(),
                                    r.getTimestamp(10).toInstant()));
                }
            }
            return entries;
        }
    }

    /** How many dead letters there are, and the readings they hold. */
    public long[] totals() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "select count(*), coalesce(sum(readings), 0) from dead_letters");
                ResultSet r = ps.executeQuery()) {
            r.next();
            return new long[] {r.getLong(1), r.getLong(2)};
        }
    }

    /**
     * Opens the record again and merges it into its blocks, as the drainer would; on success the
     * dead letter is deleted. A transient failure (the database away) is thrown, the dead letter
     * stays.
     */
    public Replay replay(long id) throws SQLException {
        byte[] record;
        boolean found;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select record from dead_letters where id = ?")) {
            ps.setLong(1, id);
            try (ResultSet r = ps.executeQuery()) {
                found = r.next();
                record = found ? r.getBytes(1) : null;
            }
        }
        if (!found) {
            return Replay.NOT_FOUND;
        }
        if (record == null) {
            return Replay.NOT_KEPT;
        }
        try {
            PendingBlocks pending = new PendingBlocks();
            new JournalRecordOpener(crypto)
                    .open(JournalRecordOpener.read(Bytes.wrapForRead(record)), pending);
            new BlockWriter(dataSource, crypto).write(pending.blocks(), null, 0);
        } catch (SQLException | RuntimeException e) {
            if (!WriteFailures.isRefusal(e) && !isDecodingFailure(e)) {
                throw e;
            }
            String reason = e instanceof CryptoFailure f ? f.code() : reasonOf(e);
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps =
                            c.prepareStatement(
                                    "update dead_letters set reason = ?, sqlstate = ?,"
                                            + " times_seen = times_seen + 1, last_seen = now() where id = ?")) {
                ps.setString(1, reason);
                ps.setString(2, WriteFailures.sqlState(e));
                ps.setLong(3, id);
                ps.executeUpdate();
            }
            return Replay.REFUSED;
        }
        purge(id);
        return Replay.STORED;
    }

    /** Deletes one dead letter; false when there was none with that id. */
    public boolean purge(long id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("delete from dead_letters where id = ?")) {
            ps.setLong(1, id);
            return ps.executeUpdate() == 1;
        }
    }

    /** Deletes every dead letter; returns how many. */
    public int purgeAll() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("delete from dead_letters")) {
            return ps.executeUpdate();
        }
    }

    /** Records a refused record (or counts it again), in its own transaction. */
    void add(
            String journalId,
            long index,
            String patientId,
            String reason,
            String sqlState,
            int readings,
            byte[] record)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(ADD)) {
            ps.setString(1, journalId);
            ps.setLong(2, index);
            ps.setString(3, patientId);
            ps.setString(4, reason);
            ps.setString(5, sqlState);
            ps.setInt(6, readings);
            ps.setBytes(7, isSealed(record) ? record : null);
            ps.executeUpdate();
        }
    }

    /** The stable reason code of a refusal. */
    static String reasonOf(Throwable failure) {
        if (failure instanceof CryptoFailure f) {
            return f.code();
        }
        return isDecodingFailure(failure) ? UNDECODABLE : DB_REFUSED;
    }

    private static boolean isDecodingFailure(Throwable failure) {
        return failure instanceof RuntimeException
                && !(failure instanceof CryptoFailure)
                && WriteFailures.sqlState(failure) == null;
    }

    /** Only sealed record versions are copied into the database: earlier ones are plaintext. */
    private static boolean isSealed(byte[] record) {
        if (record == null || record.length == 0) {
            return false;
        }
        int version = record[0] & 0xff;
        return version == BatchRecords.VERSION || version == SealedRecords.VERSION;
    }
}

package org.jkn.telemetry.store.query;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.copy.Detail;
import org.jkn.telemetry.store.crypto.Opened;
import org.jkn.telemetry.store.crypto.ReadingCrypto;

/**
 * Reads for the FHIR API. Every value reaches SQL as a bind parameter; only fixed fragments are
 * concatenated. Thread-safe.
 *
 * <p>Readings live in sealed blocks ({@link BlockSearch}); rows stored before blocks stay readable
 * here until the upgrade has moved them. Sealed data is opened here, each block or row against the
 * row it was read from; one that fails to open raises {@link
 * org.jkn.telemetry.store.crypto.CryptoFailure} and nothing of the request is shown (fail closed).
 * Rows whose data key was destroyed are not returned at all: an erasure hides a patient's readings
 * at once, on every instance, before the background job deletes them.
 */
public final class ReadingQueries {

    private static final String COLUMNS =
            "r.patient_id, r.device_id, r.reading_id, r.type, r.effective_start, "
                    + "r.effective_end, r.tz_offset, r.value, r.value2, r.obs_key, r.received_at, d.manufacturer, d.model, r.attrs, r.detail, "
                    + "r.key_version, r.sealed "
                    + "from readings r left join devices d on d.patient_id = r.patient_id and d.id = r.device_id ";

    /**
     * Sealed rows only while their data key lives; plaintext rows of earlier versions until they
     * are sealed.
     */
    private static final String LIVE =
            " and (r.key_version is null or exists (select 1 from data_keys k "
                    + "where k.patient_id = r.patient_id and k.key_version = r.key_version and k.destroyed_at is null))";

    private final DataSource dataSource;
    private final ReadingCrypto crypto;
    private final long maxPeriodMicros;
    private final BlockSearch blocks;

    /**
     * @param maxPeriod the longest interval a reading may cover, used to bound range scans
     */
    public ReadingQueries(DataSource dataSource, ReadingCrypto crypto, Duration maxPeriod) {
        this.dataSource = dataSource;
        this.crypto = crypto;
        this.maxPeriodMicros = maxPeriod.toSeconds() * 1_000_000L;
        this.blocks = new BlockSearch(crypto, maxPeriodMicros);
    }

    public Optional<StoredReading> read(String observationId) throws SQLException {
        ObservationIds.Parsed id = ObservationIds.parse(observationId);
        if (id == null) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection()) {
            if (id.legacy()) {
                try (PreparedStatement ps =
                        c.prepareStatement(
                                "select "
                                        + COLUMNS
                                        + "where r.effective_start = ? and r.obs_key = ?"
                                        + LIVE)) {
                    ps.setObject(1, timestamp(id.startMicros()));
                    ps.setString(2, id.key());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return Optional.of(row(rs));
                        }
                    }
                }
            }
            return blocks.read(c, id, observationId);
        }
    }

    /**
     * One page of results; at most {@code count + 1} readings are returned so the caller knows
     * whether more follow. Readings are merged from the blocks and from rows the upgrade has not
     * moved yet ({@link BlockSearch}).
     */
    public List<StoredReading> search(ObservationSearch q) throws SQLException {
        List<ReadingType> types = BlockSearch.types(q);
        if (types.isEmpty()) {
            return List.of();
        }
        List<StoredReading> legacy = legacySearch(q, true);
        try (Connection c = dataSource.getConnection()) {
            return blocks.search(c, q, types, legacy);
        }
    }

    /** The newest readings of each type asked for, by type ({@link LatestReadings}). */
    public List<StoredReading> latest(LatestQuery q) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return new LatestReadings(new SealedBlocks(crypto)).latest(c, q);
        }
    }

    /**
     * Statistics per series and bucket, from the blocks of the range ({@link ReadingStatistics}).
     */
    public StatisticsResult statistics(StatisticsQuery q) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return new ReadingStatistics(new SealedBlocks(crypto)).compute(c, q);
        }
    }

    /**
     * How many readings match {@code q}, its page aside: for {@code _total=accurate} and {@code
     * _summary=count}. Opens every block the search's range and codes can reach.
     */
    public long count(ObservationSearch q) throws SQLException {
        List<ReadingType> types = BlockSearch.types(q);
        if (types.isEmpty()) {
            return 0;
        }
        long legacy = legacySearch(q, false).size();
        try (Connection c = dataSource.getConnection()) {
            return legacy + blocks.count(c, q, types);
        }
    }

    /**
     * The matching rows stored before blocks, in the search's order: when {@code paged}, the first
     * {@code offset + count + 1}. The filter on what is sealed applies once they are opened, so
     * with one the limit cannot be in SQL; such rows exist only until the upgrade has moved them.
     */
    private List<StoredReading> legacySearch(ObservationSearch q, boolean paged)
            throws SQLException {
        StringBuilder sql =
                new StringBuilder("select ")
                        .append(COLUMNS)
                        .append("where r.patient_id = ?")
                        .append(LIVE);
        List<Object> args = new ArrayList<>();
        args.add(q.patientId());
        if (!q.codes().isEmpty()) {
            sql.append(" and r.code in (");
            for (int i = 0; i < q.codes().size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
                args.add(q.codes().get(i));
            }
            sql.append(')');
        }
        if (q.categories() != DataCategory.ALL) {
            // in SQL, not after the fetch, so pages stay full and their links right
            sql.append(" and r.type = any(?)");
            args.add(typeIds(q.categories()));
        }
        appendDates(q, sql, args);
        sql.append(
                q.ascending()
                        ? " order by r.effective_start asc, r.obs_key asc"
                        : " order by r.effective_start desc, r.obs_key desc");
        long limit = (long) q.offset() + q.count() + 1;
        if (!paged || !q.filter().isNone()) {
            List<StoredReading> all = rows(sql.toString(), args);
            all.removeIf(r -> !q.filter().matches(r));
            return paged && all.size() > limit ? all.subList(0, (int) limit) : all;
        }
        sql.append(" limit ?");
        args.add(limit);
        return rows(sql.toString(), args);
    }

    /** The search's date conditions on the row's effective start and end. */
    private void appendDates(ObservationSearch q, StringBuilder sql, List<Object> args) {
        for (DateBound b : q.dates()) {
            switch (b.prefix()) {
                // the reading [start, end] lies within the searched range
                case EQ -> {
                    sql.append(" and r.effective_start >= ? and r.effective_end < ?");
                    args.add(timestamp(b.lowMicros()));
                    args.add(timestamp(b.highMicros()));
                }
                // some of the reading is at or after the range's start / after its end; the extra
                // bound on effective_start (end <= start + max period) lets partitions be pruned
                case GE, GT -> {
                    long edge = b.prefix() == DatePrefix.GE ? b.lowMicros() : b.highMicros();
                    sql.append(" and r.effective_end >= ? and r.effective_start >= ?");
                    args.add(timestamp(edge));
                    args.add(timestamp(edge - maxPeriodMicros));
                }
                case NE -> {
                    sql.append(" and not (r.effective_start >= ? and r.effective_end < ?)");
                    args.add(timestamp(b.lowMicros()));
                    args.add(timestamp(b.highMicros()));
                }
                // all of the reading after the range / before it
                case SA -> {
                    sql.append(" and r.effective_start >= ?");
                    args.add(timestamp(b.highMicros()));
                }
                case EB -> {
                    sql.append(" and r.effective_end < ?");
                    args.add(timestamp(b.lowMicros()));
                }
                // some of the reading within the widened range
                case AP -> {
                    sql.append(
                            " and r.effective_end >= ? and r.effective_start < ? and r.effective_start >= ?");
                    args.add(timestamp(b.lowMicros()));
                    args.add(timestamp(b.highMicros()));
                    args.add(timestamp(b.lowMicros() - maxPeriodMicros));
                }
                // some of the reading is before the range's start / before its end
                case LT -> {
                    sql.append(" and r.effective_start < ?");
                    args.add(timestamp(b.lowMicros()));
                }
                case LE -> {
                    sql.append(" and r.effective_start < ?");
                    args.add(timestamp(b.highMicros()));
                }
            }
        }
    }

    /** Runs a row query with its bind values, in order; a Short[] binds as an int2 array. */
    private List<StoredReading> rows(String sql, List<Object> args) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i) instanceof Short[] ids) {
                    ps.setArray(i + 1, c.createArrayOf("int2", ids));
                } else {
                    ps.setObject(i + 1, args.get(i));
                }
            }
            List<StoredReading> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        }
    }

    /** The stored type ids of the reading types in these data categories. */
    private static Short[] typeIds(int categories) {
        List<Short> ids = new ArrayList<>();
        for (ReadingType t : ReadingType.values()) {
            if ((categories & t.dataCategory().bit()) != 0) {
                ids.add((short) t.id());
            }
        }
        return ids.toArray(new Short[0]);
    }

    /** True when a patient with this pseudonym has sent data. */
    public boolean patientExists(String patientId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("select 1 from patients where id = ?")) {
            ps.setString(1, patientId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** True when the patient with this pseudonym was erased. */
    public boolean patientErased(String patientId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement("select 1 from erasures where patient_id = ? limit 1")) {
            ps.setString(1, patientId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private StoredReading row(ResultSet rs) throws SQLException {
        long start = micros(rs, 5);
        double value = rs.getDouble(8);
        if (rs.wasNull()) {
            value = Double.NaN;
        }
        double diastolic = rs.getDouble(9);
        if (rs.wasNull()) {
            diastolic = Double.NaN;
        }
        ReadingType type = ReadingType.ofId(rs.getInt(4));
        if (type == null) {
            throw new SQLException("readings row has unknown type id " + rs.getInt(4));
        }
        String patient = rs.getString(1);
        String key = rs.getString(10);
        int keyVersion = rs.getInt(16);
        if (!rs.wasNull()) {
            long end = micros(rs, 6);
            int offset = rs.getInt(7);
            Opened o =
                    crypto.open(
                            patient, keyVersion, type, start, end, offset, key, rs.getBytes(17));
            return new StoredReading(
                    ObservationIds.id(start, key),
                    patient,
                    o.deviceId(),
                    o.readingId(),
                    o.manufacturer(),
                    o.model(),
                    type,
                    start,
                    end,
                    offset,
                    o.value(),
                    o.diastolic(),
                    micros(rs, 11),
                    o.attrs(),
                    o.stages());
        }
        return new StoredReading(
                ObservationIds.id(start, key),
                patient,
                rs.getString(2),
                rs.getString(3),
                rs.getString(12),
                rs.getString(13),
                type,
                start,
                micros(rs, 6),
                rs.getInt(7),
                value,
                diastolic,
                micros(rs, 11),
                rs.getInt(14),
                Detail.decode(rs.getBytes(15)));
    }

    static OffsetDateTime timestamp(long micros) {
        return Instant.ofEpochSecond(
                        Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1000L)
                .atOffset(ZoneOffset.UTC);
    }

    static long micros(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}

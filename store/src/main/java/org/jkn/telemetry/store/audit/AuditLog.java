package org.jkn.telemetry.store.audit;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.jkn.telemetry.store.query.DateBound;

/**
 * The audit trail in the {@code audit_events} table. {@link #append} is synchronous: it returns
 * once the row is committed, so a caller that sends its response afterwards never discloses data
 * without its record, and one that cannot write the record can refuse instead (fail closed).
 * Concurrent appends are committed together by one writer thread ({@link AuditWriter}), so they
 * share one WAL flush.
 *
 * <p>Thread-safe; one per process. Every value reaches SQL as a bind parameter. Close it before the
 * database.
 */
public final class AuditLog implements AutoCloseable {

    private static final String COLUMNS =
            "id, recorded, patient_id, action, interaction, resource_type, resource_id, query, "
                    + "outcome, outcome_reason, actor_kind, actor_subject, actor_fhir_user, actor_org, source";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final DataSource dataSource;
    private final String source;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final AuditWriter writer;

    /**
     * @param source the observer named in each record, e.g. this instance's name
     */
    public AuditLog(DataSource dataSource, String source, Clock clock) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("an audit source is required");
        }
        this.dataSource = dataSource;
        this.source = source;
        this.clock = clock;
        this.writer = new AuditWriter(dataSource);
    }

    /** Records one entry and returns it as stored, once committed. Throws when it was not. */
    public AuditRecord append(AuditEntry e) throws SQLException {
        long micros = nowMicros();
        AuditRecord r = new AuditRecord(newId(micros), micros, e, source);
        writer.write(r);
        return r;
    }

    /**
     * Starts recording one entry and returns at once, so the caller can read while the record is
     * committed; it must {@link Pending#await} the commit before it answers. Same guarantees as
     * {@link #append} once awaited.
     */
    public Pending appendAhead(AuditEntry e) {
        long micros = nowMicros();
        AuditRecord r = new AuditRecord(newId(micros), micros, e, source);
        return new Pending(r, writer.submit(r));
    }

    /** A record on its way to the trail. */
    public static final class Pending {
        private final AuditRecord record;
        private final CompletableFuture<Void> done;

        private Pending(AuditRecord record, CompletableFuture<Void> done) {
            this.record = record;
            this.done = done;
        }

        public AuditRecord record() {
            return record;
        }

        /** Returns once the record is committed; throws when it was not (or not known to be). */
        public void await() throws SQLException {
            AuditWriter.await(done);
        }
    }

    /**
     * Records one entry on the caller's connection, in the caller's transaction, which commits it
     * together with the change it records (or rolls both back). No group commit: for changes, which
     * are rare; reads go through {@link #append}.
     */
    public AuditRecord appendIn(Connection c, AuditEntry e) throws SQLException {
        long micros = nowMicros();
        AuditRecord r = new AuditRecord(newId(micros), micros, e, source);
        try (PreparedStatement ps = c.prepareStatement(AuditWriter.INSERT)) {
            AuditWriter.bind(ps, r);
            ps.executeUpdate();
        }
        return r;
    }

    private long nowMicros() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    public Optional<AuditRecord> read(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "select " + COLUMNS + " from audit_events where id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /**
     * One page, newest first; at most {@code count + 1} rows so the caller knows whether more
     * follow.
     */
    public List<AuditRecord> search(AuditSearch q) throws SQLException {
        StringBuilder sql =
                new StringBuilder("select ")
                        .append(COLUMNS)
                        .append(" from audit_events where true");
        List<Object> args = new ArrayList<>();
        if (q.patientId() != null) {
            sql.append(" and patient_id = ?");
            args.add(q.patientId());
        }
        for (DateBound b : q.dates()) {
            // recorded is an instant: it lies in or outside the range the value's precision implies
            switch (b.prefix()) {
                case EQ, AP -> {
                    sql.append(" and recorded >= ? and recorded < ?");
                    args.add(timestamp(b.lowMicros()));
                    args.add(timestamp(b.highMicros()));
                }
                case NE -> {
                    sql.append(" and not (recorded >= ? and recorded < ?)");
                    args.add(timestamp(b.lowMicros()));
                    args.add(timestamp(b.highMicros()));
                }
                case GE -> add(sql, args, " and recorded >= ?", b.lowMicros());
                case GT, SA -> add(sql, args, " and recorded >= ?", b.highMicros());
                case LT, EB -> add(sql, args, " and recorded < ?", b.lowMicros());
                case LE -> add(sql, args, " and recorded < ?", b.highMicros());
            }
        }
        sql.append(" order by recorded desc, id desc limit ? offset ?");
        args.add(q.count() + 1);
        args.add(q.offset());
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<AuditRecord> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        }
    }

    private static void add(StringBuilder sql, List<Object> args, String clause, long micros) {
        sql.append(clause);
        args.add(timestamp(micros));
    }

    /**
     * {@code <recorded micros in base 36>-<16 random hex>}: a FHIR id that reveals nothing but the
     * time.
     */
    private String newId(long micros) {
        byte[] b = new byte[8];
        random.nextBytes(b);
        char[] hex = new char[16];
        for (int i = 0; i < 8; i++) {
            hex[2 * i] = HEX[(b[i] >> 4) & 0xf];
            hex[2 * i + 1] = HEX[b[i] & 0xf];
        }
        return Long.toString(micros, 36) + "-" + new String(hex);
    }

    private static AuditRecord row(ResultSet rs) throws SQLException {
        OffsetDateTime t = rs.getObject(2, OffsetDateTime.class);
        long micros = t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
        Interaction interaction = Interaction.of(rs.getString(5));
        AuditOutcome outcome = AuditOutcome.of(rs.getShort(9));
        if (interaction == null || outcome == null) {
            throw new SQLException("audit_events row has an unknown interaction or outcome");
        }
        AuditEntry e =
                new AuditEntry(
                        rs.getString(3),
                        interaction,
                        rs.getString(6),
                        rs.getString(7),
                        rs.getString(8),
                        outcome,
                        rs.getString(10),
                        new AuditActor(
                                rs.getString(11),
                                rs.getString(12),
                                rs.getString(13),
                                rs.getString(14)));
        return new AuditRecord(rs.getString(1), micros, e, rs.getString(15));
    }

    private static OffsetDateTime timestamp(long micros) {
        return AuditWriter.timestamp(micros);
    }

    /** Commits what is queued; later appends fail. */
    @Override
    public void close() {
        writer.close();
    }
}

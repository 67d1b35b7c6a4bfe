package org.jkn.telemetry.store.consent;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.jkn.telemetry.store.db.ChangeNotices;
import org.jkn.telemetry.store.db.TransactionStep;

/**
 * Consent resources and their compiled grants in PostgreSQL. A consent and its grants change in one
 * transaction, so a reader never sees a consent without its grants or the reverse. Writes are
 * optimistic: {@link #replace} and {@link #delete} name the version they replace and fail (return
 * false / empty) when another write came first.
 *
 * <p>Thread-safe; every call blocks on the database.
 */
public final class ConsentStore {

    private final DataSource dataSource;

    public ConsentStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores a new consent with version 1 and its grants (empty unless it is active). */
    public void insert(StoredConsent c, List<ConsentGrant> grants) throws SQLException {
        insert(c, grants, TransactionStep.NONE);
    }

    /** As {@link #insert(StoredConsent, List)}, with {@code also} in the same transaction. */
    public void insert(StoredConsent c, List<ConsentGrant> grants, TransactionStep also)
            throws SQLException {
        change(
                db -> {
                    try (PreparedStatement ps =
                            db.prepareStatement(
                                    "insert into consents (id, patient_id, status, version, updated_at, resource) values (?, ?, ?, ?, ?, ?)")) {
                        ps.setString(1, c.id());
                        ps.setString(2, c.patientId());
                        ps.setString(3, c.status());
                        ps.setLong(4, c.version());
                        ps.setObject(5, timestamp(c.updated()));
                        ps.setString(6, c.resource());
                        ps.executeUpdate();
                    }
                    insertGrants(db, c, grants);
                    return c.patientId();
                },
                also);
    }

    /**
     * Replaces version {@code c.version() - 1} of consent {@code c.id()} and its grants. False when
     * the consent is gone or another write changed it first.
     */
    public boolean replace(StoredConsent c, List<ConsentGrant> grants) throws SQLException {
        return replace(c, grants, TransactionStep.NONE);
    }

    /**
     * As {@link #replace(StoredConsent, List)}, with {@code also} in the same transaction (not run
     * when false).
     */
    public boolean replace(StoredConsent c, List<ConsentGrant> grants, TransactionStep also)
            throws SQLException {
        return change(
                db -> {
                    try (PreparedStatement ps =
                            db.prepareStatement(
                                    "update consents set status = ?, version = ?, updated_at = ?, resource = ? "
                                            + "where id = ? and version = ? and patient_id = ?")) {
                        ps.setString(1, c.status());
                        ps.setLong(2, c.version());
                        ps.setObject(3, timestamp(c.updated()));
                        ps.setString(4, c.resource());
                        ps.setString(5, c.id());
                        ps.setLong(6, c.version() - 1);
                        ps.setString(7, c.patientId());
                        if (ps.executeUpdate() != 1) {
                            return null;
                        }
                    }
                    try (PreparedStatement ps =
                            db.prepareStatement(
                                    "delete from consent_grants where consent_id = ?")) {
                        ps.setString(1, c.id());
                        ps.executeUpdate();
                    }
                    insertGrants(db, c, grants);
                    return c.patientId();
                },
                also);
    }

    /** Deletes a consent (its grants go with it); false when it was not there at that version. */
    public boolean delete(String id, long version) throws SQLException {
        return delete(id, version, TransactionStep.NONE);
    }

    /**
     * As {@link #delete(String, long)}, with {@code also} in the same transaction (not run when
     * false).
     */
    public boolean delete(String id, long version, TransactionStep also) throws SQLException {
        return change(
                db -> {
                    try (PreparedStatement ps =
                            db.prepareStatement(
                                    "delete from consents where id = ? and version = ? returning patient_id")) {
                        ps.setString(1, id);
                        ps.setLong(2, version);
                        try (ResultSet r = ps.executeQuery()) {
                            return r.next() ? r.getString(1) : null;
                        }
                    }
                },
                also);
    }

    /**
     * One consent write: returns the patient whose consents it changed, or null when it changed
     * nothing.
     */
    @FunctionalInterface
    private interface Change {
        String apply(Connection db) throws SQLException;
    }

    /**
     * Runs a write in one transaction with the change notice to the other instances and {@code
     * also}; rolls back and returns false when the write changed nothing.
     */
    private boolean change(Change work, TransactionStep also) throws SQLException {
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                String patientId = work.apply(db);
                if (patientId == null) {
                    db.rollback();
                    return false;
                }
                ChangeNotices.publish(db, ChangeNotices.Kind.CONSENT, patientId);
                also.apply(db);
                db.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            }
        }
    }

    /**
     * Deletes every Consent of the patient (their grants follow) on the caller's connection: the
     * erasure of a patient does it in its own transaction ({@code PatientErasure} hook). Returns
     * how many.
     */
    public static int erasePatient(Connection db, String patientId) throws SQLException {
        try (PreparedStatement s =
                db.prepareStatement("delete from consents where patient_id = ?")) {
            s.setString(1, patientId);
            return s.executeUpdate();
        }
    }

    public Optional<StoredConsent> find(String id) throws SQLException {
        try (Connection db = dataSource.getConnection();
                PreparedStatement ps =
                        db.prepareStatement(
                                "select id, patient_id, status, version, updated_at, resource from consents where id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /** A patient's consents, oldest update first, at most {@code limit}. */
    public List<StoredConsent> byPatient(String patientId, int limit) throws SQLException {
        try (Connection db = dataSource.getConnection();
                PreparedStatement ps =
                        db.prepareStatement(
                                "select id, patient_id, status, version, updated_at, resource from consents "
                                        + "where patient_id = ? order by updated_at, id limit ?")) {
            ps.setString(1, patientId);
            ps.setInt(2, limit);
            List<StoredConsent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        }
    }

    /** Every grant of the patient's active consents: the patient's compiled decision. */
    public ConsentDecision decision(String patientId) throws SQLException {
        try (Connection db = dataSource.getConnection();
                PreparedStatement ps =
                        db.prepareStatement(
                                "select action, categories, actor, valid_from, valid_to from consent_grants where patient_id = ?")) {
            ps.setString(1, patientId);
            List<ConsentGrant> grants = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime from = rs.getObject(4, OffsetDateTime.class);
                    OffsetDateTime to = rs.getObject(5, OffsetDateTime.class);
                    grants.add(
                            new ConsentGrant(
                                    ConsentGrant.Action.of(rs.getString(1)),
                                    rs.getInt(2),
                                    rs.getString(3),
                                    from == null ? Long.MIN_VALUE : micros(from),
                                    to == null ? Long.MAX_VALUE : micros(to)));
                }
            }
            return grants.isEmpty() ? ConsentDecision.NONE : new ConsentDecision(grants);
        }
    }

    /**
     * The patients whose active consents disclose some category to {@code actor} ({@code
     * Practitioner/{id}} or {@code Organization/{id}}) at {@code nowMicros}, in id order, at most
     * {@code limit}. A scan of the grants (no index by actor): they are a few rows per patient, and
     * this serves bulk exports, not requests on the hot path.
     */
    public List<String> patientsDisclosingTo(String actor, long nowMicros, int limit)
            throws SQLException {
        try (Connection db = dataSource.getConnection();
                PreparedStatement ps =
                        db.prepareStatement(
                                "select distinct patient_id from consent_grants "
                                        + "where action = 'disclose' and actor = ? "
                                        + "and (valid_from is null or valid_from <= ?) "
                                        + "and (valid_to is null or valid_to > ?) "
                                        + "order by patient_id limit ?")) {
            OffsetDateTime now = timestamp(nowMicros);
            ps.setString(1, actor);
            ps.setObject(2, now);
            ps.setObject(3, now);
            ps.setInt(4, limit);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    private static void insertGrants(Connection db, StoredConsent c, List<ConsentGrant> grants)
            throws SQLException {
        if (grants.isEmpty()) {
            return;
        }
        try (PreparedStatement ps =
                db.prepareStatement(
                        "insert into consent_grants "
                                + "(consent_id, patient_id, action, categories, actor, valid_from, valid_to) values (?, ?, ?, ?, ?, ?, ?)")) {
            for (ConsentGrant g : grants) {
                ps.setString(1, c.id());
                ps.setString(2, c.patientId());
                ps.setString(3, g.action().code());
                ps.setInt(4, g.categories());
                ps.setString(5, g.actor());
                if (g.fromMicros() == Long.MIN_VALUE) {
                    ps.setNull(6, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    ps.setObject(6, timestamp(g.fromMicros()));
                }
                if (g.toMicros() == Long.MAX_VALUE) {
                    ps.setNull(7, Types.TIMESTAMP_WITH_TIMEZONE);
                } else {
                    ps.setObject(7, timestamp(g.toMicros()));
                }
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static StoredConsent row(ResultSet rs) throws SQLException {
        return new StoredConsent(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getObject(5, OffsetDateTime.class).toInstant(),
                rs.getString(6));
    }

    private static OffsetDateTime timestamp(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    private static OffsetDateTime timestamp(long micros) {
        return Instant.ofEpochSecond(
                        Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1000L)
                .atOffset(ZoneOffset.UTC);
    }

    private static long micros(OffsetDateTime t) {
        return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }
}

package org.jkn.telemetry.gateway.audit;

import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.store.audit.AuditActor;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditLog;
import org.jkn.telemetry.store.audit.AuditOutcome;
import org.jkn.telemetry.store.audit.AuditRecord;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.db.TransactionStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records what the API does with health data. Writes are synchronous (see {@link AuditLog}): call
 * {@link #record} on a worker thread before the response is sent, and refuse the request when it
 * throws, so no disclosure goes unrecorded. Thread-safe.
 */
public final class Auditor {

    private static final Logger log = LoggerFactory.getLogger(Auditor.class);

    private final AuditLog auditLog;

    public Auditor(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    public AuditLog log() {
        return auditLog;
    }

    /** Commits the entry; throws when it could not be written (the caller then refuses, 503). */
    public AuditRecord record(AuditEntry entry) throws SQLException {
        try {
            return auditLog.append(entry);
        } catch (SQLException e) {
            log.error(
                    "audit record could not be written (SQLSTATE {}); the request is refused",
                    e.getSQLState());
            throw e;
        }
    }

    /**
     * Starts committing the entry and returns at once, so a read can run meanwhile; {@link
     * #committed} must be called before anything of the read is answered.
     */
    public AuditLog.Pending recordAhead(AuditEntry entry) {
        return auditLog.appendAhead(entry);
    }

    /**
     * Returns once a record started by {@link #recordAhead} is committed; throws when it is not.
     */
    public void committed(AuditLog.Pending record) throws SQLException {
        try {
            record.await();
        } catch (SQLException e) {
            log.error(
                    "audit record could not be written (SQLSTATE {}); the request is refused",
                    e.getSQLState());
            throw e;
        }
    }

    /**
     * The entry as a step of the transaction that makes the change it records (a consent change, an
     * erasure): the change and its record are committed together, or neither is.
     */
    public TransactionStep recordIn(AuditEntry entry) {
        return c -> {
            try {
                auditLog.appendIn(c, entry);
            } catch (SQLException e) {
                log.error(
                        "audit record could not be written (SQLSTATE {}); the change is rolled back",
                        e.getSQLState());
                throw e;
            }
        };
    }

    /** Records a failure on a path that is failing anyway; never throws. */
    public void recordFailure(AuditEntry entry, AuditOutcome outcome, String reason) {
        try {
            auditLog.append(entry.withOutcome(outcome, reason));
        } catch (SQLException | RuntimeException e) {
            log.error(
                    "audit record of a failed request could not be written (SQLSTATE {})",
                    e instanceof SQLException s ? s.getSQLState() : "-");
        }
    }

    /**
     * Who is calling, from the request's verified token; anonymous when there is none. A patient
     * token is recorded as {@code Patient/{its patient}}, whatever its fhirUser claim says.
     */
    public static AuditActor actor(RoutingContext ctx) {
        Principal p = Principal.of(ctx);
        if (p == null) {
            return AuditActor.ANONYMOUS;
        }
        return switch (p.kind()) {
            case PATIENT ->
                    new AuditActor("patient", scrub(p.subject()), "Patient/" + p.patientId(), null);
            case CLINICIAN ->
                    new AuditActor(
                            "clinician",
                            scrub(p.subject()),
                            scrub(p.fhirUser()),
                            scrub(p.organization()));
            case ADMIN ->
                    new AuditActor(
                            "admin",
                            scrub(p.subject()),
                            scrub(p.fhirUser()),
                            scrub(p.organization()));
        };
    }

    /** An entry about the patient for the calling actor, outcome success until told otherwise. */
    public static AuditEntry entry(
            RoutingContext ctx,
            String patientId,
            Interaction interaction,
            String resourceType,
            String resourceId,
            String query) {
        return new AuditEntry(
                patientOrNull(patientId),
                interaction,
                resourceType,
                resourceId,
                query,
                AuditOutcome.SUCCESS,
                null,
                actor(ctx));
    }

    /**
     * A claim as the trail may keep it: null when it holds a valid NIK (an identity provider that
     * uses the NIK as a user name must not get it written here), clipped to 256 characters.
     */
    static String scrub(String claim) {
        if (claim == null) {
            return null;
        }
        for (int i = 0; i + 16 <= claim.length(); i++) {
            if (Character.isDigit(claim.charAt(i)) && Nik.isValid(claim.substring(i, i + 16))) {
                return null;
            }
        }
        return claim.length() > 256 ? claim.substring(0, 256) : claim;
    }

    /**
     * The id if it has the shape of a patient pseudonym (40 lower-case hex characters), else null:
     * nothing else can name a patient here, and a caller who typed a NIK where the id belongs must
     * not get it written into the trail.
     */
    public static String patientOrNull(String id) {
        if (id == null || id.length() != 40) {
            return null;
        }
        for (int i = 0; i < 40; i++) {
            char c = id.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return null;
            }
        }
        return id;
    }
}

package org.jkn.telemetry.store.audit;

/**
 * One interaction to record. {@code patientId} is the patient's pseudonym (null when no patient is
 * concerned); {@code resourceId} an id this server issued, {@code query} the checked shape of a
 * search: neither may carry a NIK or a value, the callers build them from parsed parameters only.
 * {@code outcomeReason} is a stable code (e.g. {@code consent-required}), or null.
 */
public record AuditEntry(
        String patientId,
        Interaction interaction,
        String resourceType,
        String resourceId,
        String query,
        AuditOutcome outcome,
        String outcomeReason,
        AuditActor actor) {

    public AuditEntry {
        if (interaction == null || resourceType == null || outcome == null || actor == null) {
            throw new IllegalArgumentException(
                    "interaction, resource type, outcome and actor are required");
        }
    }

    public AuditEntry withOutcome(AuditOutcome newOutcome, String reason) {
        return new AuditEntry(
                patientId, interaction, resourceType, resourceId, query, newOutcome, reason, actor);
    }
}

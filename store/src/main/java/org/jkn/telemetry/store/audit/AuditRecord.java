package org.jkn.telemetry.store.audit;

/**
 * A stored audit event: the entry, its id, when it was recorded (epoch microseconds, UTC) and by
 * which node.
 */
public record AuditRecord(String id, long recordedMicros, AuditEntry entry, String source) {}

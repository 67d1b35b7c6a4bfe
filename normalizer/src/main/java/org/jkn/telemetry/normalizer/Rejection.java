package org.jkn.telemetry.normalizer;

/**
 * One rejected reading: its position in the batch, its id when it had a readable one, why, and a
 * sentence for people.
 */
public record Rejection(int index, String readingId, RejectReason reason, String message) {}

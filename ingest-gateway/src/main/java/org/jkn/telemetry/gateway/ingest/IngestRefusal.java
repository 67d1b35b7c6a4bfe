package org.jkn.telemetry.gateway.ingest;

/**
 * Why ingest refuses a batch before reading it: nothing from it is kept, and the sender should
 * retry later (HTTP 503 with Retry-After, MQTT 5 PUBACK 0x97 Quota exceeded, MQTT 3.1.1 no PUBACK).
 */
public enum IngestRefusal {
    /** More readings wait to be stored than the journal budget allows. */
    JOURNAL_FULL(
            "journal-full",
            5,
            "the service is storing a backlog; nothing from this request was kept, retry later"),
    /** The disk the journal and database share is nearly full ({@link DiskGuard}). */
    DISK_LOW(
            DiskGuard.CODE,
            30,
            "the service is short of disk space; nothing from this request was kept, retry later");

    private final String code;
    private final int retryAfterSeconds;
    private final String message;

    IngestRefusal(String code, int retryAfterSeconds, String message) {
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
        this.message = message;
    }

    /** The stable code a client sees. */
    public String code() {
        return code;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public String message() {
        return message;
    }
}

package org.jkn.telemetry.store.journal;

/** A journal record that cannot be decoded: a bug or damaged storage, never bad client input. */
public final class CorruptRecordException extends RuntimeException {

    public CorruptRecordException(String message) {
        super(message);
    }
}

package org.jkn.telemetry.store.journal;

/** What the drainer reports, for metrics. Called on the drainer thread; must not block. */
public interface DrainListener {

    /** A write committed: {@code readings} read from the journal, {@code inserted} of them new. */
    void stored(int readings, int inserted);

    /**
     * A chunk's blocks and checkpoint were committed in {@code nanos}, from the first statement to
     * the last commit (the transactions of every writer, then the checkpoint's): the database's
     * share of a drain, for a write-latency histogram. Not called for the record-by-record retry
     * after a refusal.
     */
    default void writeCommitted(long nanos) {}

    /** A write failed and will be retried; nothing was lost. */
    void writeFailed(Exception cause);

    /** A record could not be decoded or opened (it goes to the dead letters). */
    void corruptRecord(long index, Exception cause);

    /**
     * A record was moved to the dead letters: {@code readings} in it (0 when it could not be
     * decoded), for the stable {@code reason} code.
     */
    default void deadLettered(int readings, String reason) {}

    /** Journal cycle files whose records were all stored were deleted. */
    default void journalFilesDeleted(int files) {}

    DrainListener NONE =
            new DrainListener() {
                @Override
                public void stored(int readings, int inserted) {}

                @Override
                public void writeFailed(Exception cause) {}

                @Override
                public void corruptRecord(long index, Exception cause) {}
            };
}

package org.jkn.telemetry.store.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.jkn.telemetry.store.block.PendingBlocks;
import org.jkn.telemetry.store.copy.ParallelBlockWriter;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves batches from the journal to the database on its own thread: resumes after the checkpoint
 * stored in the database, reads up to {@code maxReadingsPerWrite} readings, writes them with the
 * new checkpoint in one transaction, and retries with back-off while the database is away (the
 * journal keeps everything meanwhile).
 *
 * <p>Records are opened here (one AES-GCM open per batch), their readings merged into the blocks
 * they belong to and sealed again per block ({@link BlockWriter}). Records of earlier versions
 * (per-reading seals, plaintext) are read the same way; they stay in the journal files until those
 * are removed.
 *
 * <p>At start-up and whenever the checkpoint enters a new cycle, the journal's fully stored cycle
 * files are deleted ({@link Journal#deleteStoredCycles}), on this thread, after the commit.
 */
public final class JournalDrainer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JournalDrainer.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    private final Journal journal;
    private final DataSource dataSource;
    private final DrainListener listener;
    private final int maxReadingsPerWrite;
    private final int writers;
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean healthy = true;
    private volatile long checkpoint = -1;
    private int prunedUpTo = Integer.MIN_VALUE;

    public JournalDrainer(
            Journal journal,
            DataSource dataSource,
            DrainListener listener,
            int maxReadingsPerWrite) {
        this(journal, dataSource, listener, maxReadingsPerWrite, 1);
    }

    /**
     * @param writers how many transactions write one chunk's blocks at once (split by patient); the
     *     checkpoint follows in its own transaction once all have committed, and a chunk whose
     *     writers did not all commit is written again whole, which the blocks' dedup makes harmless
     */
    public JournalDrainer(
            Journal journal,
            DataSource dataSource,
            DrainListener listener,
            int maxReadingsPerWrite,
            int writers) {
        if (maxReadingsPerWrite < 1) {
            throw new IllegalArgumentException("maxReadingsPerWrite must be >= 1");
        }
        if (writers < 1 || writers > 64) {
            throw new IllegalArgumentException("writers must be between 1 and 64");
        }
        this.writers = writers;
        this.journal = journal;
        this.dataSource = dataSource;
        this.listener = listener;
        this.maxReadingsPerWrite = maxReadingsPerWrite;
        this.thread = new Thread(this::run, "journal-drainer");
        this.thread.setDaemon(true);
    }

    public synchronized void start() {
        running = true;
        thread.start();
    }

    /** False while the last write failed (the database is away or refusing). */
    public boolean isHealthy() {
        return healthy && thread.isAlive();
    }

    /** Journal index of the last batch committed to the database, or -1. */
    public long checkpoint() {
        return checkpoint;
    }

    private void run() {
        ExcerptTailer tailer = journal.createTailer();
        try {
            long from = waitForCheckpoint();
            if (!running) {
                return;
            }
            position(tailer, from);
            journal.markBacklog(countBacklog(from));
            deleteStoredCycles(from);
            try (ParallelBlockWriter writer =
                    new ParallelBlockWriter(dataSource, journal.crypto(), writers)) {
                JournalRecordOpener opener = new JournalRecordOpener(journal.crypto());
                List<Object> records = new ArrayList<>();
                PendingBlocks pending = new PendingBlocks();
                while (running) {
                    records.clear();
                    long last = fill(tailer, records);
                    if (last < 0) {
                        LockSupport.parkNanos(IDLE_PARK_NANOS);
                        continue;
                    }
                    writeWithRetry(writer, opener, records, pending, last);
                }
            }
        } catch (RuntimeException e) {
            healthy = false;
            log.error("journal drainer stopped by an unexpected error", e);
        } finally {
            tailer.close();
        }
    }

    /**
     * Reads records (still sealed) up to the reading budget; returns the last index read, -1 when
     * none.
     */
    private long fill(ExcerptTailer tailer, List<Object> records) {
        int readings = 0;
        long last = -1;
        while (readings < maxReadingsPerWrite) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                last = dc.index();
                try {
                    Object record = JournalRecordOpener.read(dc.wire().bytes());
                    records.add(record);
                    readings += JournalRecordOpener.count(record);
                } catch (RuntimeException e) {
                    corrupt(last, e);
                }
            }
        }
        return last; // -1 when nothing was read; records may be empty when only corrupt ones were
    }

    private void corrupt(long index, RuntimeException e) {
        listener.corruptRecord(index, e);
        // the class only: a decoding message could quote record contents
        log.error(
                "journal record {} cannot be decoded and is skipped ({})",
                Long.toHexString(index),
                e.getClass().getSimpleName());
    }

    private void writeWithRetry(
            ParallelBlockWriter writer,
            JournalRecordOpener opener,
            List<Object> records,
            PendingBlocks pending,
            long last) {
        int readings = 0;
        for (Object r : records) {
            readings += JournalRecordOpener.count(r);
        }
        long backoff = 50;
        while (running) {
            try {
                // opening needs the data keys, so it is retried with the write while the database
                // is away
                pending.clear();
                for (Object r : records) {
                    try {
                        opener.open(r, pending);
                    } catch (CryptoFailure f) {
                        if (f.isRetryable()) {
                            throw f;
                        }
                        if (!CryptoFailure.KEY_DESTROYED.equals(f.code())) {
                            corrupt(
                                    last,
                                    f); // an erased patient's readings are dropped silently, as
                            // intended
                        }
                    }
                }
                int inserted = writer.write(pending.blocks(), journal.id(), last);
                pending.clear();
                checkpoint = last;
                healthy = true;
                journal.markStored(readings);
                listener.stored(readings, inserted);
                deleteStoredCycles(last);
                return;
            } catch (SQLException | RuntimeException e) {
                healthy = false;
                listener.writeFailed(e);
                log.warn(
                        "writing {} readings to the database failed ({}); retrying in {} ms",
                        readings,
                        describe(e),
                        backoff);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    /** Deletes the stored cycle files once per cycle the checkpoint enters (cheap otherwise). */
    private void deleteStoredCycles(long stored) {
        if (stored < 0 || journal.cycleOf(stored) == prunedUpTo) {
            return;
        }
        try {
            int deleted = journal.deleteStoredCycles(stored);
            prunedUpTo = journal.cycleOf(stored);
            if (deleted > 0) {
                listener.journalFilesDeleted(deleted);
            }
        } catch (RuntimeException e) {
            // the files stay until the next cycle boundary or restart; nothing is lost
            log.warn("deleting stored journal files failed ({})", e.getClass().getSimpleName());
        }
    }

    /** Reads the checkpoint, waiting (with back-off) while the database is unreachable. */
    private long waitForCheckpoint() {
        long backoff = 50;
        while (running) {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps =
                            c.prepareStatement(
                                    "select last_index from journal_checkpoints where journal_id = ?")) {
                ps.setString(1, journal.id());
                try (ResultSet r = ps.executeQuery()) {
                    long cp = r.next() ? r.getLong(1) : -1;
                    checkpoint = cp;
                    return cp;
                }
            } catch (SQLException e) {
                healthy = false;
                log.warn(
                        "cannot read the journal checkpoint ({}); retrying in {} ms",
                        describe(e),
                        backoff);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
        return -1;
    }

    private static void position(ExcerptTailer tailer, long checkpoint) {
        if (checkpoint < 0) {
            tailer.toStart();
            return;
        }
        if (tailer.moveToIndex(checkpoint)) {
            try (DocumentContext dc = tailer.readingDocument()) {
                // skip the checkpointed record itself; it is stored
            }
        } else {
            // the checkpoint is not in this journal (files removed by hand): replay all,
            // idempotently
            log.warn(
                    "journal checkpoint {} not found; replaying the whole journal",
                    Long.toHexString(checkpoint));
            tailer.toStart();
        }
    }

    /**
     * Readings left unstored by a previous run; what this run appended is counted by {@link
     * Journal#append}.
     */
    private long countBacklog(long checkpoint) {
        long count = 0;
        long end = journal.lastIndexAtOpen();
        try (ExcerptTailer t = journal.createTailer()) {
            position(t, checkpoint);
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent() || dc.index() > end) {
                        break;
                    }
                    try {
                        count += JournalCodec.countReadings(dc.wire().bytes());
                    } catch (RuntimeException e) {
                        // counted as zero; the drainer reports it when it reaches it
                    }
                }
            }
        }
        return count;
    }

    /**
     * The class and SQLSTATE of a failure, never its message: PostgreSQL's messages for COPY and
     * constraint errors quote row contents, which are health data.
     */
    static String describe(Exception e) {
        if (e instanceof org.jkn.telemetry.store.crypto.CryptoFailure f) {
            return "CryptoFailure " + f.code();
        }
        return e instanceof SQLException sql && sql.getSQLState() != null
                ? e.getClass().getSimpleName() + " SQLSTATE " + sql.getSQLState()
                : e.getClass().getSimpleName();
    }

    /** Stops after the write in progress; what is not committed stays in the journal. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}

package org.jkn.telemetry.store.journal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import net.openhft.chronicle.bytes.Bytes;
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
 * <p>A record the database refuses for a reason retrying cannot fix ({@link WriteFailures}), or
 * that cannot be decoded or opened, goes to the {@link DeadLetters} and the drainer moves on; the
 * rest of its chunk is stored. Every other failure is retried with back-off, never skipped.
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
    private final DeadLetters deadLetters;
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
        this.deadLetters = new DeadLetters(dataSource, journal.crypto());
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
                Chunk chunk = new Chunk();
                PendingBlocks pending = new PendingBlocks();
                while (running) {
                    chunk.clear();
                    fill(tailer, chunk);
                    if (chunk.last < 0) {
                        LockSupport.parkNanos(IDLE_PARK_NANOS);
                        continue;
                    }
                    writeWithRetry(writer, opener, chunk, pending);
                }
            }
        } catch (RuntimeException e) {
            healthy = false;
            log.error("journal drainer stopped by an unexpected error", e);
        } finally {
            tailer.close();
        }
    }

    /** Records read from the journal for one write, still sealed, with their journal indexes. */
    private static final class Chunk {
        final List<Object> records = new ArrayList<>();
        long[] indexes = new long[256];

        /** Records that could not be decoded: their index and their bytes, for the dead letters. */
        final List<Long> undecodableIndexes = new ArrayList<>();

        final List<byte[]> undecodableRecords = new ArrayList<>();
        int readings;
        long last = -1;

        void clear() {
            records.clear();
            undecodableIndexes.clear();
            undecodableRecords.clear();
            readings = 0;
            last = -1;
        }

        void add(long index, Object record) {
            if (records.size() == indexes.length) {
                indexes = Arrays.copyOf(indexes, indexes.length * 2);
            }
            indexes[records.size()] = index;
            records.add(record);
            readings += JournalRecordOpener.count(record);
        }
    }

    /** Reads records (still sealed) up to the reading budget into {@code chunk}. */
    private void fill(ExcerptTailer tailer, Chunk chunk) {
        while (chunk.readings < maxReadingsPerWrite) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    break;
                }
                long index = dc.index();
                chunk.last = index;
                Bytes<?> bytes = dc.wire().bytes();
                long start = bytes.readPosition();
                try {
                    chunk.add(index, JournalRecordOpener.read(bytes));
                } catch (RuntimeException e) {
                    corrupt(index, e);
                    bytes.readPosition(start);
                    chunk.undecodableIndexes.add(index);
                    chunk.undecodableRecords.add(bytes.toByteArray());
                }
            }
        }
    }

    private void corrupt(long index, RuntimeException e) {
        listener.corruptRecord(index, e);
        // the class only: a decoding message could quote record contents
        log.error(
                "journal record {} cannot be decoded or opened and goes to the dead letters ({})",
                Long.toHexString(index),
                e.getClass().getSimpleName());
    }

    private void writeWithRetry(
            ParallelBlockWriter writer,
            JournalRecordOpener opener,
            Chunk chunk,
            PendingBlocks pending) {
        long backoff = 50;
        while (running) {
            try {
                deadLetterUndecodable(chunk);
                int inserted = writeWhole(writer, opener, chunk, pending);
                stored(chunk, chunk.readings, inserted);
                return;
            } catch (SQLException | RuntimeException e) {
                Exception failure = e;
                if (WriteFailures.isRefusal(e)) {
                    try {
                        writeOneByOne(writer, opener, chunk, pending);
                        return;
                    } catch (SQLException | RuntimeException transientFailure) {
                        failure = transientFailure;
                    }
                }
                healthy = false;
                listener.writeFailed(failure);
                log.warn(
                        "writing {} readings to the database failed ({}); retrying in {} ms",
                        chunk.readings,
                        describe(failure),
                        backoff);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        }
    }

    /**
     * The fast path: opens every record and writes all their blocks with the checkpoint in one go.
     * Opening needs the data keys, so it is retried with the write while the database is away.
     */
    private int writeWhole(
            ParallelBlockWriter writer,
            JournalRecordOpener opener,
            Chunk chunk,
            PendingBlocks pending)
            throws SQLException {
        pending.clear();
        for (int i = 0; i < chunk.records.size(); i++) {
            openOrDeadLetter(opener, chunk, i, pending);
        }
        long start = System.nanoTime();
        int inserted = writer.write(pending.blocks(), journal.id(), chunk.last);
        listener.writeCommitted(System.nanoTime() - start);
        pending.clear();
        return inserted;
    }

    /**
     * The slow path, after the database refused the chunk: each record is written on its own, so
     * only the records it refuses go to the dead letters and the others are stored. A transient
     * failure on the way is thrown, and the whole chunk is tried again (what was already written is
     * recognised by the blocks' dedup).
     */
    private void writeOneByOne(
            ParallelBlockWriter writer,
            JournalRecordOpener opener,
            Chunk chunk,
            PendingBlocks pending)
            throws SQLException {
        int stored = 0;
        int inserted = 0;
        for (int i = 0; i < chunk.records.size(); i++) {
            pending.clear();
            if (!openOrDeadLetter(opener, chunk, i, pending)) {
                continue;
            }
            try {
                inserted += writer.write(pending.blocks(), null, 0);
                stored += JournalRecordOpener.count(chunk.records.get(i));
            } catch (SQLException | RuntimeException e) {
                if (!WriteFailures.isRefusal(e)) {
                    throw e;
                }
                // a stored block that does not open is decryption-failed, not a database refusal
                deadLetter(chunk, i, DeadLetters.reasonOf(e), WriteFailures.sqlState(e));
            }
        }
        pending.clear();
        writer.write(Map.of(), journal.id(), chunk.last);
        stored(chunk, stored, inserted);
    }

    /**
     * Opens record {@code i} into {@code pending}; false when it does not open and was dropped (an
     * erased patient's, on purpose) or dead-lettered (it does not open under its key).
     */
    private boolean openOrDeadLetter(
            JournalRecordOpener opener, Chunk chunk, int i, PendingBlocks pending)
            throws SQLException {
        try {
            opener.open(chunk.records.get(i), pending);
            return true;
        } catch (CryptoFailure f) {
            if (f.isRetryable()) {
                throw f;
            }
            if (!CryptoFailure.KEY_DESTROYED.equals(f.code())) {
                corrupt(chunk.indexes[i], f);
                deadLetter(chunk, i, f.code(), null);
            }
            return false;
        }
    }

    private void deadLetter(Chunk chunk, int i, String reason, String sqlState)
            throws SQLException {
        Object record = chunk.records.get(i);
        int readings = JournalRecordOpener.count(record);
        deadLetters.add(
                journal.id(),
                chunk.indexes[i],
                JournalRecordOpener.patientId(record),
                reason,
                sqlState,
                readings,
                journal.recordBytes(chunk.indexes[i]));
        listener.deadLettered(readings, reason);
        log.error(
                "journal record {} ({} readings) refused for good ({}{}); kept as a dead letter",
                Long.toHexString(chunk.indexes[i]),
                readings,
                reason,
                sqlState == null ? "" : " SQLSTATE " + sqlState);
    }

    private void deadLetterUndecodable(Chunk chunk) throws SQLException {
        for (int k = 0; k < chunk.undecodableIndexes.size(); k++) {
            deadLetters.add(
                    journal.id(),
                    chunk.undecodableIndexes.get(k),
                    null,
                    DeadLetters.UNDECODABLE,
                    null,
                    0,
                    chunk.undecodableRecords.get(k));
            listener.deadLettered(0, DeadLetters.UNDECODABLE);
        }
        chunk.undecodableIndexes.clear();
        chunk.undecodableRecords.clear();
    }

    private void stored(Chunk chunk, int storedReadings, int inserted) {
        checkpoint = chunk.last;
        healthy = true;
        journal.markStored(chunk.readings);
        listener.stored(storedReadings, inserted);
        deleteStoredCycles(chunk.last);
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

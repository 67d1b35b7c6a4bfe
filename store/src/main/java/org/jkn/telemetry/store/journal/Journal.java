package org.jkn.telemetry.store.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.SealSession;

/**
 * The durable buffer between accepting a batch and storing it (Chronicle Queue on local disk).
 *
 * <p>{@link #append} returns only once the record is in the memory-mapped queue file, which
 * survives a crash of the process (kill -9); with {@code syncOnAppend} it also waits for msync, so
 * it survives power loss too. Appends are serialised on one appender (Chronicle appenders are
 * single-threaded); the drainer reads on its own tailer.
 *
 * <p>The journal is storage too, so it holds no value and no device or reading id in clear: each
 * batch is sealed under its patient's data key before it is appended (record version 3, see
 * {@link org.jkn.telemetry.store.crypto.SealedRecords}), outside the append lock.
 *
 * <p>Each journal has an id (a UUID kept in its directory) under which the database keeps its
 * checkpoint, so several gateways can share one database.
 */
public final class Journal implements AutoCloseable {

    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private final String id;
    private final boolean syncOnAppend;
    private final AtomicLong pendingReadings = new AtomicLong();
    private final long lastIndexAtOpen;
    private final ReadingCrypto crypto;

    private Journal(ChronicleQueue queue, String id, boolean syncOnAppend, ReadingCrypto crypto) {
        this.queue = queue;
        this.crypto = crypto;
        this.id = id;
        this.syncOnAppend = syncOnAppend;
        this.lastIndexAtOpen = queue.lastIndex();
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
    }

    public static Journal open(Path dir, boolean syncOnAppend, ReadingCrypto crypto) throws IOException {
        Files.createDirectories(dir);
        Path idFile = dir.resolve("journal.id");
        String id;
        if (Files.exists(idFile)) {
            id = Files.readString(idFile, StandardCharsets.US_ASCII).trim();
        } else {
            id = UUID.randomUUID().toString();
            Path tmp = dir.resolve("journal.id.tmp");
            Files.writeString(tmp, id, StandardCharsets.US_ASCII);
            Files.move(tmp, idFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        ChronicleQueue q = SingleChronicleQueueBuilder.single(dir.toFile())
                .rollCycle(RollCycles.FAST_DAILY)
                .build();
        return new Journal(q, id, syncOnAppend, crypto);
    }

    public String id() {
        return id;
    }

    /**
     * Seals one batch, appends it and returns its index; durable (as configured) when this returns.
     * Throws {@link org.jkn.telemetry.store.crypto.CryptoFailure} {@code keys-unavailable} when the
     * patient's data key is not cached and the database cannot be reached: nothing is appended.
     */
    public long append(JournalBatch batch) {
        try (SealSession s = crypto.acquire()) {
            return appendRecord(s.sealRecord(batch.patientId(), batch.device(), batch.receivedMicros(), batch.readings()),
                    batch.readings().size());
        }
    }

    private synchronized long appendRecord(Bytes<?> record, int readings) {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(record);
        }
        if (syncOnAppend) {
            appender.sync();
        }
        pendingReadings.addAndGet(readings);
        return appender.lastIndexAppended();
    }

    /** A plaintext record as earlier versions wrote them (record version 2); only to test upgrades. */
    synchronized long appendVersion2(JournalBatch batch) {
        try (DocumentContext dc = appender.writingDocument()) {
            JournalCodec.write(dc.wire().bytes(), batch);
        }
        pendingReadings.addAndGet(batch.readings().size());
        return appender.lastIndexAppended();
    }

    /** How batches are sealed; the drainer seals old plaintext records with it. */
    public ReadingCrypto crypto() {
        return crypto;
    }

    /** Readings appended (or found unstored at start-up) and not yet committed to the database. */
    public long pendingReadings() {
        return Math.max(0, pendingReadings.get());
    }

    void markStored(long readings) {
        pendingReadings.addAndGet(-readings);
    }

    void markBacklog(long readings) {
        pendingReadings.addAndGet(readings);
    }

    /** A tailer for the drainer's thread; not to be shared. */
    ExcerptTailer createTailer() {
        return queue.createTailer();
    }

    long lastIndex() {
        return queue.lastIndex();
    }

    /**
     * Index of the last record written before this journal was opened (-1 when there was none).
     * Records after it were appended here and are already in {@link #pendingReadings()}.
     */
    long lastIndexAtOpen() {
        return lastIndexAtOpen;
    }

    @Override
    public synchronized void close() {
        appender.close();
        queue.close();
    }
}

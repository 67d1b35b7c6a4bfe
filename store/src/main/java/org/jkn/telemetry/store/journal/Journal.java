package org.jkn.telemetry.store.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * The durable buffer between accepting a batch and storing it (Chronicle Queue on local disk).
 *
 * <p>{@link #append} returns only once the record is in the memory-mapped queue file, which
 * survives a crash of the process (kill -9); with {@code syncOnAppend} it also waits for msync, so
 * it survives power loss too. Appends are serialised on one appender (Chronicle appenders are
 * single-threaded); the drainer reads on its own tailer.
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

    private Journal(ChronicleQueue queue, String id, boolean syncOnAppend) {
        this.queue = queue;
        this.id = id;
        this.syncOnAppend = syncOnAppend;
        this.lastIndexAtOpen = queue.lastIndex();
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
    }

    public static Journal open(Path dir, boolean syncOnAppend) throws IOException {
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
        return new Journal(q, id, syncOnAppend);
    }

    public String id() {
        return id;
    }

    /** Appends one batch and returns its index; durable (as configured) when this returns. */
    public synchronized long append(JournalBatch batch) {
        try (DocumentContext dc = appender.writingDocument()) {
            JournalCodec.write(dc.wire().bytes(), batch);
        }
        if (syncOnAppend) {
            appender.sync();
        }
        pendingReadings.addAndGet(batch.readings().size());
        return appender.lastIndexAppended();
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

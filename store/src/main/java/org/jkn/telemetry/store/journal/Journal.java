package org.jkn.telemetry.store.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wires;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.SealSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable buffer between accepting a batch and storing it (Chronicle Queue on local disk).
 *
 * <p>{@link #append} returns only once the record is in the memory-mapped queue file, which
 * survives a crash of the process (kill -9); with {@code syncOnAppend} it also waits for msync, so
 * it survives power loss too. Appends are serialised on one appender (Chronicle appenders are
 * single-threaded); the drainer reads on its own tailer.
 *
 * <p>The journal is storage too, so it holds no value and no device or reading id in clear: each
 * batch is sealed under its patient's data key before it is appended (record version 3, see {@link
 * org.jkn.telemetry.store.crypto.SealedRecords}), outside the append lock.
 *
 * <p>Each journal has an id (a UUID kept in its directory) under which the database keeps its
 * checkpoint, so several gateways can share one database.
 *
 * <p>One file per day (cycle). {@link #deleteStoredCycles} removes the files whose every record is
 * stored, so the journal holds only what is not yet in the database (and the day being written).
 */
public final class Journal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Journal.class);

    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final String id;
    private final boolean syncOnAppend;
    private final AtomicLong pendingReadings = new AtomicLong();
    private final long lastIndexAtOpen;
    private final ReadingCrypto crypto;
    private final FileChannel lock;

    private Journal(
            SingleChronicleQueue queue,
            String id,
            boolean syncOnAppend,
            ReadingCrypto crypto,
            FileChannel lock) {
        this.lock = lock;
        this.queue = queue;
        this.crypto = crypto;
        this.id = id;
        this.syncOnAppend = syncOnAppend;
        this.lastIndexAtOpen = queue.lastIndex();
        this.appender = queue.createAppender();
        this.appender.singleThreadedCheckDisabled(true);
    }

    public static Journal open(Path dir, boolean syncOnAppend, ReadingCrypto crypto)
            throws IOException {
        return open(dir, syncOnAppend, crypto, SystemTimeProvider.INSTANCE);
    }

    /**
     * With the clock that decides when a new cycle file starts; tests set it to roll days at will.
     */
    static Journal open(Path dir, boolean syncOnAppend, ReadingCrypto crypto, TimeProvider time)
            throws IOException {
        Files.createDirectories(dir);
        FileChannel lock = lock(dir);
        try {
            return open(dir, syncOnAppend, crypto, time, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Locks the directory for this process (released by close, or by the system when the process
     * dies): the journal has one writer, and the start-up clean-up below must never run under
     * another live process. A second process on the same directory is refused.
     */
    private static FileChannel lock(Path dir) throws IOException {
        FileChannel ch =
                FileChannel.open(
                        dir.resolve("journal.lock"),
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
        try {
            if (ch.tryLock() != null) {
                return ch;
            }
        } catch (OverlappingFileLockException e) {
            // held by this very process
        }
        ch.close();
        throw new IOException(
                "the journal in "
                        + dir
                        + " is in use by another process (journal.lock); one gateway per data directory");
    }

    private static Journal open(
            Path dir,
            boolean syncOnAppend,
            ReadingCrypto crypto,
            TimeProvider time,
            FileChannel lock)
            throws IOException {
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
        discardUnfinishedCycleFiles(dir);
        SingleChronicleQueue q =
                SingleChronicleQueueBuilder.single(dir.toFile())
                        .rollCycle(RollCycles.FAST_DAILY)
                        .timeProvider(time)
                        .build();
        return new Journal(q, id, syncOnAppend, crypto, lock);
    }

    /**
     * Deletes the cycle files whose first header was never completed: a process killed while
     * creating a day's file leaves one. Chronicle completes a file's first header before it appends
     * anything to it, so such a file holds no record. Left in place, it is fatal in a quiet way: a
     * tailer opened on it sees nothing, and the first append renames it aside and starts the day
     * again in a new file, which that tailer never reaches, so the drainer stops storing while
     * appends go on being acknowledged. Called before the queue is opened, while no one maps the
     * files (the data directory is this process's alone). Returns the number deleted.
     */
    static int discardUnfinishedCycleFiles(Path dir) throws IOException {
        int deleted = 0;
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files =
                    list.filter(
                                    p ->
                                            p.getFileName()
                                                    .toString()
                                                    .endsWith(SingleChronicleQueue.SUFFIX))
                            .sorted()
                            .toList();
        }
        for (Path file : files) {
            if (firstHeaderComplete(file)) {
                continue;
            }
            Files.delete(file);
            deleted++;
            log.warn(
                    "deleted the journal file {}: it was left unfinished by a process stopped while creating it,"
                            + " so it holds no record",
                    file.getFileName());
        }
        return deleted;
    }

    /**
     * A Chronicle wire header is complete when it is written (not 0) and its not-complete bit is
     * clear.
     */
    private static boolean firstHeaderComplete(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer header = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (header.hasRemaining() && ch.read(header, header.position()) > 0) {
                // a short read of a just-created file: read on until its size says there is no more
            }
            if (header.hasRemaining()) {
                return false;
            }
            int value = header.getInt(0);
            return value != Wires.NOT_INITIALIZED && (value & Wires.NOT_COMPLETE) == 0;
        }
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
            return appendRecord(
                    s.sealRecord(
                            batch.patientId(),
                            batch.device(),
                            batch.receivedMicros(),
                            batch.readings()),
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

    /**
     * A plaintext record as earlier versions wrote them (record version 2); only to test upgrades,
     * and crashes without a database. Appended, and synced when configured, as {@link #append}
     * does, so a crash test of this path tests that one.
     */
    long appendVersion2(JournalBatch batch) {
        Bytes<?> record = Bytes.allocateElasticOnHeap(256);
        JournalCodec.write(record, batch);
        return appendRecord(record, batch.readings().size());
    }

    /**
     * A record sealed reading by reading, as the previous version wrote them (record version 3);
     * only to test upgrades.
     */
    long appendVersion3(JournalBatch batch) {
        try (SealSession s = crypto.acquire()) {
            return appendRecord(
                    s.sealRecordVersion3(
                            batch.patientId(),
                            batch.device(),
                            batch.receivedMicros(),
                            batch.readings()),
                    batch.readings().size());
        }
    }

    /** How batches are sealed; the drainer opens records with it. */
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

    /** The record at {@code index} as appended (still sealed), or null when it is not there. */
    byte[] recordBytes(long index) {
        try (ExcerptTailer t = queue.createTailer()) {
            if (!t.moveToIndex(index)) {
                return null;
            }
            try (DocumentContext dc = t.readingDocument()) {
                return dc.isPresent() ? dc.wire().bytes().toByteArray() : null;
            }
        }
    }

    /**
     * Index of the last record written before this journal was opened (-1 when there was none).
     * Records after it were appended here and are already in {@link #pendingReadings()}.
     */
    long lastIndexAtOpen() {
        return lastIndexAtOpen;
    }

    /** The cycle (day) that holds a record index. */
    int cycleOf(long index) {
        return queue.rollCycle().toCycle(index);
    }

    /**
     * Deletes the cycle files that hold only stored records: every cycle before the one holding
     * {@code checkpoint} (the index of the last record committed to the database), and never the
     * cycle being written. Those files are mapped by no one: the drainer's tailer is at the
     * checkpoint or after it, the appender at the current cycle, and Chronicle releases a cycle's
     * file when they move on. The checkpoint's own cycle is kept, so a restart finds it. Called on
     * the drainer thread. Returns the number of files deleted.
     */
    int deleteStoredCycles(long checkpoint) {
        if (checkpoint < 0) {
            return 0;
        }
        int before = Math.min(cycleOf(checkpoint), Math.min(queue.cycle(), queue.lastCycle()));
        int first = queue.firstCycle();
        if (first == Integer.MAX_VALUE || first >= before) {
            return 0;
        }
        RollCycle roll = queue.rollCycle();
        DateTimeFormatter names =
                DateTimeFormatter.ofPattern(roll.format()).withZone(ZoneOffset.UTC);
        Path dir = queue.file().toPath();
        int deleted = 0;
        for (int cycle = first; cycle < before; cycle++) {
            Path file =
                    dir.resolve(
                            names.format(Instant.ofEpochMilli(cycle * (long) roll.lengthInMillis()))
                                    + ".cq4");
            try {
                if (Files.deleteIfExists(file)) {
                    deleted++;
                }
            } catch (IOException e) {
                log.warn(
                        "cannot delete the stored journal file {} ({}); retried later",
                        file.getFileName(),
                        e.getClass().getSimpleName());
            }
        }
        if (deleted > 0) {
            queue.refreshDirectoryListing();
        }
        return deleted;
    }

    @Override
    public synchronized void close() {
        appender.close();
        queue.close();
        try {
            lock.close(); // releases the directory
        } catch (IOException e) {
            log.warn("closing the journal lock failed ({})", e.getClass().getSimpleName());
        }
    }
}

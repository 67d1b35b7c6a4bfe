package org.jkn.telemetry.gateway.ingest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ingest from filling the disk the journal and the embedded database share. The journal is
 * memory-mapped: a page written on a full disk is not an exception but a SIGBUS that kills the JVM,
 * and PostgreSQL stops writing. So ingest is refused ({@code disk-low}) while the free space of the
 * data directory's file system is below {@code minFreeBytes}, or the journal's files exceed {@code
 * maxJournalBytes}, and taken again once the space is back: the drainer goes on emptying the
 * journal meanwhile (its stored day files are deleted), and an operator can free space.
 *
 * <p>Measured on its own daemon thread every {@code period}; {@link #low()} reads a volatile and is
 * cheap enough for every batch. Journal sizes are the files' lengths (Chronicle's files are sparse,
 * so this overstates what they occupy: the budget errs on the safe side).
 */
public final class DiskGuard implements AutoCloseable {

    /** The stable code of the refusal. */
    public static final String CODE = "disk-low";

    private static final Logger log = LoggerFactory.getLogger(DiskGuard.class);

    private final Path dataDir;
    private final Path journalDir;
    private final long minFreeBytes;
    private final long maxJournalBytes;
    private final ScheduledExecutorService timer;
    private volatile boolean low;
    private volatile long freeBytes = -1;
    private volatile long journalBytes;

    /**
     * @param maxJournalBytes 0 for no journal budget
     */
    public DiskGuard(
            Path dataDir,
            Path journalDir,
            long minFreeBytes,
            long maxJournalBytes,
            Duration period) {
        this.dataDir = dataDir;
        this.journalDir = journalDir;
        this.minFreeBytes = minFreeBytes;
        this.maxJournalBytes = maxJournalBytes;
        check();
        timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "disk-guard");
                            t.setDaemon(true);
                            return t;
                        });
        var unused =
                timer.scheduleWithFixedDelay(
                        this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** True while ingest must be refused for lack of disk. */
    public boolean low() {
        return low;
    }

    /** Usable bytes on the data directory's file system at the last check, -1 before one. */
    public long freeBytes() {
        return freeBytes;
    }

    /** The journal files' total length at the last check. */
    public long journalBytes() {
        return journalBytes;
    }

    /** Measures now (also done periodically). */
    public void check() {
        boolean wasLow = low;
        try {
            long free = Files.getFileStore(dataDir).getUsableSpace();
            long journal = sizeOf(journalDir);
            freeBytes = free;
            journalBytes = journal;
            low = free < minFreeBytes || (maxJournalBytes > 0 && journal > maxJournalBytes);
        } catch (IOException | RuntimeException e) {
            // a file system that cannot even be asked is treated as full: refusing is safe, writing
            // may not be
            low = true;
            log.warn("cannot measure the free disk space ({})", e.getClass().getSimpleName());
        }
        if (low != wasLow) {
            if (low) {
                log.error(
                        "disk low: {} bytes free (at least {} wanted), journal {} bytes (budget {});"
                                + " ingest answers disk-low until space is back",
                        freeBytes,
                        minFreeBytes,
                        journalBytes,
                        maxJournalBytes == 0 ? "none" : maxJournalBytes);
            } else {
                log.info("disk space is back ({} bytes free); ingest resumes", freeBytes);
            }
        }
    }

    private static long sizeOf(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long total = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (Files.isRegularFile(f)) {
                    total += Files.size(f);
                }
            }
        }
        return total;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

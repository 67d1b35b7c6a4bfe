package org.jkn.telemetry.gateway.ingest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk-low decision on this machine's own disk, with budgets set around what it measures. */
class DiskGuardTest {

    @TempDir Path dir;

    @Test
    void lowWhileLessThanTheBudgetIsFreeAndNotOtherwise() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        try (DiskGuard plenty =
                        new DiskGuard(dir, dir.resolve("journal"), 0, 0, Duration.ofHours(1));
                DiskGuard wanting =
                        new DiskGuard(
                                dir,
                                dir.resolve("journal"),
                                free + (1L << 40),
                                0,
                                Duration.ofHours(1))) {
            assertFalse(plenty.low());
            assertTrue(plenty.freeBytes() > 0);
            assertTrue(wanting.low(), "a terabyte more than the disk has is wanted");
        }
    }

    @Test
    void theJournalBudgetRefusesAndRecoversAsFilesComeAndGo() throws Exception {
        Path journal = Files.createDirectories(dir.resolve("journal"));
        try (DiskGuard guard = new DiskGuard(dir, journal, 0, 1_000_000, Duration.ofHours(1))) {
            assertFalse(guard.low());
            Path cycle = journal.resolve("20261202F.cq4");
            Files.write(cycle, new byte[1_500_000]);
            guard.check();
            assertTrue(guard.low(), "the journal's files exceed their budget");
            Files.delete(cycle);
            guard.check();
            assertFalse(guard.low(), "the stored day file was deleted: ingest resumes");
        }
    }

    @Test
    void aDataDirectoryThatCannotBeMeasuredCountsAsFull() {
        try (DiskGuard guard =
                new DiskGuard(
                        dir.resolve("missing"),
                        dir.resolve("journal"),
                        0,
                        0,
                        Duration.ofHours(1))) {
            assertTrue(guard.low(), "refusing is safe; writing blind may not be");
        }
    }
}

package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueStore;
import net.openhft.chronicle.wire.DocumentContext;
import net.openhft.chronicle.wire.Wires;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) while it writes the journal: every append that had returned is there
 * after a restart, and the restarted journal drains everything, old and new, even when the process
 * died while creating a day's file.
 */
class JournalCrashRecoveryTest {

    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final Pattern RECORD = Pattern.compile("[0-9]+");

    @TempDir Path dir;

    @Test
    void everyReturnedAppendSurvivesAKillInTheMiddleOfAppending() throws Exception {
        Path journalDir = dir.resolve("journal");
        Set<String> acknowledged = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            // each round kills a little later into its appends, so the kill lands at a different
            // point of a record
            appendInChildUntilKilled(
                    journalDir, round * 1_000_000, 2_000 + 1_500 * round, false, acknowledged);
            Set<String> present = recordIds(journalDir);
            Set<String> missing = new HashSet<>(acknowledged);
            missing.removeAll(present);
            assertTrue(
                    missing.isEmpty(),
                    "round "
                            + round
                            + ": acknowledged appends missing after the kill: "
                            + missing.size()
                            + " of "
                            + acknowledged.size());
        }
        assertTrue(acknowledged.size() >= 9_000, "the child appended: " + acknowledged.size());
        try (Journal reopened = Journal.open(journalDir, false, null)) {
            reopened.appendVersion2(
                    batch(
                            "p-crash",
                            "dev-1",
                            List.of(heartRate("after", "2026-11-22T07:00:00+07:00", 70))));
        }
        assertTrue(
                recordIds(journalDir).contains("after"),
                "the journal takes appends after the kills");
    }

    /**
     * {@code JOURNAL_SYNC=true}: a power cut cannot be produced here, so this shows the two halves
     * of it that can be: every append that returned is in the journal after a kill, and Chronicle
     * recorded an msync covering the last of them (each append syncs before it returns).
     */
    @Test
    void withSyncOnAppendEveryReturnedAppendIsThereAndWasSyncedBeforeItReturned() throws Exception {
        Path journalDir = dir.resolve("journal");
        Set<String> acknowledged = new HashSet<>();
        appendInChildUntilKilled(journalDir, 0, 300, true, acknowledged);

        Map<String, Long> present = recordIndexes(journalDir);
        Set<String> missing = new HashSet<>(acknowledged);
        missing.removeAll(present.keySet());
        assertTrue(
                missing.isEmpty(),
                "acknowledged appends missing after the kill: "
                        + missing.size()
                        + " of "
                        + acknowledged.size());
        long lastAcknowledged =
                acknowledged.stream().mapToLong(id -> present.get(id)).max().orElseThrow();
        try (SingleChronicleQueue q =
                SingleChronicleQueueBuilder.single(journalDir.toFile())
                        .rollCycle(RollCycles.FAST_DAILY)
                        .build()) {
            assertTrue(
                    q.lastIndexMSynced() >= lastAcknowledged,
                    "the last acknowledged append was msynced: synced up to "
                            + Long.toHexString(q.lastIndexMSynced())
                            + ", acknowledged up to "
                            + Long.toHexString(lastAcknowledged));
        }
    }

    @Test
    void aSecondJournalOnTheSameDirectoryIsRefusedUntilTheFirstIsClosed() throws Exception {
        Path journalDir = dir.resolve("journal");
        try (Journal first = Journal.open(journalDir, false, null)) {
            IOException refused =
                    assertThrows(IOException.class, () -> Journal.open(journalDir, false, null));
            assertTrue(refused.getMessage().contains("in use"), refused.getMessage());
            first.appendVersion2(
                    batch(
                            "p-lock",
                            "dev-1",
                            List.of(heartRate("l1", "2026-11-22T07:00:00+07:00", 70))));
        }
        try (Journal again = Journal.open(journalDir, false, null)) {
            assertTrue(again.lastIndex() >= 0, "closed, the directory opens again with its record");
        }
    }

    @Test
    void aJournalKilledWhileCreatingItsFirstFileStoresWhatItIsGivenAfterTheRestart()
            throws Exception {
        Path journalDir = dir.resolve("journal");
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-11-20T10:00:00Z"));
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            Files.createDirectories(journalDir);
            leaveUnfinishedDayFile(journalDir, time);
            // a tailer that opens on the unfinished file never leaves it: the drainer must not see
            // it
            restartAndDrain(journalDir, time, db, 0, "p-first-file");
        }
    }

    @Test
    void aDayFileLeftUnfinishedByAKillIsDiscardedAndEverythingElseDrains() throws Exception {
        Path journalDir = dir.resolve("journal");
        SetTimeProvider time = new SetTimeProvider(Instant.parse("2026-11-20T10:00:00Z"));
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            // day one holds records the killed process acknowledged but had not stored; it died
            // creating day two's file
            try (Journal before =
                    Journal.open(journalDir, false, TestCrypto.of(db.dataSource()), time)) {
                before.append(
                        batch(
                                "p-next-day",
                                "dev-1",
                                List.of(heartRate("u0", "2026-11-22T07:00:00+07:00", 70))));
                before.append(
                        batch(
                                "p-next-day",
                                "dev-1",
                                List.of(heartRate("u1", "2026-11-22T07:01:00+07:00", 71))));
            }
            time.advanceMillis(DAY);
            leaveUnfinishedDayFile(journalDir, time);
            restartAndDrain(journalDir, time, db, 2, "p-next-day");
        }
    }

    /**
     * Reopens the journal, expects {@code unstored} readings to drain, appends one more and expects
     * it stored too.
     */
    private static void restartAndDrain(
            Path journalDir, SetTimeProvider time, Database db, int unstored, String patient)
            throws Exception {
        RecordingListener listener = new RecordingListener();
        Journal journal = Journal.open(journalDir, false, TestCrypto.of(db.dataSource()), time);
        JournalDrainer drainer = new JournalDrainer(journal, db.dataSource(), listener, 1_000);
        try {
            drainer.start();
            Poll.until(
                    "the acknowledged readings are stored",
                    () -> listener.readings.get() == unstored);
            long last =
                    journal.append(
                            batch(
                                    patient,
                                    "dev-1",
                                    List.of(heartRate("after", "2026-11-22T07:02:00+07:00", 72))));
            Poll.until(
                    "what is appended after the restart is stored",
                    () -> drainer.checkpoint() == last);
            assertEquals(0, journal.pendingReadings());
        } finally {
            drainer.close();
            journal.close();
        }
        assertEquals(
                unstored + 1,
                Sql.count(
                        db.dataSource(),
                        "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = '"
                                + patient
                                + "'"));
        try (Stream<Path> files = Files.list(journalDir)) {
            assertEquals(
                    List.of(),
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.contains(".discard"))
                            .toList(),
                    "nothing was renamed aside on the first append");
        }
    }

    /**
     * Leaves the current day's file as a process killed while creating it does: created by
     * Chronicle itself, then with its first header's not-complete bit set again (Chronicle sets it,
     * writes the file's index, then clears it).
     */
    private static void leaveUnfinishedDayFile(Path journalDir, SetTimeProvider time)
            throws IOException {
        Path file;
        try (SingleChronicleQueue q =
                SingleChronicleQueueBuilder.single(journalDir.toFile())
                        .rollCycle(RollCycles.FAST_DAILY)
                        .timeProvider(time)
                        .build()) {
            SingleChronicleQueueStore store = q.storeForCycle(q.cycle(), q.epoch(), true, null);
            assertNotNull(store);
            file = store.file().toPath();
            q.closeStore(store);
        }
        try (FileChannel ch =
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 0);
            int value = header.getInt(0);
            assertTrue(
                    value != 0 && (value & Wires.NOT_COMPLETE) == 0,
                    "Chronicle completed the header it wrote");
            header.putInt(0, value | Wires.NOT_COMPLETE).rewind();
            ch.write(header, 0);
        }
    }

    /**
     * Runs {@link JournalAppenderMain} from record {@code from}, syncing every append or not, kills
     * it with SIGKILL once it has reported {@code killAfter} returned appends (it goes on appending
     * meanwhile), and adds every reported record to {@code acknowledged}.
     */
    private void appendInChildUntilKilled(
            Path journalDir, int from, int killAfter, boolean sync, Set<String> acknowledged)
            throws Exception {
        String jvmArgs = System.getProperty("chronicle.jvm.args");
        assertNotNull(
                jvmArgs, "run through Maven: surefire passes the parent pom's chronicle.jvm.args");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmArgs.trim().split("\\s+")));
        command.addAll(
                List.of(
                        "-Xmx256m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        JournalAppenderMain.class.getName(),
                        journalDir.toString(),
                        Integer.toString(from),
                        sync ? "sync" : "no-sync"));
        Process child =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
            int reported = 0;
            String line;
            while (reported < killAfter && (line = out.readLine()) != null) {
                if (RECORD.matcher(line).matches()) { // the rest is the child's logging
                    acknowledged.add("c" + line);
                    reported++;
                }
            }
            assertEquals(killAfter, reported, "the child appended until it was killed");
            child.toHandle()
                    .destroyForcibly(); // SIGKILL: no shutdown hook, no close; the pipe stays
            // readable
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            // lines the child printed before it died were acknowledged too
            while ((line = out.readLine()) != null) {
                if (RECORD.matcher(line).matches()) {
                    acknowledged.add("c" + line);
                }
            }
        } finally {
            child.destroyForcibly();
        }
    }

    private static Set<String> recordIds(Path journalDir) {
        return recordIndexes(journalDir).keySet();
    }

    /** Reading id to the index of the record that holds it, for every record in the journal. */
    private static Map<String, Long> recordIndexes(Path journalDir) {
        Map<String, Long> indexes = new HashMap<>();
        try (Journal journal = Journal.open(journalDir, false, null);
                ExcerptTailer t = journal.createTailer()) {
            while (true) {
                try (DocumentContext dc = t.readingDocument()) {
                    if (!dc.isPresent()) {
                        return indexes;
                    }
                    long index = dc.index();
                    JournalCodec.read(dc.wire().bytes())
                            .readings()
                            .forEach(r -> indexes.put(r.readingId(), index));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

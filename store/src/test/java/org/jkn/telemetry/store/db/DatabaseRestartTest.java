package org.jkn.telemetry.store.db;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.testing.Sql.count;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server keeps its data directory across restarts, including after a crash. */
class DatabaseRestartTest {

    @TempDir Path dir;

    @Test
    void reopeningTheDataDirectoryKeepsReadingsAndDoesNotMigrateAgain() throws Exception {
        Path data = dir.resolve("pg");
        String now = Instant.now().atOffset(ZoneOffset.ofHours(7)).toString();
        try (Database first = Database.open(TestDatabases.embedded(data))) {
            TestCrypto.write(
                    first.dataSource(),
                    List.of(batch("p-restart", "dev-1", List.of(heartRate("r-1", now, 61)))),
                    "restart-test",
                    0);
        }
        try (Database second = Database.open(TestDatabases.embedded(data))) {
            assertEquals(StorageMode.NATIVE_PARTITIONS, second.mode());
            assertEquals(
                    1,
                    count(
                            second.dataSource(),
                            "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = 'p-restart'"));
            assertEquals(
                    0,
                    count(
                            second.dataSource(),
                            "select last_index from journal_checkpoints where journal_id = 'restart-test'"));
            assertEquals(
                    1,
                    count(
                            second.dataSource(),
                            "select count(*) from flyway_schema_history where version = '1'"));
            assertEquals(
                    0,
                    count(
                            second.dataSource(),
                            "select count(*) from flyway_schema_history where not success"));
        }
    }

    @Test
    void startingStopsAPostmasterLeftRunningByAKilledProcess() throws Exception {
        Path data = dir.resolve("pg");
        long orphanPid = startOrphanPostmaster(data);
        try (Database db = Database.open(TestDatabases.embedded(data))) {
            assertFalse(
                    ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false),
                    "the old postmaster was stopped");
            assertTrue(db.isReachable(2));
            assertEquals(StorageMode.NATIVE_PARTITIONS, db.mode());
        } finally {
            ProcessHandle.of(orphanPid).ifPresent(ProcessHandle::destroy);
        }
    }

    @Test
    void aSecondServiceOnTheSameDataDirectoryIsRefusedAndTheFirstKeepsItsDatabase()
            throws Exception {
        Path data = dir.resolve("pg");
        try (Database first = Database.open(TestDatabases.embedded(data))) {
            java.io.IOException e =
                    org.junit.jupiter.api.Assertions.assertThrows(
                            java.io.IOException.class,
                            () -> Database.open(TestDatabases.embedded(data)));
            assertTrue(e.getMessage().contains("another running service"), e.getMessage());
            assertTrue(first.isReachable(2), "the first service's database was left alone");
        }
    }

    /**
     * Runs the embedded server from another JVM, kills that JVM with SIGKILL and returns the
     * surviving postmaster's pid.
     */
    private static long startOrphanPostmaster(Path data) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process owner =
                new ProcessBuilder(
                                java.toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                OrphanPostmasterMain.class.getName(),
                                data.toString())
                        .redirectErrorStream(true)
                        .start();
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.contains(OrphanPostmasterMain.READY)) {
                // start-up chatter of the child
            }
            assertTrue(line != null, "the child JVM ended before its server was ready");
            owner.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
        } finally {
            owner.destroyForcibly();
        }
        long pid =
                Long.parseLong(
                        Files.readAllLines(
                                        data.resolve("postmaster.pid"), StandardCharsets.US_ASCII)
                                .get(0)
                                .trim());
        assertTrue(
                ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "the postmaster outlives its owner");
        return pid;
    }
}

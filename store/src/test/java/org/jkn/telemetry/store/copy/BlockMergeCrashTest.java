package org.jkn.telemetry.store.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.Readings;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.store.query.ObservationIds;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) while it merges readings into blocks, draining the journal or moving
 * the previous version's rows: after restarts every acknowledged reading is stored, and none twice.
 *
 * <p>A child JVM does the work against a real PostgreSQL and is killed several times before one is
 * let finish. Some kills land at a random moment after the child has committed progress; others at
 * the moments that matter most, pinned by a row lock the test holds and the child must pass before
 * it commits: a merge written but not committed, and (with two writers) the parts of a chunk
 * committed but not its checkpoint, which the next start merges again. What is committed is checked
 * after every kill, and every reading is looked for by search (and, after the upgrade, by its old
 * id) at the end.
 */
class BlockMergeCrashTest {

    private static final long START = Readings.micros("2026-11-22T06:00:00+07:00");
    private static final int OFFSET = 7 * 3600;
    private static final int MAX_READINGS_PER_WRITE = 500;
    private static final int UPGRADE_ROWS_PER_STEP = 50;
    private static final Duration CHILD_DEADLINE = Duration.ofSeconds(40);

    @TempDir static Path shared;

    @TempDir Path dir;

    private static EmbeddedPostgres server;
    private int children; // numbers each child's session name and log

    /** Where a round kills its child. */
    private enum Kill {
        /** A random moment shortly after the child has committed work of its own. */
        RANDOM,
        /** While the child waits on the test's row lock, its last write done but not committed. */
        BEFORE_COMMIT
    }

    private record Round(Kill kill, int writers) {}

    @BeforeAll
    static void startServer() throws IOException {
        server =
                EmbeddedPostgres.builder()
                        .setDataDirectory(shared.resolve("pg"))
                        .setRegisterShutdownHook(false)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .start();
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void killingTheDrainerWhileItMergesLosesNoAcknowledgedReadingAndStoresNoneTwice()
            throws Exception {
        try (Database db = createDatabase("merge_crash")) {
            DataSource ds = db.dataSource();
            Path journalDir = dir.resolve("journal");
            Acknowledged acked = new Acknowledged();
            // the round after the two-writer kill before the checkpoint starts by merging that
            // chunk again
            List<Round> rounds =
                    List.of(
                            new Round(Kill.RANDOM, 1),
                            new Round(Kill.BEFORE_COMMIT, 1),
                            new Round(Kill.BEFORE_COMMIT, 2),
                            new Round(Kill.RANDOM, 2));
            for (int i = 0; i < rounds.size(); i++) {
                Round round = rounds.get(i);
                String where = "round " + i + " " + round;
                // acknowledged once append returns; between children, as one process at a time
                // holds the journal
                String journalId = append(journalDir, ds, acked, 20);
                Drained before = drained(ds, journalId);
                Connection lock =
                        round.kill() == Kill.BEFORE_COMMIT ? lockCheckpoint(ds, journalId) : null;
                Child child =
                        start(
                                JournalDrainerMain.class,
                                journalDir.toString(),
                                url("merge_crash"),
                                Integer.toString(MAX_READINGS_PER_WRITE),
                                Integer.toString(round.writers()));
                try {
                    if (lock == null) {
                        child.await(
                                "the child commits a merge",
                                () -> drained(ds, journalId).checkpoint() > before.checkpoint());
                        pauseAtRandom();
                    } else {
                        // with one writer the blocks wait in the same transaction; with two, their
                        // parts have committed
                        child.await(
                                "the child's checkpoint waits for the test's lock",
                                () ->
                                        waitsOnLock(
                                                ds,
                                                child.name(),
                                                "insert into journal_checkpoints"));
                    }
                    child.kill();
                } finally {
                    release(lock);
                    child.killAndAwaitSessionsGone(ds);
                }

                Drained after = drained(ds, journalId);
                long checkpointed = acked.upTo(after.checkpoint());
                assertTrue(
                        after.checkpoint() < acked.lastIndex,
                        where + ": killed before the journal was drained");
                assertTrue(
                        after.stored() >= checkpointed,
                        where
                                + ": "
                                + (checkpointed - after.stored())
                                + " readings the checkpoint says are stored are not");
                assertTrue(
                        after.stored() <= acked.total,
                        where
                                + ": more readings stored than appended: "
                                + after.stored()
                                + " of "
                                + acked.total);
                if (round.writers() == 1) {
                    assertEquals(
                            checkpointed,
                            after.stored(),
                            where + ": with one writer, blocks and checkpoint commit together");
                }
                if (round.kill() == Kill.BEFORE_COMMIT) {
                    assertEquals(
                            before.checkpoint(),
                            after.checkpoint(),
                            where + ": the checkpoint the test held did not move");
                    if (round.writers() == 1) {
                        assertEquals(
                                before.stored(),
                                after.stored(),
                                where + ": the merge killed before its commit left nothing");
                    } else {
                        assertTrue(
                                after.stored() > checkpointed,
                                where
                                        + ": parts committed ahead of the checkpoint, for the next start to merge again");
                    }
                }
            }

            String journalId = append(journalDir, ds, acked, 4);
            Child last =
                    start(
                            JournalDrainerMain.class,
                            journalDir.toString(),
                            url("merge_crash"),
                            Integer.toString(MAX_READINGS_PER_WRITE),
                            "2");
            try {
                last.await(
                        "the journal is drained",
                        () -> drained(ds, journalId).checkpoint() == acked.lastIndex);
            } finally {
                last.killAndAwaitSessionsGone(ds);
            }
            assertEquals(
                    acked.total,
                    drained(ds, journalId).stored(),
                    "every acknowledged reading stored once");
            assertEachFoundOnce(
                    new ReadingQueries(ds, TestCrypto.of(ds), Duration.ofDays(1)), acked.byPatient);
        }
    }

    @Test
    void killingTheUpgradeInTheMiddleOfItsStepsLeavesEveryReadingInExactlyOnePlace()
            throws Exception {
        try (Database db = createDatabase("upgrade_crash")) {
            DataSource ds = db.dataSource();
            Map<String, Map<String, Double>> expected = new HashMap<>();
            List<String> legacyIds = new ArrayList<>();
            // the previous version's rows, and readings stored since in the blocks those rows move
            // into
            List<JournalBatch> rows = new ArrayList<>();
            List<JournalBatch> blocks = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                String patient = "p-upgrade-" + p;
                String device = "dev-" + p;
                for (int b = 0; b < 16; b++) {
                    List<NormalizedReading> old = new ArrayList<>();
                    for (int n = b * 25; n < (b + 1) * 25; n++) {
                        old.add(reading("old-" + n, START + n * 60_000_000L, n));
                        legacyIds.add(
                                expect(expected, patient, device, old.get(old.size() - 1), true));
                    }
                    rows.add(Readings.batch(patient, device, old));
                }
                List<NormalizedReading> recent = new ArrayList<>();
                for (int n = 0; n < 50; n++) {
                    recent.add(reading("new-" + n, START + n * 480_000_000L + 30_000_000L, n));
                    expect(expected, patient, device, recent.get(recent.size() - 1), false);
                }
                blocks.add(Readings.batch(patient, device, recent));
            }
            long total = expected.values().stream().mapToLong(Map::size).sum();
            TestCrypto.write(ds, blocks, null, 0);
            assertEquals(legacyIds.size(), TestCrypto.writeLegacy(ds, rows, "previous-version", 1));
            ReadingQueries queries = new ReadingQueries(ds, TestCrypto.of(ds), Duration.ofDays(1));
            assertEachFoundOnce(
                    queries,
                    expected); // as the previous version showed them, before anything moved

            List<Kill> kills = List.of(Kill.RANDOM, Kill.BEFORE_COMMIT, Kill.RANDOM);
            for (int i = 0; i < kills.size(); i++) {
                Kill kill = kills.get(i);
                String where = "round " + i + " " + kill;
                Moved before = moved(ds);
                Connection lock = kill == Kill.BEFORE_COMMIT ? lockRows(ds) : null;
                Child child =
                        start(
                                BlockUpgradeMain.class,
                                url("upgrade_crash"),
                                Integer.toString(UPGRADE_ROWS_PER_STEP));
                try {
                    if (lock == null) {
                        child.await(
                                "the child commits a step", () -> moved(ds).rows() < before.rows());
                        pauseAtRandom();
                    } else {
                        // the step has merged its rows into blocks and remembered their ids;
                        // deleting them waits
                        child.await(
                                "the child's step waits for the test's lock",
                                () -> waitsOnLock(ds, child.name(), "delete from readings"));
                    }
                    child.kill();
                } finally {
                    release(lock);
                    child.killAndAwaitSessionsGone(ds);
                }

                Moved after = moved(ds);
                assertTrue(after.rows() > 0, where + ": killed before the upgrade was done");
                assertEquals(
                        total,
                        after.rows() + after.stored(),
                        where + ": every reading is either a row or in a block, once");
                assertEquals(
                        legacyIds.size() - after.rows(),
                        after.remembered(),
                        where + ": each moved reading's old id is kept");
                if (kill == Kill.BEFORE_COMMIT) {
                    assertEquals(
                            before,
                            after,
                            where + ": the step killed before its commit moved nothing");
                }
            }

            Child last =
                    start(
                            BlockUpgradeMain.class,
                            url("upgrade_crash"),
                            Integer.toString(UPGRADE_ROWS_PER_STEP));
            try {
                Poll.until("the upgrade finishes", CHILD_DEADLINE, () -> !last.process().isAlive());
                assertEquals(
                        0,
                        last.process().exitValue(),
                        "the upgrade's exit status; its output:\n" + last.output());
            } finally {
                last.killAndAwaitSessionsGone(ds);
            }
            assertEquals(
                    new Moved(0, total, legacyIds.size()),
                    moved(ds),
                    "no row left, every reading in a block once");
            assertEachFoundOnce(queries, expected);
            for (String id : legacyIds) {
                StoredReading r = queries.read(id).orElse(null);
                assertNotNull(r, "an id shown before the upgrade resolves after it: " + id);
                assertEquals(id, r.observationId());
                assertEquals(expected.get(r.patientId()).get(id), r.value(), 0.0, id);
            }
        }
    }

    /**
     * The readings of journal records up to each index, and every reading's expected Observation id
     * and value.
     */
    private static final class Acknowledged {
        final Map<String, Map<String, Double>> byPatient = new HashMap<>();
        final TreeMap<Long, Long> readingsUpTo = new TreeMap<>();
        final int[] next = new int[6];
        long total;
        long lastIndex = -1;

        long upTo(long checkpoint) {
            Map.Entry<Long, Long> e = readingsUpTo.floorEntry(checkpoint);
            return e == null ? 0 : e.getValue();
        }
    }

    /**
     * Appends {@code rounds} batches of 25 readings for each of six patients and returns the
     * journal's id. A patient's readings fall in three hour blocks of heart rate and the day blocks
     * of oxygen around them, in an order that visits every block, so each chunk rewrites blocks
     * earlier chunks wrote.
     */
    private static String append(Path journalDir, DataSource ds, Acknowledged acked, int rounds)
            throws IOException {
        try (Journal journal = Journal.open(journalDir, false, TestCrypto.of(ds))) {
            for (int round = 0; round < rounds; round++) {
                for (int p = 0; p < acked.next.length; p++) {
                    String patient = "p-merge-" + p;
                    String device = "dev-" + p;
                    List<NormalizedReading> readings = new ArrayList<>();
                    for (int i = 0; i < 25; i++) {
                        int n = acked.next[p]++;
                        // 37 is prime to the 10,800 seconds of three hours: distinct starts,
                        // scattered over the blocks
                        readings.add(reading("r-" + n, START + (n * 37L % 10_800) * 1_000_000L, n));
                        expect(acked.byPatient, patient, device, readings.get(i), false);
                    }
                    acked.lastIndex = journal.append(Readings.batch(patient, device, readings));
                    acked.total += readings.size();
                    acked.readingsUpTo.put(acked.lastIndex, acked.total);
                }
            }
            return journal.id();
        }
    }

    /**
     * Heart rate mostly (hour blocks), every eighth oxygen saturation (day blocks); whole-number
     * values.
     */
    private static NormalizedReading reading(String id, long startMicros, int n) {
        return n % 8 == 0
                ? new NormalizedReading(
                        ReadingType.OXYGEN_SATURATION,
                        id,
                        startMicros,
                        startMicros,
                        OFFSET,
                        90 + n % 10,
                        Double.NaN)
                : new NormalizedReading(
                        ReadingType.HEART_RATE,
                        id,
                        startMicros,
                        startMicros,
                        OFFSET,
                        50 + n % 90,
                        Double.NaN);
    }

    /**
     * Records the reading's Observation id (the previous version's form when {@code legacy}) and
     * value; returns the id.
     */
    private static String expect(
            Map<String, Map<String, Double>> expected,
            String patient,
            String device,
            NormalizedReading r,
            boolean legacy) {
        String key = TestCrypto.rowKey(patient, device, r.readingId());
        String id =
                legacy
                        ? ObservationIds.id(r.startMicros(), key)
                        : ObservationIds.id(
                                r.startMicros(), key, r.type(), ObservationIds.patientTag(patient));
        expected.computeIfAbsent(patient, p -> new HashMap<>()).put(id, r.value());
        return id;
    }

    /**
     * A search of each patient's readings returns each expected one once, with its value, and
     * nothing else.
     */
    private static void assertEachFoundOnce(
            ReadingQueries queries, Map<String, Map<String, Double>> expected) throws SQLException {
        for (Map.Entry<String, Map<String, Double>> e : expected.entrySet()) {
            Map<String, Double> want = e.getValue();
            List<StoredReading> found =
                    queries.search(
                            new ObservationSearch(
                                    e.getKey(), List.of(), List.of(), true, want.size() + 1, 0));
            Set<String> ids = new HashSet<>();
            List<String> twice = new ArrayList<>();
            for (StoredReading r : found) {
                if (!ids.add(r.observationId())) {
                    twice.add(r.observationId());
                }
            }
            assertEquals(List.of(), twice, e.getKey() + ": readings found more than once");
            Set<String> missing = new HashSet<>(want.keySet());
            missing.removeAll(ids);
            assertEquals(Set.of(), missing, e.getKey() + ": acknowledged readings not found");
            assertEquals(
                    want.size(),
                    found.size(),
                    e.getKey() + ": readings found that were never sent");
            for (StoredReading r : found) {
                assertEquals(want.get(r.observationId()), r.value(), 0.0, r.observationId());
            }
        }
    }

    /** Readings in blocks and the journal's checkpoint, read in one snapshot. */
    private record Drained(long stored, long checkpoint) {}

    private static Drained drained(DataSource ds, String journalId) {
        return query(
                ds,
                "select (select coalesce(sum(n_readings), 0) from reading_blocks), "
                        + "coalesce((select last_index from journal_checkpoints where journal_id = ?), -1)",
                r -> new Drained(r.getLong(1), r.getLong(2)),
                journalId);
    }

    /** Rows not moved yet, readings in blocks and old ids kept, read in one snapshot. */
    private record Moved(long rows, long stored, long remembered) {}

    private static Moved moved(DataSource ds) {
        return query(
                ds,
                "select (select count(*) from readings), (select coalesce(sum(n_readings), 0) from reading_blocks), "
                        + "(select count(*) from legacy_observation_ids)",
                r -> new Moved(r.getLong(1), r.getLong(2), r.getLong(3)));
    }

    /**
     * Holds the journal's checkpoint row, so the child's next checkpoint waits: with one writer at
     * the end of the transaction that merged the chunk, with two after the chunk's parts committed.
     */
    private static Connection lockCheckpoint(DataSource ds, String journalId) throws SQLException {
        Connection c = ds.getConnection();
        c.setAutoCommit(false);
        try (PreparedStatement ps =
                c.prepareStatement(
                        "select 1 from journal_checkpoints where journal_id = ? for update")) {
            ps.setString(1, journalId);
            try (ResultSet r = ps.executeQuery()) {
                assertTrue(r.next(), "an earlier round stored a checkpoint");
            }
        }
        return c;
    }

    /**
     * Holds every row still to move, so the child's step waits before it deletes what it has
     * merged.
     */
    private static Connection lockRows(DataSource ds) throws SQLException {
        Connection c = ds.getConnection();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "select count(*) from (select 1 from readings for update) l")) {
            r.next();
            assertTrue(r.getLong(1) > 0, "rows are left to move");
        }
        return c;
    }

    /**
     * Lets a killed child's session go on: it finishes the statement that waited, finds its client
     * gone and rolls back.
     */
    private static void release(Connection lock) throws SQLException {
        if (lock != null) {
            lock.rollback();
            lock.close();
        }
    }

    private static boolean waitsOnLock(DataSource ds, String application, String statement) {
        return query(
                        ds,
                        "select count(*) from pg_stat_activity where application_name = ? and wait_event_type = 'Lock' "
                                + "and query like ?",
                        r -> r.getLong(1),
                        application,
                        statement + "%")
                > 0;
    }

    /**
     * A random point of whatever the child does next: opening records, merging, sealing, writing or
     * committing.
     */
    private static void pauseAtRandom() throws InterruptedException {
        // kept sleep: the random moment of the kill is what is tested, there is no state to poll
        Thread.sleep(ThreadLocalRandom.current().nextInt(40));
    }

    private Child start(Class<?> main, String... args) throws IOException {
        String jvmArgs = System.getProperty("chronicle.jvm.args");
        assertNotNull(
                jvmArgs, "run through Maven: surefire passes the parent pom's chronicle.jvm.args");
        String name = "crash-child-" + children++;
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvmArgs.trim().split("\\s+")));
        // short-lived and on few cores: the first compiler alone gets a child working sooner
        command.addAll(
                List.of(
                        "-Xmx256m",
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-cp",
                        System.getProperty("java.class.path"),
                        main.getName()));
        command.addAll(Arrays.asList(args));
        command.add(name); // every child main takes its session name last
        Path log = dir.resolve(name + ".log");
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        return new Child(name, process, log);
    }

    /** A child JVM; its sessions carry its name as their application name. */
    private record Child(String name, Process process, Path log) {

        /**
         * Polls until {@code condition}; fails at once, with the child's output, when the child
         * died on its own.
         */
        void await(String what, BooleanSupplier condition) {
            Poll.until(
                    what,
                    CHILD_DEADLINE,
                    () -> {
                        if (!process.isAlive()) {
                            throw new AssertionError(
                                    name
                                            + " exited ("
                                            + process.exitValue()
                                            + ") before "
                                            + what
                                            + "; its output:\n"
                                            + output());
                        }
                        return condition.getAsBoolean();
                    });
        }

        /**
         * SIGKILL, as kill -9: no shutdown hook runs, nothing is closed or rolled back by the
         * child.
         */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), name + " died");
        }

        /**
         * Kills the child if it still runs, then waits until the server has ended its sessions,
         * committed or rolled back.
         */
        void killAndAwaitSessionsGone(DataSource ds) throws InterruptedException {
            kill();
            Poll.until(
                    name + "'s sessions end",
                    () ->
                            query(
                                            ds,
                                            "select count(*) from pg_stat_activity where application_name = ?",
                                            r -> r.getLong(1),
                                            name)
                                    == 0);
        }

        String output() {
            try {
                String all = Files.readString(log, StandardCharsets.UTF_8);
                return all.length() > 4_000 ? all.substring(all.length() - 4_000) : all;
            } catch (IOException e) {
                return "(unreadable: " + e + ")";
            }
        }
    }

    private static Database createDatabase(String name) throws SQLException, IOException {
        try (Connection c = server.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("create database " + name);
        }
        Database db = Database.open(TestDatabases.external(url(name), "postgres", null));
        db.maintenance().run(TestDatabases.FIXTURE_DAY);
        return db;
    }

    private static String url(String database) {
        return server.getJdbcUrl("postgres", database);
    }

    private interface Row<T> {
        T read(ResultSet r) throws SQLException;
    }

    /** One row of a query, for polls (which take no checked exception). */
    private static <T> T query(DataSource ds, String sql, Row<T> row, Object... args) {
        try (Connection c = ds.getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet r = ps.executeQuery()) {
                r.next();
                return row.read(r);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

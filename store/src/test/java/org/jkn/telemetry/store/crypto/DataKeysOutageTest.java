package org.jkn.telemetry.store.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.ProxiedPool;
import org.jkn.telemetry.store.fixtures.Readings;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.FaultProxy;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data keys read a real PostgreSQL through a {@link FaultProxy}. While the database cannot be
 * read, a patient's expired cached key still seals new readings (ingest keeps acknowledging into
 * the journal through an outage longer than the cache TTL), at once, with one reload per patient at
 * a time, and at most {@link DataKeys#STALE_GRACE} past its expiry; an erasure's invalidation (a
 * change notice) takes effect at once even with a reload in flight, and what that reload read is
 * neither used nor cached; a patient never seen, or one erased on this node, still waits for the
 * database and gets {@code keys-unavailable}.
 */
class DataKeysOutageTest {

    private static final Duration TTL = Duration.ofMinutes(1);
    private static final int SEALS = 16;
    private static final Duration QUICK = Duration.ofSeconds(1);

    /** What the pool waits for a connection; a black-holed load fails after about this long. */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

    private static final DeviceInfo DEVICE = new DeviceInfo("dev-1", "Acme", "HR-1");
    private static final List<NormalizedReading> READINGS =
            List.of(Readings.heartRate("r-1", "2026-11-22T08:00:00+07:00", 61));

    @TempDir static Path dir;

    private static Database db;

    private ProxiedPool proxied;
    private FaultProxy proxy;
    private HikariDataSource pool;
    private final AtomicInteger connectionsAsked = new AtomicInteger();

    /** When set, the next connection's close waits for it: a load that has read and not cached. */
    private final AtomicReference<CountDownLatch> holdNextClose = new AtomicReference<>();

    /** What {@link #holdNextClose} is set to in a test; released at the end whatever happened. */
    private final CountDownLatch release = new CountDownLatch(1);

    private final AtomicLong clock = new AtomicLong();
    private DataKeys keys;
    private ReadingCrypto crypto;
    private ExecutorService threads;

    @BeforeAll
    static void open() throws Exception {
        db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"));
    }

    @AfterAll
    static void close() throws Exception {
        db.close();
    }

    @BeforeEach
    void proxied() throws Exception {
        proxied = new ProxiedPool(db, SEALS, CONNECTION_TIMEOUT);
        proxy = proxied.proxy();
        pool = proxied.pool();
        keys =
                new DataKeys(
                        counted(pool),
                        new KekRing(TestCrypto.KEK, List.of()),
                        100,
                        TTL.toNanos(),
                        clock::get);
        crypto =
                new ReadingCrypto(
                        keys, TestCrypto.ROW_KEYS, NonceSource.fromDatabase(db.dataSource()));
        threads = Executors.newCachedThreadPool();
    }

    @AfterEach
    void closeProxy() throws Exception {
        release.countDown();
        threads.shutdownNow();
        proxied.close();
    }

    /**
     * {@code ds}, counting the connections asked of it (one per load), and holding the close of the
     * next one when {@link #holdNextClose} is set.
     */
    private DataSource counted(DataSource ds) {
        return (DataSource)
                Proxy.newProxyInstance(
                        DataSource.class.getClassLoader(),
                        new Class<?>[] {DataSource.class},
                        (self, method, args) -> {
                            if (!method.getName().equals("getConnection")) {
                                return invoke(ds, method, args);
                            }
                            connectionsAsked.incrementAndGet();
                            Object result = invoke(ds, method, args);
                            CountDownLatch hold = holdNextClose.getAndSet(null);
                            return hold != null ? closingAfter(hold, (Connection) result) : result;
                        });
    }

    private static Connection closingAfter(CountDownLatch hold, Connection c) {
        return (Connection)
                Proxy.newProxyInstance(
                        Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class},
                        (self, method, args) -> {
                            if (method.getName().equals("close")) {
                                hold.await();
                            }
                            return invoke(c, method, args);
                        });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void expiredKeysSealConcurrentSealsAtOnceWithOneReloadPerPatientWhileBlackHoled()
            throws Exception {
        List<String> patients = List.of("p-bh-a", "p-bh-b");
        List<DataKey> cached = new ArrayList<>();
        for (String p : patients) {
            cached.add(keys.current(p));
        }
        proxy.blackHole(true);
        clock.addAndGet(TTL.toNanos() + 1); // both expired
        connectionsAsked.set(0);

        assertAllQuick(concurrentSeals(patients));
        assertEquals(2, connectionsAsked.get(), "one reload per patient, however many seals");
        assertEquals(2, keys.reloadsRunning(), "and they hang");
        for (int i = 0; i < patients.size(); i++) {
            assertSameKey(cached.get(i), keys.current(patients.get(i)));
        }

        Poll.until("the reloads give up", () -> keys.reloadsRunning() == 0);
        assertAllQuick(concurrentSeals(patients));
        assertEquals(2, connectionsAsked.get(), "in the back-off the database is not asked");

        clock.addAndGet(DataKeys.RETRY_AFTER.toNanos());
        assertAllQuick(concurrentSeals(patients));
        assertEquals(4, connectionsAsked.get(), "past the back-off, one more reload each");
        Poll.until("the reloads give up", () -> keys.reloadsRunning() == 0);

        proxy.blackHole(false);
        // erased on another instance whose notice was lost: the reload sees it
        Sql.execute(
                db.dataSource(),
                "update data_keys set wrapped = null, destroyed_at = now()"
                        + " where patient_id = 'p-bh-a' and destroyed_at is null");
        Poll.until(
                "the link is back and the expired key is reloaded",
                () -> {
                    // time passes: a reload that met a connection the black hole broke is retried
                    clock.addAndGet(DataKeys.RETRY_AFTER.toNanos());
                    return keys.current("p-bh-a").version() == cached.get(0).version() + 1;
                });
    }

    @Test
    void anErasureNoticeDuringAReloadKeepsTheDestroyedKeyOutOfUseAndOutOfTheCache()
            throws Exception {
        DataKey erased = keys.current("p-erased-reloading");
        clock.addAndGet(TTL.toNanos() + 1);
        holdNextClose.set(release); // the reload reads the key, then waits before caching it
        assertSameKey(erased, within(QUICK, () -> keys.current("p-erased-reloading")));
        assertEquals(1, keys.reloadsRunning(), "a reload holds the key it read");

        erase("p-erased-reloading");
        connectionsAsked.set(0);
        DataKey fresh = within(QUICK, () -> keys.current("p-erased-reloading"));
        assertNotSameKey(erased, fresh);
        assertEquals(1, connectionsAsked.get(), "read from the database, not the cache");

        release.countDown();
        Poll.until("the reload ends", () -> keys.reloadsRunning() == 0);
        assertSameKey(fresh, keys.current("p-erased-reloading"));
        assertEquals(1, connectionsAsked.get(), "the new key is cached, not the reloaded one");
        CryptoFailure destroyed =
                assertThrows(
                        CryptoFailure.class,
                        () -> keys.version("p-erased-reloading", erased.version()),
                        "the reloaded key was not cached under its version either");
        assertEquals(CryptoFailure.KEY_DESTROYED, destroyed.code());
    }

    @Test
    void aLookupWaitingForAReloadWhenTheNoticeComesDoesNotFallBackToTheDestroyedKey()
            throws Exception {
        DataKey erased = keys.current("p-erased-waiting");
        clock.addAndGet(TTL.toNanos() + 1);
        holdNextClose.set(release);
        Future<DataKey> waiting = threads.submit(() -> keys.current("p-erased-waiting"));
        // the lookup has started the held reload and waits up to 100 ms for it
        Poll.until("the lookup's reload runs", () -> keys.reloadsRunning() == 1);
        erase("p-erased-waiting");
        DataKey got = waiting.get(QUICK.toMillis(), TimeUnit.MILLISECONDS);
        assertNotSameKey(erased, got);
        release.countDown();
        Poll.until("the reload ends", () -> keys.reloadsRunning() == 0);
        assertSameKey(got, keys.current("p-erased-waiting"));
    }

    @Test
    void aPatientWithoutACachedKeyWaitsForTheDatabaseAndFails() {
        proxy.blackHole(true);
        long started = System.nanoTime();
        CryptoFailure f = assertThrows(CryptoFailure.class, () -> keys.current("p-bh-never-seen"));
        long waited = System.nanoTime() - started;
        assertEquals(CryptoFailure.KEYS_UNAVAILABLE, f.code());
        assertTrue(
                waited >= CONNECTION_TIMEOUT.toNanos() / 2, "waited " + waited / 1_000_000 + " ms");
        assertEquals(1, connectionsAsked.get());
    }

    @Test
    void anExpiredKeyIsUsedWhileTheDatabaseIsAwayUpToTheGrace() throws Exception {
        DataKey seen = keys.current("p-outage-seen");
        keys.current("p-outage-erased");

        pool.close(); // every load fails at once from here on
        clock.addAndGet(TimeUnit.MINUTES.toNanos(10)); // far past the cache's TTL

        assertSameKey(seen, keys.current("p-outage-seen"));
        CryptoFailure unknown =
                assertThrows(CryptoFailure.class, () -> keys.current("p-outage-never-seen"));
        assertEquals(CryptoFailure.KEYS_UNAVAILABLE, unknown.code());
        keys.invalidate("p-outage-erased"); // as an erasure on this node does
        assertThrows(CryptoFailure.class, () -> keys.current("p-outage-erased"));

        clock.addAndGet(DataKeys.STALE_GRACE.toNanos());
        CryptoFailure pastGrace =
                assertThrows(CryptoFailure.class, () -> keys.current("p-outage-seen"));
        assertEquals(CryptoFailure.KEYS_UNAVAILABLE, pastGrace.code());
    }

    /** What an erasure does: the keys destroyed in the database, then this node's notice. */
    private void erase(String patientId) throws Exception {
        Sql.execute(
                db.dataSource(),
                "update data_keys set wrapped = null, destroyed_at = now() where patient_id = '"
                        + patientId
                        + "' and destroyed_at is null");
        keys.invalidate(patientId);
    }

    /** Runs {@link #SEALS} seals at once, alternating between {@code patients}; their ms. */
    private List<Long> concurrentSeals(List<String> patients) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> done = new ArrayList<>();
        for (int i = 0; i < SEALS; i++) {
            String patient = patients.get(i % patients.size());
            done.add(
                    threads.submit(
                            () -> {
                                go.await();
                                return sealMillis(patient);
                            }));
        }
        go.countDown();
        List<Long> millis = new ArrayList<>();
        for (Future<Long> f : done) {
            millis.add(f.get());
        }
        return millis;
    }

    private long sealMillis(String patientId) {
        long started = System.nanoTime();
        try (SealSession s = crypto.acquire()) {
            s.sealRecord(patientId, DEVICE, 0, READINGS);
        }
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static void assertAllQuick(List<Long> millis) {
        for (long m : millis) {
            assertTrue(m < QUICK.toMillis(), "seals took " + millis + " ms");
        }
    }

    /** {@code lookup}'s answer, failing (not hanging) when it takes longer than {@code bound}. */
    private <T> T within(Duration bound, Callable<T> lookup) throws Exception {
        return threads.submit(lookup).get(bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void assertSameKey(DataKey expected, DataKey actual) {
        assertEquals(expected.version(), actual.version());
        assertArrayEquals(expected.key().getEncoded(), actual.key().getEncoded());
    }

    private static void assertNotSameKey(DataKey destroyed, DataKey actual) {
        assertTrue(actual.version() > destroyed.version(), "a new version, not the destroyed one");
        assertFalse(Arrays.equals(destroyed.key().getEncoded(), actual.key().getEncoded()));
    }
}

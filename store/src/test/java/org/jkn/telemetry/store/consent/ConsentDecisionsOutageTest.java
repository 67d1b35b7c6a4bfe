package org.jkn.telemetry.store.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.store.consent.ConsentGrant.Action;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.ProxiedPool;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.FaultProxy;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision cache reads a real PostgreSQL through a {@link FaultProxy} that black-holes the link
 * (packets vanish, nothing answers): expired decisions keep answering at once, with one reload at a
 * time; an invalidation (a change notice) still takes effect at once; a patient with no cached
 * decision still waits for, and fails on, the database.
 */
class ConsentDecisionsOutageTest {

    private static final long NOW =
            Instant.parse("2026-11-22T12:00:00Z").getEpochSecond() * 1_000_000L;
    private static final int VITALS = DataCategory.VITALS.bit();
    private static final Duration TTL = Duration.ofSeconds(5);
    private static final int CHECKS = 16;
    private static final Duration QUICK = Duration.ofSeconds(1);

    /** What the pool waits for a connection; a black-holed load fails after about this long. */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);

    @TempDir static Path dir;
    private static Database db;
    private static ConsentStore direct;

    private ProxiedPool proxied;
    private FaultProxy proxy;
    private HikariDataSource pool;
    private final AtomicInteger connectionsAsked = new AtomicInteger();
    private final AtomicLong clock = new AtomicLong();
    private ConsentDecisions cache;

    @BeforeAll
    static void open() throws Exception {
        db = Database.open(TestDatabases.embedded(dir.resolve("pg")));
        direct = new ConsentStore(db.dataSource());
        for (String p : List.of("p-bh-stale", "p-bh-notice", "p-bh-raced", "p-bh-grace")) {
            direct.insert(consent(p, 1, "active"), List.of(collect(VITALS)));
        }
    }

    @AfterAll
    static void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    @BeforeEach
    void proxied() throws Exception {
        proxied = new ProxiedPool(db, CHECKS, CONNECTION_TIMEOUT);
        proxy = proxied.proxy();
        pool = proxied.pool();
        cache = new ConsentDecisions(new ConsentStore(counted(pool)), TTL, 100, clock::get);
    }

    @AfterEach
    void closeProxy() throws Exception {
        proxied.close();
    }

    /** {@code ds}, counting the connections asked of it: one per load. */
    private DataSource counted(DataSource ds) {
        return (DataSource)
                Proxy.newProxyInstance(
                        DataSource.class.getClassLoader(),
                        new Class<?>[] {DataSource.class},
                        (self, method, args) -> {
                            if (method.getName().equals("getConnection")) {
                                connectionsAsked.incrementAndGet();
                            }
                            try {
                                return method.invoke(ds, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
    }

    @Test
    void expiredDecisionAnswersConcurrentChecksAtOnceWithOneReloadWhileBlackHoled()
            throws Exception {
        assertEquals(VITALS, cache.get("p-bh-stale").collectable(NOW));
        proxy.blackHole(true);
        clock.addAndGet(TTL.toNanos() + 1); // expired
        connectionsAsked.set(0);

        assertAllQuick(concurrentChecks("p-bh-stale", VITALS));
        assertEquals(1, connectionsAsked.get(), "one reload, however many checks");
        assertEquals(1, cache.reloadsRunning(), "and it hangs");

        Poll.until("the reload gives up", () -> cache.reloadsRunning() == 0);
        assertAllQuick(concurrentChecks("p-bh-stale", VITALS));
        assertEquals(1, connectionsAsked.get(), "in the back-off the database is not asked");

        clock.addAndGet(ConsentDecisions.RETRY_AFTER.toNanos());
        assertAllQuick(concurrentChecks("p-bh-stale", VITALS));
        assertEquals(2, connectionsAsked.get(), "past the back-off, one more reload");
        Poll.until("the reload gives up", () -> cache.reloadsRunning() == 0);

        proxy.blackHole(false);
        direct.replace(consent("p-bh-stale", 2, "inactive"), List.of()); // as another node would
        Poll.until(
                "the link is back and the expired decision is reloaded",
                () -> {
                    // time passes: a reload that met a connection the black hole broke is retried
                    clock.addAndGet(ConsentDecisions.RETRY_AFTER.toNanos());
                    return cache.get("p-bh-stale").collectable(NOW) == 0;
                });
    }

    @Test
    void aChangeNoticeTakesEffectAtOnceWhileAReloadHangs() {
        assertEquals(VITALS, cache.get("p-bh-notice").collectable(NOW));
        proxy.blackHole(true);
        clock.addAndGet(TTL.toNanos() + 1);
        assertEquals(VITALS, cache.get("p-bh-notice").collectable(NOW));
        assertEquals(1, cache.reloadsRunning(), "a reload hangs");

        cache.invalidate("p-bh-notice"); // what a change notice does
        long started = System.nanoTime();
        assertThrows(ConsentUnavailableException.class, () -> cache.get("p-bh-notice"));
        long waited = System.nanoTime() - started;
        assertTrue(
                waited >= CONNECTION_TIMEOUT.toNanos() / 2,
                "waited for the database, not answered from the expired decision: "
                        + waited / 1_000_000
                        + " ms");
        assertThrows(
                ConsentUnavailableException.class,
                () -> cache.get("p-bh-notice"),
                "in the back-off: at once, and still not from the expired decision");
    }

    @Test
    void aReloadThatRacedAChangeNoticeIsNotCached() {
        assertEquals(VITALS, cache.get("p-bh-raced").collectable(NOW));
        proxy.latency(300); // a round trip takes 600 ms: the reload outlasts its wait
        clock.addAndGet(TTL.toNanos() + 1);
        connectionsAsked.set(0);
        assertEquals(VITALS, cache.get("p-bh-raced").collectable(NOW));
        assertEquals(1, cache.reloadsRunning(), "a reload is in flight");

        cache.invalidate("p-bh-raced"); // a change notice arrives meanwhile
        Poll.until("the reload ends", () -> cache.reloadsRunning() == 0);
        proxy.latency(0);
        assertEquals(VITALS, cache.get("p-bh-raced").collectable(NOW));
        assertEquals(2, connectionsAsked.get(), "what the reload read was not cached");
    }

    @Test
    void aPatientWithoutACachedDecisionWaitsForTheDatabaseAndFails() {
        proxy.blackHole(true);
        long started = System.nanoTime();
        assertThrows(ConsentUnavailableException.class, () -> cache.get("p-bh-never-seen"));
        long waited = System.nanoTime() - started;
        assertTrue(
                waited >= CONNECTION_TIMEOUT.toNanos() / 2, "waited " + waited / 1_000_000 + " ms");
        assertEquals(1, connectionsAsked.get());
        assertThrows(
                ConsentUnavailableException.class,
                () -> cache.get("p-bh-never-seen"),
                "in the back-off: at once, without asking again");
        assertEquals(1, connectionsAsked.get());
    }

    @Test
    void anExpiredDecisionIsNotUsedPastTheGrace() throws Exception {
        assertEquals(VITALS, cache.get("p-bh-grace").collectable(NOW));
        pool.close(); // every load fails at once from here on
        clock.addAndGet(TTL.toNanos() + 1);
        assertEquals(VITALS, cache.get("p-bh-grace").collectable(NOW));
        clock.addAndGet(ConsentDecisions.STALE_GRACE.toNanos());
        assertThrows(ConsentUnavailableException.class, () -> cache.get("p-bh-grace"));
    }

    /** Runs {@link #CHECKS} checks of {@code patientId} at once; their durations in ms. */
    private List<Long> concurrentChecks(String patientId, int expected) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(CHECKS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> done = new ArrayList<>();
            for (int i = 0; i < CHECKS; i++) {
                done.add(
                        threads.submit(
                                () -> {
                                    go.await();
                                    return checkMillis(patientId, expected);
                                }));
            }
            go.countDown();
            List<Long> millis = new ArrayList<>();
            for (Future<Long> f : done) {
                millis.add(f.get());
            }
            return millis;
        } finally {
            threads.shutdownNow();
        }
    }

    private static void assertAllQuick(List<Long> millis) {
        for (long m : millis) {
            assertTrue(m < QUICK.toMillis(), "checks took " + millis + " ms");
        }
    }

    private long checkMillis(String patientId, int expected) {
        long started = System.nanoTime();
        assertEquals(expected, cache.get(patientId).collectable(NOW));
        return (System.nanoTime() - started) / 1_000_000;
    }

    private static StoredConsent consent(String patient, long version, String status) {
        String id = "c-" + patient;
        return new StoredConsent(
                id,
                patient,
                status,
                version,
                Instant.now(),
                "{\"resourceType\":\"Consent\",\"id\":\"" + id + "\"}");
    }

    private static ConsentGrant collect(int categories) {
        return new ConsentGrant(Action.COLLECT, categories, null, Long.MIN_VALUE, Long.MAX_VALUE);
    }
}

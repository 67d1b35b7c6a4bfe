package org.jkn.telemetry.store.consent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.store.consent.ConsentGrant.Action;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consents and their grants in a real PostgreSQL, and the decision cache in front of them. */
class ConsentStoreTest {

    private static final long NOW =
            Instant.parse("2026-11-22T12:00:00Z").getEpochSecond() * 1_000_000L;
    private static final long HOUR = 3_600_000_000L;
    private static final int VITALS = DataCategory.VITALS.bit();
    private static final int CYCLE = DataCategory.CYCLE.bit();

    @TempDir static Path dir;
    private static Database db;
    private static ConsentStore store;

    @BeforeAll
    static void open() throws Exception {
        db = Database.open(TestDatabases.embedded(dir.resolve("pg")));
        store = new ConsentStore(db.dataSource());
    }

    @AfterAll
    static void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    private static StoredConsent consent(String id, String patient, long version, String status) {
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

    @Test
    void aPatientWithoutConsentMayNothing() throws Exception {
        ConsentDecision d = store.decision("p-none");
        assertSame(ConsentDecision.NONE, d);
        assertEquals(0, d.collectable(NOW));
        assertEquals(0, d.disclosable(NOW, "Practitioner/a", "Organization/b"));
    }

    @Test
    void grantsOfEveryConsentOfThePatientAddUpAndReplaceAndDeleteTakeThemAway() throws Exception {
        store.insert(
                consent("c-1", "p-1", 1, "active"),
                List.of(
                        collect(VITALS),
                        new ConsentGrant(
                                Action.DISCLOSE,
                                VITALS,
                                "Organization/rs-1",
                                Long.MIN_VALUE,
                                Long.MAX_VALUE)));
        store.insert(consent("c-2", "p-1", 1, "active"), List.of(collect(CYCLE)));
        store.insert(consent("c-3", "p-other", 1, "active"), List.of(collect(DataCategory.ALL)));
        ConsentDecision d = store.decision("p-1");
        assertEquals(VITALS | CYCLE, d.collectable(NOW));
        assertEquals(VITALS, d.disclosable(NOW, "Practitioner/x", "Organization/rs-1"));
        assertEquals(VITALS, d.disclosable(NOW, "Practitioner/x", "Organization/rs-1"));
        assertEquals(0, d.disclosable(NOW, "Practitioner/x", "Organization/rs-2"));
        assertEquals(0, d.disclosable(NOW, "Organization/rs-1x", null));

        assertFalse(
                store.replace(consent("c-2", "p-1", 3, "inactive"), List.of()),
                "version 2 is not the current one");
        assertFalse(
                store.replace(consent("c-2", "p-other", 2, "inactive"), List.of()),
                "a consent never moves to another patient");
        assertTrue(store.replace(consent("c-2", "p-1", 2, "inactive"), List.of()));
        assertEquals(VITALS, store.decision("p-1").collectable(NOW));
        assertEquals("inactive", store.find("c-2").orElseThrow().status());
        assertEquals(2, store.find("c-2").orElseThrow().version());

        assertFalse(store.delete("c-1", 2));
        assertTrue(store.delete("c-1", 1));
        assertSame(ConsentDecision.NONE, store.decision("p-1"));
        assertEquals(
                List.of("c-2"),
                store.byPatient("p-1", 10).stream().map(StoredConsent::id).toList());
    }

    @Test
    void periodsBoundWhenAGrantIsInForce() throws Exception {
        store.insert(
                consent("c-period", "p-period", 1, "active"),
                List.of(
                        new ConsentGrant(Action.COLLECT, VITALS, null, NOW - HOUR, NOW + HOUR),
                        new ConsentGrant(
                                Action.DISCLOSE,
                                VITALS,
                                "Practitioner/p1",
                                NOW + HOUR,
                                Long.MAX_VALUE)));
        ConsentDecision d = store.decision("p-period");
        assertEquals(VITALS, d.collectable(NOW));
        assertEquals(0, d.collectable(NOW + HOUR), "the end is exclusive");
        assertEquals(0, d.collectable(NOW - HOUR - 1));
        assertEquals(0, d.disclosable(NOW, "Practitioner/p1", null));
        assertEquals(VITALS, d.disclosable(NOW + HOUR, "Practitioner/p1", null));
    }

    @Test
    void cacheServesHitsAndForgetsOnInvalidationAndExpiry() throws Exception {
        AtomicLong clock = new AtomicLong();
        ConsentDecisions cache =
                new ConsentDecisions(store, Duration.ofSeconds(5), 100, clock::get);
        assertEquals(0, cache.get("p-cache").collectable(NOW));
        store.insert(consent("c-cache", "p-cache", 1, "active"), List.of(collect(VITALS)));
        assertEquals(0, cache.get("p-cache").collectable(NOW), "a hit within the TTL");
        cache.invalidate("p-cache");
        assertEquals(VITALS, cache.get("p-cache").collectable(NOW), "invalidated at once");

        store.replace(
                consent("c-cache", "p-cache", 2, "inactive"), List.of()); // as another node would
        assertEquals(VITALS, cache.get("p-cache").collectable(NOW));
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        assertEquals(0, cache.get("p-cache").collectable(NOW), "expired after the TTL");
    }

    @Test
    void cacheStaysWithinItsBound() {
        ConsentDecisions cache =
                new ConsentDecisions(store, Duration.ofMinutes(5), 16, System::nanoTime);
        for (int i = 0; i < 100; i++) {
            cache.get("p-bound-" + i);
            assertTrue(cache.size() <= 16, "size " + cache.size());
        }
    }

    @Test
    void unreachableDatabaseWithNothingKnownIsConsentUnavailableAndAKnownDecisionIsKept()
            throws Exception {
        Database other = Database.open(TestDatabases.embedded(dir.resolve("pg-down")));
        ConsentStore downStore = new ConsentStore(other.dataSource());
        downStore.insert(consent("c-down", "p-down", 1, "active"), List.of(collect(VITALS)));
        AtomicLong clock = new AtomicLong();
        ConsentDecisions cache =
                new ConsentDecisions(downStore, Duration.ofSeconds(1), 100, clock::get);
        cache.refresh(
                "p-down"); // as the Consent API does after a change: loaded before any batch comes
        other.close();
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(
                VITALS,
                cache.get("p-down").collectable(NOW),
                "no consent can change while the database is down");
        assertThrows(ConsentUnavailableException.class, () -> cache.get("p-unknown"));
        assertThrows(
                ConsentUnavailableException.class,
                () -> cache.get("p-unknown"),
                "and without asking the database again");
        clock.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(VITALS, cache.get("p-down").collectable(NOW), "still, after the retry pause");
    }
}

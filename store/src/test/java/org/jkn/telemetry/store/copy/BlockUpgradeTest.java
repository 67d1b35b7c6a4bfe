package org.jkn.telemetry.store.copy;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.journal.JournalBatch;
import org.jkn.telemetry.store.query.ObservationIds;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readings stored one row each by earlier versions move into blocks, and read the same before,
 * during and after.
 */
class BlockUpgradeTest {

    @TempDir Path dir;

    @Test
    void sealedRowsOfThePreviousVersionMoveIntoBlocksKeepingTheirIds() throws Exception {
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            List<JournalBatch> batches = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                batches.add(
                        batch(
                                "p-upgrade",
                                "dev-1",
                                List.of(
                                        heartRate(
                                                "hr-" + i,
                                                "2026-11-22T08:0" + i + ":00+07:00",
                                                60 + i))));
            }
            assertEquals(5, TestCrypto.writeLegacy(db.dataSource(), batches, "upgrade-test", 1));
            ReadingQueries queries =
                    new ReadingQueries(
                            db.dataSource(), TestCrypto.of(db.dataSource()), Duration.ofDays(1));
            ObservationSearch all =
                    new ObservationSearch("p-upgrade", List.of(), List.of(), true, 100, 0);
            List<StoredReading> before = queries.search(all);
            assertEquals(5, before.size());

            BlockUpgrade upgrade =
                    new BlockUpgrade(db.dataSource(), TestCrypto.of(db.dataSource()));
            assertEquals(2, upgrade.step(2));
            assertEquals(3, Sql.count(db.dataSource(), "select count(*) from readings"));
            assertEquals(
                    before,
                    queries.search(all),
                    "readable throughout: two rows moved, three not yet");
            for (int offset = 0; offset < 5; offset++) {
                assertEquals(
                        before.subList(offset, Math.min(5, offset + 2)),
                        queries.search(
                                new ObservationSearch(
                                        "p-upgrade", List.of(), List.of(), true, 1, offset)),
                        "pages merge both places");
            }

            assertEquals(3, upgrade.run(2));
            assertEquals(0, Sql.count(db.dataSource(), "select count(*) from readings"));
            assertEquals(
                    5, Sql.count(db.dataSource(), "select sum(n_readings) from reading_blocks"));
            assertEquals(before, queries.search(all), "the same readings with the same ids");
            for (StoredReading r : before) {
                assertTrue(ObservationIds.parse(r.observationId()).legacy());
                assertEquals(
                        r,
                        queries.read(r.observationId()).orElseThrow(),
                        "an id issued before the upgrade resolves");
            }
            assertEquals(0, upgrade.run(10), "a second run has nothing to do");

            // a re-sent reading is recognised against the moved one and stored once
            assertEquals(
                    0, TestCrypto.write(db.dataSource(), batches.subList(0, 1), "upgrade-test", 2));
            assertEquals(before, queries.search(all));
        }
    }

    @Test
    void plaintextRowsOfEarlierVersionsMoveIntoBlocksAndReadTheSame() throws Exception {
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            // what versions before encryption at rest wrote (V1-V3 layout)
            Sql.execute(
                    db.dataSource(),
                    """
                    insert into patients (id) values ('p-legacy');
                    insert into devices (patient_id, id, manufacturer, model) values ('p-legacy', 'SN-LEGACY-77', 'Oldco', 'M1');
                    insert into readings (patient_id, device_id, reading_id, type, code, effective_start, effective_end,
                        tz_offset, value, value2, obs_key, received_at, attrs, detail)
                    values ('p-legacy', 'SN-LEGACY-77', 'old-bp', %d, '%s', '2026-11-22T01:00:00Z', '2026-11-22T01:00:00Z',
                        25200, 131.4142, 83.2718, 'aaaaaaaaaaaaaaaaaaaaaaaa', '2026-11-22T02:00:00Z', 0, null),
                           ('p-legacy', 'SN-LEGACY-77', 'old-hr', %d, '%s', '2026-11-22T01:05:00Z', '2026-11-22T01:05:00Z',
                        25200, 71.828, null, 'bbbbbbbbbbbbbbbbbbbbbbbb', '2026-11-22T02:00:00Z', 0, null);
                    """
                            .formatted(
                                    ReadingType.BLOOD_PRESSURE.id(),
                                    ReadingType.BLOOD_PRESSURE.storedCode(0),
                                    ReadingType.HEART_RATE.id(),
                                    ReadingType.HEART_RATE.storedCode(0)));
            ReadingCrypto crypto = TestCrypto.of(db.dataSource());
            ReadingQueries queries =
                    new ReadingQueries(db.dataSource(), crypto, Duration.ofDays(1));
            ObservationSearch all =
                    new ObservationSearch("p-legacy", List.of(), List.of(), true, 10, 0);
            List<StoredReading> before = queries.search(all);
            assertEquals(2, before.size(), "plaintext rows are readable before they are moved");

            assertEquals(2, new BlockUpgrade(db.dataSource(), crypto).run(1));

            assertEquals(0, Sql.count(db.dataSource(), "select count(*) from readings"));
            assertEquals(0, Sql.count(db.dataSource(), "select count(*) from devices"));
            List<StoredReading> after = queries.search(all);
            assertEquals(2, after.size());
            for (int i = 0; i < 2; i++) {
                StoredReading b = before.get(i);
                StoredReading a = after.get(i);
                assertEquals(b.value(), a.value(), 0.0);
                assertEquals(b.diastolic(), a.diastolic(), 0.0);
                assertEquals("SN-LEGACY-77", a.deviceId());
                assertEquals("Oldco", a.manufacturer());
                assertEquals("M1", a.model());
                assertEquals(b.startMicros(), a.startMicros());
                assertEquals(b.offsetSeconds(), a.offsetSeconds());
                assertEquals(a, queries.read(a.observationId()).orElseThrow());
            }
            String id = ObservationIds.parse(after.get(0).observationId()).key();
            assertEquals(
                    TestCrypto.rowKey("p-legacy", "SN-LEGACY-77", "old-bp"),
                    id,
                    "the keyed row key replaces the old id");
            assertTrue(
                    new BlockUpgrade(db.dataSource(), crypto).run(10) == 0,
                    "a second run has nothing to do");
        }
    }
}

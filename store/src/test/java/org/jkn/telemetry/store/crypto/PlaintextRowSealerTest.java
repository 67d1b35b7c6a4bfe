package org.jkn.telemetry.store.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.fixtures.TestCrypto;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.store.query.ObservationIds;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rows stored in plain text by earlier versions are sealed in place, and then read as before. */
class PlaintextRowSealerTest {

    @TempDir
    Path dir;

    @Test
    void plaintextRowsOfEarlierVersionsAreSealedAndReadTheSame() throws Exception {
        try (Database db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"))) {
            // what versions before encryption at rest wrote (V1-V3 layout)
            TestDatabases.execute(db.dataSource(), """
                    insert into patients (id) values ('p-legacy');
                    insert into devices (patient_id, id, manufacturer, model) values ('p-legacy', 'SN-LEGACY-77', 'Oldco', 'M1');
                    insert into readings (patient_id, device_id, reading_id, type, code, effective_start, effective_end,
                        tz_offset, value, value2, obs_key, received_at, attrs, detail)
                    values ('p-legacy', 'SN-LEGACY-77', 'old-bp', %d, '%s', '2026-11-22T01:00:00Z', '2026-11-22T01:00:00Z',
                        25200, 131.4142, 83.2718, 'aaaaaaaaaaaaaaaaaaaaaaaa', '2026-11-22T02:00:00Z', 0, null),
                           ('p-legacy', 'SN-LEGACY-77', 'old-hr', %d, '%s', '2026-11-22T01:05:00Z', '2026-11-22T01:05:00Z',
                        25200, 71.828, null, 'bbbbbbbbbbbbbbbbbbbbbbbb', '2026-11-22T02:00:00Z', 0, null);
                    """.formatted(ReadingType.BLOOD_PRESSURE.id(), ReadingType.BLOOD_PRESSURE.storedCode(0),
                    ReadingType.HEART_RATE.id(), ReadingType.HEART_RATE.storedCode(0)));
            ReadingCrypto crypto = TestCrypto.of(db.dataSource());
            ReadingQueries queries = new ReadingQueries(db.dataSource(), crypto, Duration.ofDays(1));
            ObservationSearch all = new ObservationSearch("p-legacy", List.of(), List.of(), true, 10, 0);
            List<StoredReading> before = queries.search(all);
            assertEquals(2, before.size(), "plaintext rows are readable before they are sealed");

            assertEquals(2, new PlaintextRowSealer(db.dataSource(), crypto).run(1));

            assertEquals(0, TestDatabases.count(db.dataSource(), "select count(*) from readings where key_version is null "
                    + "or value is not null or value2 is not null or device_id <> '' or reading_id like 'old-%'"));
            assertEquals(0, TestDatabases.count(db.dataSource(), "select count(*) from devices"));
            List<StoredReading> after = queries.search(all);
            assertEquals(2, after.size());
            for (int i = 0; i < 2; i++) {
                StoredReading b = before.get(i);
                StoredReading a = after.get(i);
                assertEquals(b.value(), a.value(), 0.0);
                assertEquals(b.value2(), a.value2(), 0.0);
                assertEquals("SN-LEGACY-77", a.deviceId());
                assertEquals("Oldco", a.manufacturer());
                assertEquals("M1", a.model());
                assertEquals(b.startMicros(), a.startMicros());
                assertEquals(b.offsetSeconds(), a.offsetSeconds());
            }
            String id = ObservationIds.parse(after.get(0).observationId()).key();
            assertEquals(TestCrypto.rowKey("p-legacy", "SN-LEGACY-77", "old-bp"), id, "the keyed row key replaces the old id");
            assertTrue(new PlaintextRowSealer(db.dataSource(), crypto).run(10) == 0, "a second run has nothing to do");
        }
    }
}

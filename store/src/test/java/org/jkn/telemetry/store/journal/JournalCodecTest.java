package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.bloodPressure;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;
import static org.jkn.telemetry.store.fixtures.Readings.micros;
import static org.jkn.telemetry.store.fixtures.Readings.oxygen;
import static org.jkn.telemetry.store.fixtures.Readings.steps;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.junit.jupiter.api.Test;

class JournalCodecTest {

    private static final JournalBatch ALL_TYPES =
            new JournalBatch(
                    "pseudonym-\u00e9\u4e2d",
                    new DeviceInfo("dev-1", "Acme", "Band 2"),
                    micros("2026-11-22T12:00:00.123456Z"),
                    List.of(
                            heartRate("hr-1", "2026-11-22T07:30:00.000001+07:00", 72),
                            steps(
                                    "st-1",
                                    "2026-11-22T08:00:00+07:00",
                                    "2026-11-22T09:00:00+07:00",
                                    4321),
                            bloodPressure("bp-1", "2026-11-22T10:00:00-03:30", 120.5, 80.25),
                            oxygen("ox-1", "1969-12-31T23:59:59.999999Z", 97.123456789012)));

    @Test
    void batchWithEveryReadingTypeSurvivesEncodeAndDecode() {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap();
        JournalCodec.write(bytes, ALL_TYPES);

        JournalBatch decoded = JournalCodec.read(bytes);

        // record equality compares doubles bit for bit (Double.compare), so NaN diastolic must stay
        // NaN
        assertEquals(ALL_TYPES, decoded);
        assertTrue(Double.isNaN(decoded.readings().get(0).diastolic()));
        assertEquals(0, bytes.readRemaining(), "the whole record was consumed");
    }

    @Test
    void missingManufacturerAndModelStayNull() {
        JournalBatch batch =
                new JournalBatch("p", new DeviceInfo("dev-2", null, null), 1L, List.of());
        Bytes<?> bytes = Bytes.allocateElasticOnHeap();
        JournalCodec.write(bytes, batch);

        assertEquals(batch, JournalCodec.read(bytes));
    }

    @Test
    void readingCountIsReadWithoutDecodingTheReadings() {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap();
        JournalCodec.write(bytes, ALL_TYPES);

        assertEquals(4, JournalCodec.countReadings(bytes));
    }

    @Test
    void unknownRecordVersionIsACorruptRecord() {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap();
        JournalCodec.write(bytes, ALL_TYPES);
        bytes.writeUnsignedByte(0, JournalCodec.VERSION + 1);

        CorruptRecordException e =
                assertThrows(CorruptRecordException.class, () -> JournalCodec.read(bytes));
        assertTrue(e.getMessage().contains("version"), e.getMessage());
    }

    @Test
    void unknownReadingTypeIdIsACorruptRecord() {
        JournalBatch one =
                new JournalBatch(
                        "p",
                        new DeviceInfo("d", null, null),
                        1L,
                        List.of(heartRate("hr", "2026-11-22T07:30:00+07:00", 72)));
        Bytes<?> bytes = Bytes.allocateElasticOnHeap();
        JournalCodec.write(bytes, one);
        long typeOffset =
                bytes.writePosition()
                        - (1 + 3 + 8 + 8 + 4 + 8 + 8 + 4
                                + 1); // u8 type, utf8 "hr" (length + 2), i64, i64, i32, f64, f64,
        // i32 attrs, stop-bit 0 stages
        assertEquals(1, bytes.readUnsignedByte(typeOffset), "layout as documented in JournalCodec");
        bytes.writeUnsignedByte(typeOffset, 60); // no reading type has id 60

        assertThrows(CorruptRecordException.class, () -> JournalCodec.read(bytes));
    }

    @Test
    void readingCountLargerThanTheRecordIsACorruptRecord() {
        Bytes<?> bytes = Bytes.allocateElasticOnHeap();
        bytes.writeUnsignedByte(JournalCodec.VERSION);
        bytes.writeUtf8("p");
        bytes.writeUtf8("d");
        bytes.writeUtf8(null);
        bytes.writeUtf8(null);
        bytes.writeLong(1L);
        bytes.writeStopBit(1_000_000);

        assertThrows(CorruptRecordException.class, () -> JournalCodec.read(bytes));
    }
}

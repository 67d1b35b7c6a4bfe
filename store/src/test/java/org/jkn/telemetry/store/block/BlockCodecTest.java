package org.jkn.telemetry.store.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedReading;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;
import org.junit.jupiter.api.Test;

/**
 * Encode then decode then compare, on regular series, random readings (seeded) and hostile bytes.
 */
class BlockCodecTest {

    private static final long HOUR = BlockWindow.HOUR.micros();
    private static final long WINDOW =
            1_763_769_600_000_000L; // 2025-11-22T00:00Z, a multiple of a day
    private static final DeviceInfo WATCH = new DeviceInfo("watch-7f3a", "Acme", "Band 5");

    @Test
    void aOneHertzHeartRateHourCostsAboutOneByteASample() {
        BlockReadings in = new BlockReadings();
        Random random = new Random(7);
        double bpm = 70;
        for (int s = 0; s < 3600; s++) {
            bpm = Math.max(40, Math.min(180, bpm + random.nextInt(5) - 2));
            in.add(
                    new NormalizedReading(
                            ReadingType.HEART_RATE,
                            "series-1#" + s,
                            WINDOW + s * 1_000_000L,
                            WINDOW + s * 1_000_000L,
                            25200,
                            bpm,
                            Double.NaN),
                    WATCH,
                    WINDOW + HOUR);
        }
        BlockCodec codec = new BlockCodec();
        int length = codec.encode(in, WINDOW);
        assertTrue(length < 3600 * 1.5, "3,600 samples took " + length + " bytes");
        assertSame(in, roundTrip(codec, length));
    }

    @Test
    void randomReadingsOfEveryShapeComeBackBitForBit() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        BlockCodec codec = new BlockCodec();
        for (int round = 0; round < 200; round++) {
            BlockReadings in = new BlockReadings();
            int n = random.nextInt(300);
            for (int i = 0; i < n; i++) {
                in.add(
                        randomReading(random),
                        randomDevice(random),
                        WINDOW + random.nextInt(1_000_000_000));
            }
            in.sortAndDeduplicate();
            int length = codec.encode(in, WINDOW);
            BlockReadings out = roundTrip(codec, length);
            try {
                assertSame(in, out);
            } catch (AssertionError e) {
                throw new AssertionError(
                        "seed " + seed + " round " + round + ": " + e.getMessage(), e);
            }
        }
    }

    @Test
    void aReadingSentTwiceIsKeptOnceAndTheFirstCopyWins() {
        BlockReadings b = new BlockReadings();
        NormalizedReading first =
                new NormalizedReading(
                        ReadingType.WEIGHT, "w-1", WINDOW + 5, WINDOW + 5, 0, 70.1, Double.NaN);
        NormalizedReading again =
                new NormalizedReading(
                        ReadingType.WEIGHT, "w-1", WINDOW + 5, WINDOW + 5, 0, 99.9, Double.NaN);
        NormalizedReading earlier =
                new NormalizedReading(
                        ReadingType.WEIGHT, "w-0", WINDOW + 1, WINDOW + 1, 0, 70.0, Double.NaN);
        NormalizedReading otherDevice =
                new NormalizedReading(
                        ReadingType.WEIGHT, "w-1", WINDOW + 5, WINDOW + 5, 0, 71.0, Double.NaN);
        b.add(first, WATCH, 1);
        b.add(again, WATCH, 2);
        b.add(earlier, WATCH, 3);
        b.add(otherDevice, new DeviceInfo("scale-1", null, null), 4);
        assertEquals(1, b.sortAndDeduplicate());
        assertEquals(3, b.size());
        assertEquals("w-0", b.readingId(0));
        assertEquals("scale-1", b.device(1).id());
        assertEquals(70.1, b.value(2), 0.0);
        assertEquals(1, b.receivedMicros(2));
    }

    @Test
    void idsThatANumberCannotGiveBackStayText() {
        BlockReadings in = new BlockReadings();
        List<String> ids =
                List.of("007", "r-0", "r-00", "x99999999999999999999", "12", "", "a#1", "Ω-3");
        for (int i = 0; i < ids.size(); i++) {
            in.add(
                    new NormalizedReading(
                            ReadingType.STEPS,
                            ids.get(i),
                            WINDOW + i,
                            WINDOW + i + 60,
                            0,
                            i,
                            Double.NaN),
                    WATCH,
                    0);
        }
        BlockCodec codec = new BlockCodec();
        BlockReadings out = roundTrip(codec, codec.encode(in, WINDOW));
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(ids.get(i), out.readingId(i));
        }
    }

    @Test
    void hostileBytesAreRefusedWithoutRunningAway() {
        BlockCodec codec = new BlockCodec();
        BlockReadings out = new BlockReadings();
        byte[][] hostile = {
            {},
            {1},
            {2, 0},
            {1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f},
            {1, 5, 0, 0, 3},
            {1, 1, 0, 0, (byte) 0x81, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
        };
        for (byte[] h : hostile) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> codec.decode(h, 0, h.length, WINDOW, out),
                    Arrays.toString(h));
        }
        Random random = new Random(11);
        BlockReadings in = new BlockReadings();
        for (int i = 0; i < 50; i++) {
            in.add(randomReading(random), WATCH, WINDOW);
        }
        int length = codec.encode(in, WINDOW);
        byte[] good = Arrays.copyOf(codec.buffer(), length);
        for (int cut = 0; cut < length; cut++) {
            int c = cut;
            assertThrows(
                    IllegalArgumentException.class,
                    () -> codec.decode(good, 0, c, WINDOW, out),
                    "truncated at " + c);
        }
    }

    private static BlockReadings roundTrip(BlockCodec codec, int length) {
        byte[] bytes = Arrays.copyOf(codec.buffer(), length);
        BlockReadings out = new BlockReadings();
        codec.decode(bytes, 0, bytes.length, WINDOW, out);
        return out;
    }

    private static void assertSame(BlockReadings a, BlockReadings b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.startMicros(i), b.startMicros(i), "start " + i);
            assertEquals(a.endMicros(i), b.endMicros(i), "end " + i);
            assertEquals(a.receivedMicros(i), b.receivedMicros(i), "received " + i);
            assertEquals(a.offsetSeconds(i), b.offsetSeconds(i));
            assertEquals(a.attrs(i), b.attrs(i));
            assertEquals(a.flags(i), b.flags(i));
            assertEquals(
                    Double.doubleToRawLongBits(a.value(i)),
                    Double.doubleToRawLongBits(b.value(i)),
                    "value " + i + " " + a.value(i));
            assertEquals(
                    Double.doubleToRawLongBits(a.diastolic(i)),
                    Double.doubleToRawLongBits(b.diastolic(i)),
                    "diastolic " + i);
            assertEquals(a.stages(i), b.stages(i));
            assertEquals(a.device(i), b.device(i));
            assertEquals(a.readingId(i), b.readingId(i));
        }
    }

    private static NormalizedReading randomReading(Random r) {
        ReadingType type = ReadingType.values()[r.nextInt(ReadingType.values().length)];
        long start = WINDOW + (long) r.nextInt(86_400) * 1_000_000L + r.nextInt(1_000_000);
        long end = type.shape().isPeriod() ? start + r.nextInt(7_200) * 1_000_000L : start;
        double value =
                switch (r.nextInt(6)) {
                    case 0 -> Double.NaN;
                    case 1 -> r.nextInt(300);
                    case 2 -> Math.round(r.nextDouble() * 10_000) / 100.0;
                    case 3 -> r.nextDouble() * 1000; // not fixed-point: converted units
                    case 4 -> -0.0;
                    default -> r.nextInt(200) * 0.1;
                };
        double diastolic = r.nextBoolean() ? Double.NaN : r.nextInt(180);
        List<SleepStage> stages = List.of();
        if (r.nextInt(10) == 0) {
            List<SleepStage> list = new ArrayList<>();
            long t = start;
            for (int s = 0; s < r.nextInt(5); s++) {
                long next = t + r.nextInt(3_600) * 1_000_000L;
                list.add(
                        new SleepStage(
                                SleepStageKind.values()[r.nextInt(SleepStageKind.values().length)],
                                t,
                                next));
                t = next;
            }
            stages = List.copyOf(list);
        }
        String id =
                switch (r.nextInt(4)) {
                    case 0 -> "r" + r.nextInt(1_000_000);
                    case 1 -> "series-" + r.nextInt(3) + "#" + r.nextInt(3600);
                    case 2 -> java.util.UUID.randomUUID().toString();
                    default -> Integer.toString(r.nextInt(100));
                };
        return new NormalizedReading(
                type,
                id,
                start,
                end,
                r.nextInt(50_400) - 25_200,
                value,
                diastolic,
                r.nextInt(1 << 16),
                stages);
    }

    private static DeviceInfo randomDevice(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> WATCH;
            case 1 -> new DeviceInfo("phone-" + r.nextInt(3), null, "Model " + r.nextInt(2));
            default -> new DeviceInfo("scale", "Ścale Co", null);
        };
    }
}

package org.jkn.telemetry.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One simulated wearer's heart rate at 1 Hz, cut into batches as a phone app would upload it: each
 * batch continues where the previous one ended (readings 1 s apart, starting some days ago, so the
 * times look like a backlog being synced and stay clear of the future-skew check), and reading ids
 * are {@code <run tag>-<sequence>}, so no reading of a run repeats one of this or another run.
 *
 * <p>Thread-safe: batches of one patient may be built on different threads; {@link #reserve} hands
 * out disjoint stretches of time and ids.
 */
final class HeartRateFeed {

    /** Readings are sent in the wearer's offset, as the phone would (Western Indonesia Time). */
    private static final int OFFSET_SECONDS = 7 * 3600;

    private static final String OFFSET = "+07:00";

    private final String nik;
    private final String deviceId;
    private final String runTag;
    private long nextSecond;
    private long nextSequence;
    private int lastRate = 72;

    HeartRateFeed(String nik, String deviceId, String runTag, long firstEpochSecond) {
        this.nik = nik;
        this.deviceId = deviceId;
        this.runTag = runTag;
        this.nextSecond = firstEpochSecond;
    }

    String nik() {
        return nik;
    }

    /** The epoch second of the next reading: how far this wearer's simulated time has come. */
    synchronized long nextSecond() {
        return nextSecond;
    }

    /**
     * Takes {@code count} seconds and ids; returns {epoch second of the first, its sequence
     * number}.
     */
    private synchronized long[] reserve(int count) {
        long[] r = {nextSecond, nextSequence};
        nextSecond += count;
        nextSequence += count;
        return r;
    }

    /**
     * {@code count} heart-rate readings, one JSON object each. {@code withEnvelope}: the {@code
     * POST /v1/readings} body with patient and device; without, the MQTT payload, whose patient and
     * device come from the device's registration.
     */
    byte[] items(int count, boolean withEnvelope) {
        long[] at = reserve(count);
        StringBuilder b = start(count * 100, withEnvelope);
        Clock clock = new Clock(at[0]);
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "{\"id\":\"" : ",{\"id\":\"")
                    .append(runTag)
                    .append('-')
                    .append(at[1] + i)
                    .append("\",\"type\":\"heart_rate\",\"time\":\"");
            clock.append(b)
                    .append("\",\"value\":")
                    .append(nextRate())
                    .append(",\"unit\":\"/min\"}");
            clock.tick();
        }
        return end(b);
    }

    /**
     * One dense series of {@code count} 1 Hz samples (docs/ingest-api.md: {@code start}, {@code
     * interval}, {@code values}), which the gateway stores as {@code count} readings {@code
     * <id>#0...}.
     */
    byte[] denseSeries(int count) {
        long[] at = reserve(count);
        StringBuilder b = start(count * 4 + 160, true);
        b.append("{\"id\":\"")
                .append(runTag)
                .append("-s")
                .append(at[1])
                .append("\",\"type\":\"heart_rate\",\"start\":\"");
        new Clock(at[0]).append(b).append("\",\"interval\":1,\"unit\":\"bpm\",\"values\":[");
        for (int i = 0; i < count; i++) {
            b.append(i == 0 ? "" : ",").append(nextRate());
        }
        b.append("]}");
        return end(b);
    }

    private StringBuilder start(int capacity, boolean withEnvelope) {
        StringBuilder b = new StringBuilder(capacity + 200);
        if (withEnvelope) {
            b.append("{\"patient\":\"")
                    .append(nik)
                    .append("\",\"device\":{\"id\":\"")
                    .append(deviceId)
                    .append("\",\"manufacturer\":\"Acme\",\"model\":\"Band 5\"},");
        } else {
            b.append('{');
        }
        return b.append("\"readings\":[");
    }

    private static byte[] end(StringBuilder b) {
        return b.append("]}").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A resting wearer's pulse: a bounded random walk, so values compress like real ones, not like
     * noise.
     */
    private int nextRate() {
        int step = ThreadLocalRandom.current().nextInt(-2, 3);
        int rate =
                Math.max(
                        50,
                        Math.min(120, lastRate + step)); // races between threads only blur the walk
        lastRate = rate;
        return rate;
    }

    /**
     * ISO 8601 local time with the fixed offset, one second after another. Formatting 1,000 times a
     * batch with DateTimeFormatter would cost the load generator CPU the gateway shares on this
     * machine.
     */
    private static final class Clock {
        private long local;
        private long day = Long.MIN_VALUE;
        private String date;

        Clock(long epochSecond) {
            local = epochSecond + OFFSET_SECONDS;
        }

        StringBuilder append(StringBuilder b) {
            long d = Math.floorDiv(local, 86_400);
            if (d != day) {
                day = d;
                date = LocalDate.ofEpochDay(d).toString();
            }
            int s = Math.floorMod(local, 86_400);
            b.append(date).append('T');
            two(b, s / 3600).append(':');
            two(b, s / 60 % 60).append(':');
            return two(b, s % 60).append(OFFSET);
        }

        void tick() {
            local++;
        }

        private static StringBuilder two(StringBuilder b, int v) {
            return b.append((char) ('0' + v / 10)).append((char) ('0' + v % 10));
        }
    }
}

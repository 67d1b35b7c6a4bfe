package org.jkn.telemetry.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Plausible readings of the kinds smart devices send (a watch's heart rate and SpO2, a cuff's blood
 * pressure, a thermometer, a scale, a glucose meter), as the JSON batch of {@code POST
 * /v1/readings} without patient or device: over MQTT both come from the registration.
 */
final class Readings {

    static final List<String> TYPES =
            List.of(
                    "heart_rate",
                    "oxygen_saturation",
                    "blood_pressure",
                    "body_temperature",
                    "respiratory_rate",
                    "weight",
                    "blood_glucose");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final ZoneOffset WIB = ZoneOffset.ofHours(7);

    private Readings() {}

    /**
     * One batch of {@code count} readings with ids unique for this device ({@code prefix} +
     * sequence).
     */
    static byte[] batch(List<String> types, String prefix, long sequence, int count) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String now = TIME.format(OffsetDateTime.now(WIB).truncatedTo(ChronoUnit.MILLIS));
        StringBuilder b = new StringBuilder(64 + count * 110).append("{\"readings\":[");
        for (int i = 0; i < count; i++) {
            String type = types.get(r.nextInt(types.size()));
            b.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"")
                    .append(prefix)
                    .append(sequence)
                    .append('-')
                    .append(i)
                    .append("\",\"type\":\"")
                    .append(type)
                    .append("\",\"time\":\"")
                    .append(now)
                    .append('"');
            switch (type) {
                case "heart_rate" -> value(b, 55 + r.nextInt(60), "/min");
                case "oxygen_saturation" -> value(b, 94 + r.nextInt(7), "%");
                case "blood_pressure" ->
                        b.append(",\"systolic\":")
                                .append(105 + r.nextInt(40))
                                .append(",\"diastolic\":")
                                .append(65 + r.nextInt(25))
                                .append(",\"unit\":\"mm[Hg]\"");
                case "body_temperature" ->
                        value(b, Math.round((36.1 + r.nextDouble() * 1.4) * 10) / 10.0, "Cel");
                case "respiratory_rate" -> value(b, 12 + r.nextInt(9), "/min");
                case "weight" -> value(b, Math.round((50 + r.nextDouble() * 40) * 10) / 10.0, "kg");
                case "blood_glucose" -> value(b, 80 + r.nextInt(80), "mg/dL");
                default ->
                        throw new IllegalArgumentException(
                                "no generator for type " + type + "; choose from " + TYPES);
            }
            b.append('}');
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void value(StringBuilder b, Number v, String unit) {
        b.append(",\"value\":").append(v).append(",\"unit\":\"").append(unit).append('"');
    }
}

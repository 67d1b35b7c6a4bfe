package org.jkn.telemetry.benchmarks.normalizer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Batch bodies for the benchmarks: realistic readings of chosen types, a few hours before {@link
 * #NOW}.
 */
public final class Batches {

    public static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    public static final long NOW_MICROS = NOW.getEpochSecond() * 1_000_000L;
    public static final byte[] KEY =
            "bench-key-0123456789abcdef0123456789".getBytes(StandardCharsets.US_ASCII);

    private static final String[] MIXED = {
        "heart_rate",
        "steps",
        "blood_pressure",
        "oxygen_saturation",
        "heart_rate",
        "distance",
        "calories_active",
        "body_temperature",
        "weight",
        "blood_glucose",
        "respiratory_rate",
        "heart_rate_variability",
        "resting_heart_rate",
        "cervical_mucus",
        "menstruation_flow",
        "sleep_session"
    };

    /**
     * The mix of the app's daily uploads: mostly vitals and activity, some body, cycle and sleep.
     */
    public static String[] mixed() {
        return MIXED.clone();
    }

    private Batches() {}

    public static byte[] batch(int readings, String... types) {
        StringBuilder sb =
                new StringBuilder(
                        "{\"patient\":\"3171011508850001\",\"device\":{\"id\":\"watch-7f3a\","
                                + "\"manufacturer\":\"Acme\",\"model\":\"Band 5\"},\"readings\":[");
        OffsetDateTime t0 = NOW.minusSeconds(6 * 3600).atOffset(ZoneOffset.ofHours(7));
        for (int i = 0; i < readings; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append(reading("r" + i, types[i % types.length], t0.plusSeconds(i)));
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One dense heart-rate series of {@code samples} values at 1 Hz. */
    public static byte[] heartRateSeries(int samples) {
        StringBuilder sb =
                new StringBuilder(
                        "{\"patient\":\"3171011508850001\",\"device\":{\"id\":\"watch-7f3a\"},\"readings\":["
                                + "{\"id\":\"hr-series\",\"type\":\"heart_rate\",\"start\":\"2026-11-22T10:00:00+07:00\",\"interval\":1,\"unit\":\"bpm\",\"values\":[");
        for (int i = 0; i < samples; i++) {
            sb.append(i == 0 ? "" : ",").append(60 + (i * 7) % 50);
        }
        return sb.append("]}]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static String reading(String id, String type, OffsetDateTime t) {
        String head = "{\"id\":\"" + id + "\",\"type\":\"" + type + "\",";
        String time = "\"time\":\"" + t + "\"";
        String period = "\"start\":\"" + t + "\",\"end\":\"" + t.plusMinutes(15) + "\"";
        return head
                + switch (type) {
                    case "heart_rate" -> time + ",\"value\":72,\"unit\":\"bpm\"}";
                    case "resting_heart_rate" -> time + ",\"value\":58,\"unit\":\"/min\"}";
                    case "steps" -> period + ",\"value\":1200}";
                    case "distance" -> period + ",\"value\":1.2,\"unit\":\"km\"}";
                    case "calories_active" -> period + ",\"value\":85.5,\"unit\":\"kcal\"}";
                    case "blood_pressure" ->
                            time
                                    + ",\"systolic\":121,\"diastolic\":79,\"unit\":\"mmHg\",\"body_position\":\"sitting_down\"}";
                    case "oxygen_saturation" -> time + ",\"value\":97,\"unit\":\"%\"}";
                    case "body_temperature" ->
                            time + ",\"value\":98.6,\"unit\":\"[degF]\",\"location\":\"forehead\"}";
                    case "weight" -> time + ",\"value\":154.3,\"unit\":\"lb\"}";
                    case "blood_glucose" ->
                            time
                                    + ",\"value\":98,\"unit\":\"mg/dL\",\"specimen\":\"capillary_blood\",\"relation_to_meal\":\"fasting\"}";
                    case "respiratory_rate" -> time + ",\"value\":14,\"unit\":\"/min\"}";
                    case "heart_rate_variability" -> time + ",\"value\":42,\"unit\":\"ms\"}";
                    case "cervical_mucus" ->
                            time + ",\"appearance\":\"egg_white\",\"sensation\":\"medium\"}";
                    case "menstruation_flow" -> time + ",\"flow\":\"light\"}";
                    case "sleep_session" ->
                            "\"start\":\""
                                    + t.minusHours(8)
                                    + "\",\"end\":\""
                                    + t.minusHours(1)
                                    + "\",\"stages\":["
                                    + "{\"stage\":\"light\",\"start\":\""
                                    + t.minusHours(8)
                                    + "\",\"end\":\""
                                    + t.minusHours(6)
                                    + "\"},"
                                    + "{\"stage\":\"deep\",\"start\":\""
                                    + t.minusHours(6)
                                    + "\",\"end\":\""
                                    + t.minusHours(4)
                                    + "\"},"
                                    + "{\"stage\":\"rem\",\"start\":\""
                                    + t.minusHours(4)
                                    + "\",\"end\":\""
                                    + t.minusHours(1)
                                    + "\"}]}";
                    default -> throw new IllegalArgumentException(type);
                };
    }
}

package org.jkn.telemetry.gateway.fhir;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.normalizer.catalog.Attribute;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Shape;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;
import org.jkn.telemetry.normalizer.catalog.Unit;

/**
 * Generates readings covering every type, every accepted input unit, both edges of every range and
 * every attribute choice, as wire JSON, with what the FHIR API must show for each.
 */
final class Corpus {

    /** One generated reading and what its Observation must carry. */
    record Item(
            String id,
            ReadingType type,
            String json,
            String code,
            String ucum,
            double value,
            OffsetDateTime start,
            OffsetDateTime end) {}

    private static final ZoneOffset[] OFFSETS = {
        ZoneOffset.ofHours(7),
        ZoneOffset.ofHours(8),
        ZoneOffset.ofHours(9),
        ZoneOffset.UTC,
        ZoneOffset.ofHoursMinutes(-3, -30)
    };

    private final Instant base;
    private final List<Item> items = new ArrayList<>();
    private int n;

    Corpus(Instant now) {
        this.base = now.minusSeconds(3 * 86_400).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    List<Item> generate() {
        for (ReadingType t : ReadingType.values()) {
            switch (t.shape()) {
                case INSTANT_QUANTITY, PERIOD_QUANTITY -> quantities(t);
                case BLOOD_PRESSURE -> bloodPressure(t);
                case INSTANT_CODED, PERIOD_CODED -> coded(t);
                case SLEEP_SESSION -> sleep(t);
            }
        }
        return items;
    }

    private OffsetDateTime nextTime() {
        n++;
        return base.plusSeconds(n * 7L).atOffset(OFFSETS[n % OFFSETS.length]);
    }

    private void quantities(ReadingType t) {
        if (t == ReadingType.BLOOD_GLUCOSE) {
            glucose(t);
            return;
        }
        double mid = t.isInteger() ? Math.rint(midpoint(t)) : midpoint(t);
        for (Unit u : t.units()) {
            double input = (mid - u.offset()) / u.factor();
            add(
                    t,
                    "\"value\":" + input + ",\"unit\":\"" + u.spelling() + "\"",
                    t.storedCode(0),
                    t.ucum(),
                    mid);
        }
        add(t, "\"value\":" + num(t.min()), t.storedCode(0), t.ucum(), t.min());
        add(t, "\"value\":" + num(t.max()), t.storedCode(0), t.ucum(), t.max());
        for (int k = 0; k < t.attributes().size(); k++) {
            Attribute a = t.attributes().get(k);
            for (int c = 0; c < a.choices().size(); c++) {
                int attrs = (c + 1) << (8 * k);
                add(
                        t,
                        "\"value\":"
                                + num(mid)
                                + ",\""
                                + a.wireField()
                                + "\":\""
                                + a.choices().get(c).wire()
                                + "\"",
                        t.storedCode(attrs),
                        t.ucum(),
                        mid);
            }
        }
        if (t == ReadingType.EXERCISE) {
            OffsetDateTime s = nextTime();
            OffsetDateTime e = s.plusMinutes(45);
            String id = "c" + items.size();
            items.add(
                    new Item(
                            id,
                            t,
                            "{\"id\":\""
                                    + id
                                    + "\",\"type\":\"exercise\",\"start\":\""
                                    + s
                                    + "\",\"end\":\""
                                    + e
                                    + "\"}",
                            t.storedCode(0),
                            "min",
                            45,
                            s,
                            e));
        }
        if (t.shape() == Shape.INSTANT_QUANTITY && t != ReadingType.HEART_RATE_VARIABILITY) {
            series(t, mid);
        }
    }

    private void glucose(ReadingType t) {
        String[] specimens = {
            null, "capillary_blood", "interstitial_fluid", "plasma", "serum", "whole_blood"
        };
        String[] meals = {null, "general", "fasting", "before_meal", "after_meal"};
        for (int s = 0; s < specimens.length; s++) {
            int m = s % meals.length;
            for (int unit = 1; unit <= 2; unit++) {
                double value = unit == 1 ? 98 : 5.4;
                String unitText = unit == 1 ? "mg/dL" : "mmol/L";
                String extra =
                        (specimens[s] == null ? "" : ",\"specimen\":\"" + specimens[s] + "\"")
                                + (meals[m] == null
                                        ? ""
                                        : ",\"relation_to_meal\":\"" + meals[m] + "\"");
                int attrs = s | (m << 8) | (unit << 16);
                add(
                        t,
                        "\"value\":" + value + ",\"unit\":\"" + unitText + "\"" + extra,
                        t.storedCode(attrs),
                        unitText,
                        value);
            }
        }
        add(t, "\"value\":0,\"unit\":\"mmol/L\"", t.storedCode(2 << 16), "mmol/L", 0);
        add(t, "\"value\":50,\"unit\":\"mmol/L\"", t.storedCode(2 << 16), "mmol/L", 50);
        add(t, "\"value\":900,\"unit\":\"mg/dL\"", t.storedCode(1 << 16), "mg/dL", 900);
    }

    private void series(ReadingType t, double mid) {
        OffsetDateTime s = nextTime();
        String id = "c" + items.size();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            values.append(i == 0 ? "" : ",").append(i == 4 ? "null" : num(mid));
        }
        String json =
                "{\"id\":\""
                        + id
                        + "\",\"type\":\""
                        + t.wireName()
                        + "\",\"start\":\""
                        + s
                        + "\",\"interval\":2,\"values\":["
                        + values
                        + "]"
                        + (t == ReadingType.BLOOD_GLUCOSE ? ",\"unit\":\"mg/dL\"" : "")
                        + "}";
        for (int i = 0; i < 10; i++) {
            if (i == 4) {
                continue; // null is a gap, not a reading
            }
            OffsetDateTime ti = s.plusSeconds(2L * i);
            items.add(
                    new Item(
                            id + "#" + i,
                            t,
                            i == 0 ? json : null,
                            t.storedCode(0),
                            t.ucum(),
                            mid,
                            ti,
                            ti));
        }
    }

    private void bloodPressure(ReadingType t) {
        for (Unit u : t.units()) {
            String v =
                    "\"systolic\":"
                            + (120 - u.offset()) / u.factor()
                            + ",\"diastolic\":"
                            + (80 - u.offset()) / u.factor()
                            + ",\"unit\":\""
                            + u.spelling()
                            + "\"";
            add(t, v, t.storedCode(0), t.ucum(), 120);
        }
        add(t, "\"systolic\":200,\"diastolic\":180", t.storedCode(0), t.ucum(), 200);
        add(t, "\"systolic\":20,\"diastolic\":10", t.storedCode(0), t.ucum(), 20);
        for (Attribute a : t.attributes()) {
            for (var c : a.choices()) {
                add(
                        t,
                        "\"systolic\":118,\"diastolic\":76,\""
                                + a.wireField()
                                + "\":\""
                                + c.wire()
                                + "\"",
                        t.storedCode(0),
                        t.ucum(),
                        118);
            }
        }
    }

    private void coded(ReadingType t) {
        if (t.attributes().isEmpty()) {
            add(t, "", t.storedCode(0), null, Double.NaN);
            return;
        }
        for (Attribute a : t.attributes()) {
            for (var c : a.choices()) {
                String value =
                        a.placement() == Attribute.Placement.COMPONENT_BOOLEAN
                                ? c.wire()
                                : "\"" + c.wire() + "\"";
                add(t, "\"" + a.wireField() + "\":" + value, t.storedCode(0), null, Double.NaN);
            }
        }
        if (!t.needsAnAttribute() && t.attributes().stream().noneMatch(Attribute::required)) {
            add(t, "", t.storedCode(0), null, Double.NaN);
        }
    }

    private void sleep(ReadingType t) {
        OffsetDateTime s = nextTime();
        StringBuilder stages = new StringBuilder();
        OffsetDateTime at = s;
        double asleep = 0;
        for (SleepStageKind k : SleepStageKind.values()) {
            OffsetDateTime e = at.plusMinutes(30);
            stages.append(stages.length() == 0 ? "" : ",")
                    .append("{\"stage\":\"")
                    .append(k.wire())
                    .append("\",\"start\":\"")
                    .append(at)
                    .append("\",\"end\":\"")
                    .append(e)
                    .append("\"}");
            asleep += k.asleep() ? 30 : 0;
            at = e;
        }
        String id = "c" + items.size();
        items.add(
                new Item(
                        id,
                        t,
                        "{\"id\":\""
                                + id
                                + "\",\"type\":\"sleep_session\",\"start\":\""
                                + s
                                + "\",\"end\":\""
                                + at
                                + "\",\"stages\":["
                                + stages
                                + "]}",
                        t.storedCode(0),
                        "min",
                        asleep,
                        s,
                        at));
        OffsetDateTime s2 = nextTime().minusHours(3);
        String id2 = "c" + items.size();
        items.add(
                new Item(
                        id2,
                        t,
                        "{\"id\":\""
                                + id2
                                + "\",\"type\":\"sleep_session\",\"start\":\""
                                + s2
                                + "\",\"end\":\""
                                + s2.plusMinutes(90)
                                + "\"}",
                        t.storedCode(0),
                        "min",
                        90,
                        s2,
                        s2.plusMinutes(90)));
    }

    private void add(ReadingType t, String fields, String code, String ucum, double value) {
        OffsetDateTime s = nextTime();
        // an exercise's duration may be as long as its period, up to the top of its range
        OffsetDateTime e =
                t.shape().isPeriod() ? s.plusMinutes(t == ReadingType.EXERCISE ? 1441 : 30) : s;
        String id = "c" + items.size();
        String time =
                t.shape().isPeriod()
                        ? "\"start\":\"" + s + "\",\"end\":\"" + e + "\""
                        : "\"time\":\"" + s + "\"";
        String json =
                "{\"id\":\""
                        + id
                        + "\",\"type\":\""
                        + t.wireName()
                        + "\","
                        + time
                        + (fields.isEmpty() ? "" : "," + fields)
                        + "}";
        items.add(new Item(id, t, json, code, ucum, value, s, e));
    }

    private static double midpoint(ReadingType t) {
        double lo = Math.max(t.min(), -1000);
        double hi = Math.min(t.max(), 1000);
        return Math.rint((lo + hi) / 2 * 10) / 10;
    }

    private static String num(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}

package org.jkn.telemetry.gateway.fhir;

import java.util.List;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.Attribute;
import org.jkn.telemetry.normalizer.catalog.Category;
import org.jkn.telemetry.normalizer.catalog.Choice;
import org.jkn.telemetry.normalizer.catalog.Coding;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Shape;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * Writes the FHIR R4 Observation of a stored reading straight to JSON bytes, with no HAPI object
 * model in between: the same resource as {@link ObservationRenderer} builds (a differential test
 * parses both over the whole catalogue corpus and compares them), in the element order R4 defines.
 * Search pages, {@code $lastn} and bulk export write through it; XML still goes through HAPI.
 * Stateless and thread-safe.
 */
public final class ObservationJson {

    private static final long MICROS_PER_MINUTE = 60_000_000L;
    private static final String SEX_SECURITY =
            "\"security\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\","
                    + "\"code\":\"SEX\","
                    + "\"display\":\"sexuality and reproductive health information sensitivity\"}]";
    private static final String SUBSETTED =
            "\"tag\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ObservationValue\","
                    + "\"code\":\"SUBSETTED\",\"display\":\"As requested, resource is not fully"
                    + " detailed.\"}]";

    /** Writes the whole Observation of {@code r}. */
    public void write(StoredReading r, JsonBuffer out) {
        write(r, out, ObservationElements.ALL);
    }

    /**
     * Writes the Observation of {@code r} with only the top-level elements in {@code elements}
     * (besides id, meta and the mandatory status and code), tagged SUBSETTED when some are left
     * out, as {@code _elements} asks.
     */
    void write(StoredReading r, JsonBuffer out, ObservationElements elements) {
        ReadingType type = r.type();
        out.raw("{\"resourceType\":\"Observation\",\"id\":").string(r.observationId());
        meta(r, out, elements.subsetted());
        if (elements.has(ObservationElements.EXTENSION)) {
            bodyPosition(r, out);
        }
        if (elements.has(ObservationElements.IDENTIFIER) && r.readingId() != null) {
            out.raw(",\"identifier\":[{\"system\":")
                    .string(SourceIdentifiers.system(r.deviceId()))
                    .raw(",\"value\":")
                    .string(r.readingId())
                    .raw("}]");
        }
        out.raw(",\"status\":\"final\"");
        if (elements.has(ObservationElements.CATEGORY)) {
            Category category = type.category();
            out.raw(",\"category\":[{\"coding\":[");
            coding(out, Category.SYSTEM, category.code(), category.display());
            out.raw("]}]");
        }
        code(type.codings(r.attrs()), out);
        if (elements.has(ObservationElements.SUBJECT)) {
            out.raw(",\"subject\":{\"reference\":").string("Patient/" + r.patientId()).raw('}');
        }
        if (elements.has(ObservationElements.EFFECTIVE)) {
            effective(r, out);
        }
        if (elements.has(ObservationElements.ISSUED)) {
            out.raw(",\"issued\":").dateTime(Math.floorDiv(r.receivedMicros(), 1000L), 0, true);
        }
        if (elements.has(ObservationElements.VALUE)) {
            value(r, out);
        }
        if (elements.has(ObservationElements.BODY_SITE)) {
            bodySite(r, out);
        }
        if (elements.has(ObservationElements.DEVICE)) {
            device(r, out);
        }
        if (elements.has(ObservationElements.COMPONENT)) {
            components(r, out);
        }
        out.raw('}');
    }

    /**
     * Opens a searchset Bundle ({@code resourceType}, {@code meta.lastUpdated}, {@code type}), for
     * the caller to add its total and links, then {@link #entries}, then close it with {@code }}}.
     */
    static void openSearchset(JsonBuffer out, long nowMillis) {
        out.raw("{\"resourceType\":\"Bundle\",\"meta\":{\"lastUpdated\":")
                .dateTime(nowMillis, 0, true)
                .raw("},\"type\":\"searchset\"");
    }

    /**
     * The {@code entry} array of the first {@code n} of {@code rows}, each a match at {@code
     * base}/Observation/{id}; nothing when {@code n} is 0.
     */
    void entries(
            JsonBuffer out,
            String base,
            List<StoredReading> rows,
            int n,
            ObservationElements elements) {
        String entryBase = base + "/Observation/";
        for (int i = 0; i < n; i++) {
            StoredReading r = rows.get(i);
            out.raw(i == 0 ? ",\"entry\":[{\"fullUrl\":" : ",{\"fullUrl\":")
                    .string(entryBase + r.observationId())
                    .raw(",\"resource\":");
            write(r, out, elements);
            out.raw(",\"search\":{\"mode\":\"match\"}}");
        }
        if (n > 0) {
            out.raw(']');
        }
    }

    private static void meta(StoredReading r, JsonBuffer out, boolean subsetted) {
        ReadingType type = r.type();
        out.raw(",\"meta\":{\"lastUpdated\":")
                .dateTime(Math.floorDiv(r.receivedMicros(), 1000L), 0, true);
        if (type.profile() != null) {
            out.raw(",\"profile\":[").string(type.profile()).raw(']');
        }
        if (type.isSensitive()) {
            out.raw(',').raw(SEX_SECURITY);
        }
        if (subsetted) {
            out.raw(',').raw(SUBSETTED);
        }
        out.raw('}');
    }

    private static void code(List<Coding> codings, JsonBuffer out) {
        out.raw(",\"code\":{\"coding\":[");
        for (int i = 0; i < codings.size(); i++) {
            if (i > 0) {
                out.raw(',');
            }
            coding(out, codings.get(i));
        }
        out.raw("],\"text\":").string(codings.get(0).display()).raw('}');
    }

    private static void effective(StoredReading r, JsonBuffer out) {
        if (r.type().shape().isPeriod()) {
            out.raw(",\"effectivePeriod\":{\"start\":");
            dateTime(out, r.startMicros(), r.offsetSeconds());
            out.raw(",\"end\":");
            dateTime(out, r.endMicros(), r.offsetSeconds());
            out.raw('}');
        } else {
            out.raw(",\"effectiveDateTime\":");
            dateTime(out, r.startMicros(), r.offsetSeconds());
        }
    }

    /** The value[x]: an attribute placed as the value wins over the reading's own, as in HAPI. */
    private static void value(StoredReading r, JsonBuffer out) {
        ReadingType type = r.type();
        Choice attributeValue = null;
        List<Attribute> defs = type.attributes();
        for (int k = 0; k < defs.size(); k++) {
            int stored = ReadingType.attribute(r.attrs(), k);
            if (stored != 0 && defs.get(k).placement() == Attribute.Placement.VALUE) {
                attributeValue = defs.get(k).choices().get(stored - 1);
            }
        }
        if (attributeValue != null) {
            out.raw(",\"valueCodeableConcept\":");
            concept(out, attributeValue.coding(), true);
            return;
        }
        switch (type.shape()) {
            case INSTANT_QUANTITY, PERIOD_QUANTITY -> {
                String ucum = type.ucum(r.attrs());
                out.raw(",\"valueQuantity\":");
                quantity(
                        out,
                        r.value(),
                        type == ReadingType.BLOOD_GLUCOSE ? ucum : type.unitDisplay(),
                        ucum);
            }
            case SLEEP_SESSION -> {
                out.raw(",\"valueQuantity\":");
                quantity(out, round(r.value()), "min", "min");
            }
            case INSTANT_CODED, PERIOD_CODED -> {
                if (type == ReadingType.LACTATION) {
                    out.raw(",\"valueCodeableConcept\":{\"coding\":[");
                    coding(out, ReadingType.BREASTFEEDING);
                    out.raw("]}");
                } else if (type == ReadingType.INTERMENSTRUAL_BLEEDING) {
                    out.raw(",\"valueBoolean\":true");
                }
            }
            case BLOOD_PRESSURE -> {
                // its values are the components
            }
        }
    }

    private static void bodySite(StoredReading r, JsonBuffer out) {
        Choice site = lastPlaced(r, Attribute.Placement.BODY_SITE);
        if (site != null) {
            out.raw(",\"bodySite\":");
            concept(out, site.coding(), false);
        }
    }

    private static void bodyPosition(StoredReading r, JsonBuffer out) {
        Choice position = lastPlaced(r, Attribute.Placement.BODY_POSITION);
        if (position != null) {
            out.raw(",\"extension\":[{\"url\":")
                    .string(Attribute.BODY_POSITION_EXTENSION)
                    .raw(",\"valueCodeableConcept\":");
            concept(out, position.coding(), false);
            out.raw("}]");
        }
    }

    private static Choice lastPlaced(StoredReading r, Attribute.Placement placement) {
        Choice found = null;
        List<Attribute> defs = r.type().attributes();
        for (int k = 0; k < defs.size(); k++) {
            int stored = ReadingType.attribute(r.attrs(), k);
            if (stored != 0 && defs.get(k).placement() == placement) {
                found = defs.get(k).choices().get(stored - 1);
            }
        }
        return found;
    }

    private static void device(StoredReading r, JsonBuffer out) {
        out.raw(",\"device\":{\"identifier\":{\"value\":")
                .string(r.deviceId())
                .raw("},\"display\":")
                .string(ObservationRenderer.deviceDisplay(r))
                .raw('}');
    }

    /** Blood pressure's, sleep stage totals, then the attributes placed as components. */
    private static void components(StoredReading r, JsonBuffer out) {
        ReadingType type = r.type();
        boolean first = true;
        if (type.shape() == Shape.BLOOD_PRESSURE) {
            first = quantityComponent(out, first, ReadingType.SYSTOLIC, r.value(), type);
            first = quantityComponent(out, first, ReadingType.DIASTOLIC, r.diastolic(), type);
        } else if (type.shape() == Shape.SLEEP_SESSION) {
            first = sleepStageTotals(r, out, first);
        }
        List<Attribute> defs = type.attributes();
        for (int k = 0; k < defs.size(); k++) {
            int stored = ReadingType.attribute(r.attrs(), k);
            Attribute a = defs.get(k);
            if (stored == 0
                    || (a.placement() != Attribute.Placement.COMPONENT
                            && a.placement() != Attribute.Placement.COMPONENT_BOOLEAN)) {
                continue;
            }
            Choice choice = a.choices().get(stored - 1);
            first = openComponent(out, first, a.componentCode());
            if (a.placement() == Attribute.Placement.COMPONENT) {
                out.raw(",\"valueCodeableConcept\":");
                concept(out, choice.coding(), true);
            } else {
                out.raw(",\"valueBoolean\":").raw("true".equals(choice.wire()) ? "true" : "false");
            }
            out.raw('}');
        }
        if (!first) {
            out.raw(']');
        }
    }

    private static boolean quantityComponent(
            JsonBuffer out, boolean first, Coding code, double value, ReadingType type) {
        openComponent(out, first, code);
        out.raw(",\"valueQuantity\":");
        quantity(out, value, type.unitDisplay(), type.ucum());
        out.raw('}');
        return false;
    }

    /** One component per stage kind present, in the kinds' order, minutes to two decimals. */
    private static boolean sleepStageTotals(StoredReading r, JsonBuffer out, boolean first) {
        for (SleepStageKind kind : SleepStageKind.values()) {
            long total = 0;
            boolean present = false;
            for (SleepStage s : r.stages()) {
                if (s.kind() == kind) {
                    total += s.endMicros() - s.startMicros();
                    present = true;
                }
            }
            if (present) {
                first = openComponent(out, first, kind.totalCode());
                out.raw(",\"valueQuantity\":");
                quantity(out, round(total / (double) MICROS_PER_MINUTE), "min", "min");
                out.raw('}');
            }
        }
        return first;
    }

    /** Opens a component with its code (and the array before the first); false from then on. */
    private static boolean openComponent(JsonBuffer out, boolean first, Coding code) {
        out.raw(first ? ",\"component\":[{\"code\":{\"coding\":[" : ",{\"code\":{\"coding\":[");
        coding(out, code);
        out.raw("],\"text\":").string(code.display()).raw('}');
        return false;
    }

    /**
     * A CodeableConcept of one concept and its text. Values and components always carry the coding;
     * body site and position only when the concept has a verified code, otherwise text only.
     */
    private static void concept(JsonBuffer out, Coding c, boolean alwaysCoding) {
        out.raw('{');
        if (c.system() != null || alwaysCoding) {
            out.raw("\"coding\":[");
            coding(out, c);
            out.raw("],");
        }
        out.raw("\"text\":").string(c.display()).raw('}');
    }

    private static void coding(JsonBuffer out, Coding c) {
        coding(out, c.system(), c.code(), c.display());
    }

    private static void coding(JsonBuffer out, String system, String code, String display) {
        out.raw('{');
        boolean comma = false;
        if (system != null) {
            out.raw("\"system\":").string(system);
            comma = true;
        }
        if (code != null) {
            out.raw(comma ? ",\"code\":" : "\"code\":").string(code);
            comma = true;
        }
        if (display != null) {
            out.raw(comma ? ",\"display\":" : "\"display\":").string(display);
        }
        out.raw('}');
    }

    private static void quantity(JsonBuffer out, double value, String unit, String ucum) {
        out.raw("{\"value\":").decimal(value);
        out.raw(",\"unit\":").string(unit);
        out.raw(",\"system\":\"" + ObservationRenderer.UCUM + "\",\"code\":").string(ucum);
        out.raw('}');
    }

    private static void dateTime(JsonBuffer out, long micros, int offsetSeconds) {
        long millis = Math.floorDiv(micros, 1000L);
        out.dateTime(millis, offsetSeconds, millis % 1000 != 0);
    }

    private static double round(double minutes) {
        return Math.round(minutes * 100) / 100.0;
    }
}

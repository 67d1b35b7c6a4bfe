package org.jkn.telemetry.gateway.fhir;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.jkn.telemetry.normalizer.SleepStage;
import org.jkn.telemetry.normalizer.catalog.Attribute;
import org.jkn.telemetry.normalizer.catalog.Category;
import org.jkn.telemetry.normalizer.catalog.Choice;
import org.jkn.telemetry.normalizer.catalog.Coding;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.SleepStageKind;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * Builds the FHIR R4 Observation of a stored reading: codes, category and profile from the
 * catalogue, value in UCUM, categorical and context attributes where the catalogue places them,
 * effective time in the offset the reading was sent with. Rendering happens when clinicians read,
 * never on the ingest path. Stateless and thread-safe.
 */
public final class ObservationRenderer {

    public static final String UCUM = "http://unitsofmeasure.org";
    private static final String ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    private static final long MICROS_PER_MINUTE = 60_000_000L;

    /**
     * The Observation with only the top-level elements in {@code elements} (and id, meta, status
     * and code), tagged SUBSETTED when some are left out: as {@link ObservationJson} writes it.
     */
    Observation render(StoredReading r, ObservationElements elements) {
        Observation o = render(r);
        if (!elements.subsetted()) {
            return o;
        }
        o.getMeta()
                .addTag()
                .setSystem("http://terminology.hl7.org/CodeSystem/v3-ObservationValue")
                .setCode("SUBSETTED")
                .setDisplay("As requested, resource is not fully detailed.");
        if (!elements.has(ObservationElements.EXTENSION)) {
            o.setExtension(null);
        }
        if (!elements.has(ObservationElements.IDENTIFIER)) {
            o.setIdentifier(null);
        }
        if (!elements.has(ObservationElements.CATEGORY)) {
            o.setCategory(null);
        }
        if (!elements.has(ObservationElements.SUBJECT)) {
            o.setSubject(null);
        }
        if (!elements.has(ObservationElements.EFFECTIVE)) {
            o.setEffective(null);
        }
        if (!elements.has(ObservationElements.ISSUED)) {
            o.setIssuedElement(null);
        }
        if (!elements.has(ObservationElements.VALUE)) {
            o.setValue(null);
        }
        if (!elements.has(ObservationElements.BODY_SITE)) {
            o.setBodySite(null);
        }
        if (!elements.has(ObservationElements.DEVICE)) {
            o.setDevice(null);
        }
        if (!elements.has(ObservationElements.COMPONENT)) {
            o.setComponent(null);
        }
        return o;
    }

    public Observation render(StoredReading r) {
        ReadingType type = r.type();
        Observation o = new Observation();
        o.setId(r.observationId());
        o.getMeta().setLastUpdatedElement(instant(r.receivedMicros()));
        if (r.readingId() != null) {
            o.addIdentifier()
                    .setSystem(SourceIdentifiers.system(r.deviceId()))
                    .setValue(r.readingId());
        }
        if (type.profile() != null) {
            o.getMeta().addProfile(type.profile());
        }
        if (type.isSensitive()) {
            o.getMeta()
                    .addSecurity()
                    .setSystem(ACT_CODE)
                    .setCode("SEX")
                    .setDisplay("sexuality and reproductive health information sensitivity");
        }
        o.setStatus(Observation.ObservationStatus.FINAL);
        Category category = type.category();
        o.addCategory()
                .addCoding()
                .setSystem(Category.SYSTEM)
                .setCode(category.code())
                .setDisplay(category.display());
        List<Coding> codings = type.codings(r.attrs());
        for (Coding c : codings) {
            o.getCode().addCoding(coding(c));
        }
        o.getCode().setText(codings.get(0).display());
        o.setSubject(new Reference("Patient/" + r.patientId()));
        if (type.shape().isPeriod()) {
            o.setEffective(
                    new Period()
                            .setStartElement(dateTime(r.startMicros(), r.offsetSeconds()))
                            .setEndElement(dateTime(r.endMicros(), r.offsetSeconds())));
        } else {
            o.setEffective(dateTime(r.startMicros(), r.offsetSeconds()));
        }
        o.setIssuedElement(instant(r.receivedMicros()));
        o.setDevice(device(r));
        value(o, r);
        attributes(o, r);
        return o;
    }

    private static void value(Observation o, StoredReading r) {
        ReadingType type = r.type();
        switch (type.shape()) {
            case INSTANT_QUANTITY, PERIOD_QUANTITY ->
                    o.setValue(
                            quantity(
                                    r.value(), type.ucum(r.attrs()), unitDisplay(type, r.attrs())));
            case BLOOD_PRESSURE -> {
                component(o, ReadingType.SYSTOLIC)
                        .setValue(quantity(r.value(), type.ucum(), type.unitDisplay()));
                component(o, ReadingType.DIASTOLIC)
                        .setValue(quantity(r.diastolic(), type.ucum(), type.unitDisplay()));
            }
            case SLEEP_SESSION -> {
                o.setValue(quantity(round(r.value()), "min", "min"));
                Map<SleepStageKind, Long> totals = new EnumMap<>(SleepStageKind.class);
                for (SleepStage s : r.stages()) {
                    totals.merge(s.kind(), s.endMicros() - s.startMicros(), Long::sum);
                }
                totals.forEach(
                        (kind, micros) ->
                                component(o, kind.totalCode())
                                        .setValue(
                                                quantity(
                                                        round(micros / (double) MICROS_PER_MINUTE),
                                                        "min",
                                                        "min")));
            }
            case INSTANT_CODED, PERIOD_CODED -> {
                if (type == ReadingType.LACTATION) {
                    o.setValue(new CodeableConcept().addCoding(coding(ReadingType.BREASTFEEDING)));
                } else if (type == ReadingType.INTERMENSTRUAL_BLEEDING) {
                    o.setValue(new BooleanType(true));
                }
            }
        }
    }

    private static void attributes(Observation o, StoredReading r) {
        List<Attribute> defs = r.type().attributes();
        for (int k = 0; k < defs.size(); k++) {
            int stored = ReadingType.attribute(r.attrs(), k);
            if (stored == 0) {
                continue;
            }
            Attribute a = defs.get(k);
            Choice choice = a.choices().get(stored - 1);
            switch (a.placement()) {
                case VALUE ->
                        o.setValue(
                                new CodeableConcept()
                                        .addCoding(coding(choice.coding()))
                                        .setText(choice.coding().display()));
                case COMPONENT ->
                        component(o, a.componentCode())
                                .setValue(
                                        new CodeableConcept()
                                                .addCoding(coding(choice.coding()))
                                                .setText(choice.coding().display()));
                case COMPONENT_BOOLEAN ->
                        component(o, a.componentCode())
                                .setValue(new BooleanType("true".equals(choice.wire())));
                case BODY_SITE -> o.setBodySite(concept(choice.coding()));
                case BODY_POSITION ->
                        o.addExtension(Attribute.BODY_POSITION_EXTENSION, concept(choice.coding()));
                case CODE_SELECTOR -> {
                    // already reflected in Observation.code
                }
            }
        }
    }

    /** A coding when the concept has a verified code, otherwise text only. */
    private static CodeableConcept concept(Coding c) {
        CodeableConcept cc = new CodeableConcept().setText(c.display());
        if (c.system() != null) {
            cc.addCoding(coding(c));
        }
        return cc;
    }

    private static Observation.ObservationComponentComponent component(Observation o, Coding code) {
        Observation.ObservationComponentComponent c = o.addComponent();
        c.getCode().addCoding(coding(code)).setText(code.display());
        return c;
    }

    private static org.hl7.fhir.r4.model.Coding coding(Coding c) {
        return new org.hl7.fhir.r4.model.Coding()
                .setSystem(c.system())
                .setCode(c.code())
                .setDisplay(c.display());
    }

    private static String unitDisplay(ReadingType type, int attrs) {
        return type == ReadingType.BLOOD_GLUCOSE ? type.ucum(attrs) : type.unitDisplay();
    }

    private static double round(double minutes) {
        return Math.round(minutes * 100) / 100.0;
    }

    private static Reference device(StoredReading r) {
        Reference ref = new Reference();
        ref.getIdentifier().setValue(r.deviceId());
        return ref.setDisplay(deviceDisplay(r));
    }

    /** Manufacturer and model, or what there is of them, or else the device id. */
    static String deviceDisplay(StoredReading r) {
        StringBuilder display = new StringBuilder();
        if (r.manufacturer() != null) {
            display.append(r.manufacturer());
        }
        if (r.model() != null) {
            display.append(display.length() > 0 ? " " : "").append(r.model());
        }
        return display.length() > 0 ? display.toString() : r.deviceId();
    }

    private static Quantity quantity(double v, String ucum, String display) {
        BigDecimal value =
                v == Math.rint(v) && Math.abs(v) < 1e15
                        ? BigDecimal.valueOf((long) v)
                        : BigDecimal.valueOf(v);
        return new Quantity().setValue(value).setUnit(display).setSystem(UCUM).setCode(ucum);
    }

    private static DateTimeType dateTime(long micros, int offsetSeconds) {
        long millis = Math.floorDiv(micros, 1000L);
        TemporalPrecisionEnum precision =
                millis % 1000 == 0 ? TemporalPrecisionEnum.SECOND : TemporalPrecisionEnum.MILLI;
        return new DateTimeType(
                new Date(millis),
                precision,
                TimeZone.getTimeZone(ZoneOffset.ofTotalSeconds(offsetSeconds)));
    }

    private static InstantType instant(long micros) {
        return new InstantType(
                new Date(Math.floorDiv(micros, 1000L)),
                TemporalPrecisionEnum.MILLI,
                TimeZone.getTimeZone("UTC"));
    }
}

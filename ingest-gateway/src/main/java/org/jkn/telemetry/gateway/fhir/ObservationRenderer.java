package org.jkn.telemetry.gateway.fhir;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.TimeZone;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.jkn.telemetry.normalizer.catalog.Category;
import org.jkn.telemetry.normalizer.catalog.Coding;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.catalog.Shape;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * Builds the FHIR R4 Observation of a stored reading: code, category and profile from the
 * catalogue, value in UCUM, effective time in the offset the reading was sent with. Rendering
 * happens when clinicians read, never on the ingest path. Stateless and thread-safe.
 */
public final class ObservationRenderer {

    public static final String UCUM = "http://unitsofmeasure.org";

    public Observation render(StoredReading r) {
        ReadingType type = r.type();
        Observation o = new Observation();
        o.setId(r.observationId());
        o.getMeta().setLastUpdatedElement(instant(r.receivedMicros()));
        if (type.profile() != null) {
            o.getMeta().addProfile(type.profile());
        }
        o.setStatus(Observation.ObservationStatus.FINAL);
        Category category = type.category();
        o.addCategory().addCoding().setSystem(Category.SYSTEM).setCode(category.code()).setDisplay(category.display());
        CodeableConcept code = o.getCode();
        addCoding(code, type.code());
        for (Coding extra : type.extraCodings()) {
            addCoding(code, extra);
        }
        code.setText(type.code().display());
        o.setSubject(new Reference("Patient/" + r.patientId()));
        if (type.shape().isPeriod()) {
            o.setEffective(new Period().setStartElement(dateTime(r.startMicros(), r.offsetSeconds()))
                    .setEndElement(dateTime(r.endMicros(), r.offsetSeconds())));
        } else {
            o.setEffective(dateTime(r.startMicros(), r.offsetSeconds()));
        }
        o.setIssuedElement(instant(r.receivedMicros()));
        o.setDevice(device(r));
        if (type.shape() == Shape.BLOOD_PRESSURE) {
            Observation.ObservationComponentComponent sys = o.addComponent();
            addCoding(sys.getCode(), ReadingType.SYSTOLIC);
            sys.setValue(quantity(r.value(), type));
            Observation.ObservationComponentComponent dia = o.addComponent();
            addCoding(dia.getCode(), ReadingType.DIASTOLIC);
            dia.setValue(quantity(r.value2(), type));
        } else {
            o.setValue(quantity(r.value(), type));
        }
        return o;
    }

    private static Reference device(StoredReading r) {
        Reference ref = new Reference();
        ref.getIdentifier().setValue(r.deviceId());
        StringBuilder display = new StringBuilder();
        if (r.manufacturer() != null) {
            display.append(r.manufacturer());
        }
        if (r.model() != null) {
            display.append(display.length() > 0 ? " " : "").append(r.model());
        }
        ref.setDisplay(display.length() > 0 ? display.toString() : r.deviceId());
        return ref;
    }

    private static void addCoding(CodeableConcept cc, Coding c) {
        cc.addCoding().setSystem(c.system()).setCode(c.code()).setDisplay(c.display());
    }

    private static Quantity quantity(double v, ReadingType type) {
        BigDecimal value = v == Math.rint(v) && Math.abs(v) < 1e15 ? BigDecimal.valueOf((long) v) : BigDecimal.valueOf(v);
        return new Quantity().setValue(value).setUnit(type.unitDisplay()).setSystem(UCUM).setCode(type.ucum());
    }

    private static DateTimeType dateTime(long micros, int offsetSeconds) {
        long millis = Math.floorDiv(micros, 1000L);
        TemporalPrecisionEnum precision = millis % 1000 == 0 ? TemporalPrecisionEnum.SECOND : TemporalPrecisionEnum.MILLI;
        return new DateTimeType(new Date(millis), precision, TimeZone.getTimeZone(ZoneOffset.ofTotalSeconds(offsetSeconds)));
    }

    private static InstantType instant(long micros) {
        return new InstantType(new Date(Math.floorDiv(micros, 1000L)), TemporalPrecisionEnum.MILLI, TimeZone.getTimeZone("UTC"));
    }
}

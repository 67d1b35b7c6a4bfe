package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.MultiMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Coding;
import org.jkn.telemetry.normalizer.catalog.GlucoseSpecimen;
import org.jkn.telemetry.normalizer.catalog.GlucoseUnit;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.query.ReadingSeries;

/**
 * One code {@code Observation/$stats} was asked about and the numbers it covers. As the operation
 * defines it, a code covers every Observation carrying it in {@code Observation.code} or {@code
 * component.code}: a heart-rate code covers resting heart rate too (its Observations carry both
 * codings); the systolic and diastolic codes cover blood pressure's components; and the blood
 * pressure panel code gives one result per component. Readings without a number (cycle data) are
 * never counted.
 */
record StatsSeries(Coding coding, ReadingSeries series) {

    /**
     * Resolves {@code code} (with {@code system}) and {@code coding} into {@code out}; the message
     * for a 400, or null.
     */
    static String resolve(MultiMap params, List<StatsSeries> out) {
        List<String> systems = params.getAll("system");
        if (systems.size() > 1) {
            return "At most one system";
        }
        String system = systems.isEmpty() ? null : systems.get(0);
        for (String code : params.getAll("code")) {
            if (code.isEmpty()) {
                return "code must not be empty";
            }
            add(system, code, out);
        }
        for (String coding : params.getAll("coding")) {
            int bar = coding.indexOf('|');
            if (bar <= 0 || bar == coding.length() - 1) {
                return "coding must be system|code";
            }
            add(coding.substring(0, bar), coding.substring(bar + 1), out);
        }
        return out.isEmpty() ? "At least one code or coding is required" : null;
    }

    private static void add(String system, String code, List<StatsSeries> out) {
        if (is(ReadingType.BLOOD_PRESSURE.code(), system, code)) {
            out.add(component(ReadingType.SYSTOLIC, false));
            out.add(component(ReadingType.DIASTOLIC, true));
        } else if (is(ReadingType.SYSTOLIC, system, code)) {
            out.add(component(ReadingType.SYSTOLIC, false));
        } else if (is(ReadingType.DIASTOLIC, system, code)) {
            out.add(component(ReadingType.DIASTOLIC, true));
        } else {
            Set<String> stored = ReadingType.storedCodesMatching(system, code);
            EnumSet<ReadingType> types = EnumSet.noneOf(ReadingType.class);
            for (ReadingType t : ReadingType.values()) {
                boolean carries = t.storedCodes().stream().anyMatch(stored::contains);
                if (carries && t.shape().isNumeric() && t != ReadingType.BLOOD_PRESSURE) {
                    types.add(t);
                }
            }
            String unit =
                    types.contains(ReadingType.BLOOD_GLUCOSE) ? glucoseUnit(system, code) : null;
            out.add(
                    new StatsSeries(
                            coding(system, code), new ReadingSeries(types, stored, false, unit)));
        }
    }

    private static StatsSeries component(
            org.jkn.telemetry.normalizer.catalog.Coding c, boolean diastolic) {
        return new StatsSeries(
                new Coding(c.system(), c.code(), c.display()),
                new ReadingSeries(Set.of(ReadingType.BLOOD_PRESSURE), Set.of(), diastolic));
    }

    private static boolean is(
            org.jkn.telemetry.normalizer.catalog.Coding c, String system, String code) {
        return c.code().equals(code) && (system == null || c.system().equals(system));
    }

    /**
     * The unit blood glucose is counted in for this code: mmol/L for a moles code, else mg/dL (the
     * unspecified-specimen code names both; readings sent in the other unit are not counted, as
     * numbers in two units have no common mean).
     */
    private static String glucoseUnit(String system, String code) {
        for (GlucoseSpecimen specimen : GlucoseSpecimen.values()) {
            org.jkn.telemetry.normalizer.catalog.Coding mass =
                    specimen.coding(GlucoseUnit.MG_PER_DL);
            if (is(mass, system, code)) {
                return GlucoseUnit.MG_PER_DL.ucum();
            }
        }
        return GlucoseUnit.MMOL_PER_L.ucum();
    }

    /** The coding as the catalogue spells it (system and display), or as asked. */
    private static Coding coding(String system, String code) {
        for (ReadingType t : ReadingType.values()) {
            for (org.jkn.telemetry.normalizer.catalog.Coding c : t.codings(0)) {
                if (is(c, system, code)) {
                    return new Coding(c.system(), c.code(), c.display());
                }
            }
        }
        return new Coding(system, code, null);
    }

    /** The same series, with only the reading types of the categories in {@code allowed}. */
    StatsSeries disclosed(int allowed) {
        EnumSet<ReadingType> types = EnumSet.noneOf(ReadingType.class);
        for (ReadingType t : series.types()) {
            if ((t.dataCategory().bit() & allowed) != 0) {
                types.add(t);
            }
        }
        return new StatsSeries(
                coding,
                new ReadingSeries(types, series.storedCodes(), series.diastolic(), series.ucum()));
    }
}

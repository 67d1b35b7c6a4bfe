package org.jkn.telemetry.normalizer.catalog;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Everything the catalogue can emit, enumerated for tests that check it against an oracle or the
 * documentation.
 */
final class Catalogue {

    private Catalogue() {}

    /** Every attribute declared in {@link Attributes}, attached to a type or not. */
    static List<Attribute> attributes() {
        List<Attribute> out = new ArrayList<>();
        for (Field f : Attributes.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == Attribute.class) {
                try {
                    out.add((Attribute) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return out;
    }

    /**
     * Packed attribute values that change a type's Observation.code: glucose specimen (attribute 0)
     * by unit (attribute 2), HRV method (attribute 0); 0 for the others.
     */
    static int[] codeVariants(ReadingType t) {
        if (t == ReadingType.BLOOD_GLUCOSE) {
            int specimens = Attributes.GLUCOSE_SPECIMEN.choices().size();
            int[] v = new int[(specimens + 1) * 2];
            for (int specimen = 0; specimen <= specimens; specimen++) {
                v[specimen * 2] = specimen | 1 << 16;
                v[specimen * 2 + 1] = specimen | 2 << 16;
            }
            return v;
        }
        if (t == ReadingType.HEART_RATE_VARIABILITY) {
            return new int[] {0, 1, 2};
        }
        return new int[] {0};
    }

    /**
     * Every coding an Observation of any type can carry: codes, component codes, values, body sites
     * and positions.
     */
    static Set<Coding> codings() {
        Set<Coding> out = new LinkedHashSet<>();
        for (ReadingType t : ReadingType.values()) {
            for (int attrs : codeVariants(t)) {
                out.addAll(t.codings(attrs));
            }
        }
        for (Attribute a : attributes()) {
            if (a.componentCode() != null) {
                out.add(a.componentCode());
            }
            for (Choice c : a.choices()) {
                if (c.coding() != null && c.coding().system() != null) {
                    out.add(c.coding());
                }
            }
        }
        for (SleepStageKind k : SleepStageKind.values()) {
            out.add(k.totalCode());
        }
        out.add(ReadingType.SYSTOLIC);
        out.add(ReadingType.DIASTOLIC);
        out.add(ReadingType.BREASTFEEDING);
        return out;
    }
}

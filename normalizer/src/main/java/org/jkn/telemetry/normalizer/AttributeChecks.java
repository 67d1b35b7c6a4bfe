package org.jkn.telemetry.normalizer;

import java.util.List;
import org.jkn.telemetry.normalizer.catalog.Attribute;
import org.jkn.telemetry.normalizer.catalog.Attributes;
import org.jkn.telemetry.normalizer.catalog.GlucoseUnit;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * The attribute checks of a reading: each attribute its type declares is a known choice, present
 * when required, and packed one byte per attribute in the order the type lists them.
 *
 * <p>One per batch, made by {@link ReadingChecker}; not thread-safe.
 */
final class AttributeChecks {

    private final ReadingOutcomes outcomes;

    AttributeChecks(ReadingOutcomes outcomes) {
        this.outcomes = outcomes;
    }

    /** Packed attribute choices, or -1 after adding a rejection. */
    int attributes(int index, String id, ReadingType type, ReadingFields f) {
        List<Attribute> defs = type.attributes();
        int attrs = 0;
        boolean any = false;
        for (int k = 0; k < defs.size(); k++) {
            Attribute a = defs.get(k);
            int choice;
            if (a == Attributes.GLUCOSE_UNIT) {
                choice = GlucoseUnit.ofSpelling(f.unit).storedCode();
            } else {
                choice = choice(index, id, type, a, f.extra(a.wireField()));
                if (choice < 0) {
                    return -1;
                }
                any |= choice > 0;
            }
            attrs |= choice << (8 * k);
        }
        if (type.needsAnAttribute() && !any) {
            StringBuilder names = new StringBuilder();
            for (Attribute a : defs) {
                names.append(names.length() == 0 ? "" : ", ").append(a.wireField());
            }
            outcomes.reject(
                    index,
                    id,
                    RejectReason.MISSING_FIELD,
                    type.wireName() + " needs at least one of " + names);
            return -1;
        }
        return attrs;
    }

    /**
     * The stored choice of one attribute sent as {@code wire} (index + 1), 0 when it is absent and
     * may be, -1 after adding a rejection.
     */
    private int choice(int index, String id, ReadingType type, Attribute a, String wire) {
        if (wire == null) {
            if (a.required()) {
                outcomes.reject(
                        index,
                        id,
                        RejectReason.MISSING_FIELD,
                        type.wireName() + " needs " + a.wireField());
                return -1;
            }
            return 0;
        }
        if (ReadingFields.isNotText(wire)) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.WRONG_TYPE,
                    a.wireField()
                            + (a.placement() == Attribute.Placement.COMPONENT_BOOLEAN
                                    ? " must be true or false"
                                    : " must be a string"));
            return -1;
        }
        int i = a.indexOf(wire);
        if (i < 0) {
            outcomes.reject(
                    index,
                    id,
                    RejectReason.INVALID_CHOICE,
                    a.wireField() + " must be one of " + a.wireNames());
            return -1;
        }
        return i + 1;
    }
}

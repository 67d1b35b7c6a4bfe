package org.jkn.telemetry.normalizer.catalog;

import java.util.ArrayList;
import java.util.List;

/** Builder for the definition of one {@link ReadingType}; used only while the enum initialises. */
final class TypeDef {

    Shape shape;
    Category category;
    Coding code;
    final List<Coding> extraCodings = new ArrayList<>();
    String profile;
    String ucum;
    String unitDisplay;
    final List<Unit> units = new ArrayList<>();
    double min = Double.NEGATIVE_INFINITY;
    double max = Double.POSITIVE_INFINITY;
    String rangeSource;
    boolean integer;
    boolean sensitive;
    boolean atLeastOne;
    final List<Attribute> attributes = new ArrayList<>();

    static TypeDef of(Shape shape, Category category, Coding code) {
        TypeDef d = new TypeDef();
        d.shape = shape;
        d.category = category;
        d.code = code;
        return d;
    }

    TypeDef also(Coding coding) {
        extraCodings.add(coding);
        return this;
    }

    /** The R4 vital-signs profile (short name, e.g. {@code heartrate}). */
    TypeDef profile(String name) {
        profile = "http://hl7.org/fhir/StructureDefinition/" + name;
        return this;
    }

    /** Canonical UCUM code and its display; the canonical spelling is accepted as input too. */
    TypeDef unit(String ucumCode, String display, Unit... accepted) {
        ucum = ucumCode;
        unitDisplay = display;
        units.add(Unit.same(ucumCode));
        units.addAll(List.of(accepted));
        return this;
    }

    TypeDef range(double low, double high, String source) {
        min = low;
        max = high;
        rangeSource = source;
        return this;
    }

    TypeDef integer() {
        integer = true;
        return this;
    }

    /**
     * Sexual and reproductive health data: labelled, and never stored or shown without explicit
     * consent.
     */
    TypeDef sensitive() {
        sensitive = true;
        return this;
    }

    /** The reading must carry at least one of its optional attributes. */
    TypeDef atLeastOne() {
        atLeastOne = true;
        return this;
    }

    TypeDef attributes(Attribute... a) {
        if (a.length > 4) {
            throw new IllegalArgumentException("a reading stores at most four attributes");
        }
        attributes.addAll(List.of(a));
        return this;
    }
}

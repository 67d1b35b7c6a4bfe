package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jkn.telemetry.normalizer.catalog.Category;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.query.DatePrefix;
import org.jkn.telemetry.store.query.ReadingFilter;
import org.jkn.telemetry.store.query.ValueBound;

/**
 * The Observation search parameters beyond patient, code and date: {@code category} (narrowing the
 * codes), and {@code value-quantity} and {@code identifier}, which only an opened reading can
 * answer. Each malformed value is a message for a 400.
 */
final class SearchFilters {

    private static final int MAX_VALUE_PARAMS = 4;
    private static final int MAX_READING_ID = 256;
    private static final Pattern QUANTITY =
            Pattern.compile(
                    "(eq|ne|gt|ge|lt|le|sa|eb|ap)?(-?(?:0|[1-9][0-9]{0,14})(?:\\.([0-9]{1,9}))?)"
                            + "(?:\\|([^|]*)\\|([^|]+))?");

    /** A filter, or the message for a 400. */
    record Result(ReadingFilter filter, String error) {}

    private SearchFilters() {}

    /**
     * Narrows {@code codes} (empty: any) to the readings of the named categories: each {@code
     * category} parameter is an OR of {@code [system|]code} tokens, several must all hold. Returns
     * the message for a 400, or null.
     */
    static String category(MultiMap params, List<String> codes) {
        List<String> categoryParams = params.getAll("category");
        if (categoryParams.isEmpty()) {
            return null;
        }
        Set<String> allowed = null;
        for (String param : categoryParams) {
            Set<String> or = new LinkedHashSet<>();
            for (String token : param.split(",", -1)) {
                int bar = token.indexOf('|');
                String system = bar >= 0 ? token.substring(0, bar) : null;
                String code = bar >= 0 ? token.substring(bar + 1) : token;
                if (code.isEmpty()) {
                    return "category needs a code: [system|]code, e.g. vital-signs";
                }
                if (system != null && !system.isEmpty() && !system.equals(Category.SYSTEM)) {
                    continue; // no category of another system is held here
                }
                for (ReadingType t : ReadingType.values()) {
                    if (t.category().code().equals(code)) {
                        or.addAll(t.storedCodes());
                    }
                }
            }
            if (allowed == null) {
                allowed = or;
            } else {
                allowed.retainAll(or);
            }
        }
        boolean anyCode = codes.isEmpty() && params.getAll("code").isEmpty();
        if (anyCode) {
            codes.addAll(allowed);
        } else {
            codes.retainAll(allowed);
        }
        return null;
    }

    /** The {@code value-quantity} and {@code identifier} parameters. */
    static Result parse(MultiMap params) {
        List<ValueBound> values = new ArrayList<>();
        String unit = null;
        List<String> quantities = params.getAll("value-quantity");
        if (quantities.size() > MAX_VALUE_PARAMS) {
            return new Result(null, "At most " + MAX_VALUE_PARAMS + " value-quantity parameters");
        }
        for (String q : quantities) {
            Matcher m = QUANTITY.matcher(q);
            if (!m.matches()) {
                return new Result(
                        null,
                        "value-quantity must be [prefix]number[|system|code], e.g. lt90 or"
                                + " lt90|http://unitsofmeasure.org|%");
            }
            String system = m.group(4);
            if (system != null && !system.isEmpty() && !system.equals(ObservationRenderer.UCUM)) {
                return new Result(null, "value-quantity units are UCUM: http://unitsofmeasure.org");
            }
            String code = m.group(5);
            if (code != null) {
                if (unit != null && !unit.equals(code)) {
                    return new Result(null, "value-quantity parameters must name one unit");
                }
                unit = code;
            }
            values.add(bound(m.group(1), m.group(2), m.group(3)));
        }
        List<String> identifiers = params.getAll("identifier");
        if (identifiers.size() > 1) {
            return new Result(null, "At most one identifier parameter");
        }
        String device = null;
        String readingId = null;
        if (identifiers.size() == 1) {
            String token = identifiers.get(0);
            int bar = token.indexOf('|');
            device = bar > 0 ? SourceIdentifiers.deviceOf(token.substring(0, bar)) : null;
            readingId = bar > 0 ? token.substring(bar + 1) : "";
            if (device == null || readingId.isEmpty() || readingId.length() > MAX_READING_ID) {
                return new Result(
                        null,
                        "identifier must be system|value: the reading's system"
                                + " (urn:telemetry:device:{device}:reading) and its id as sent");
            }
        }
        return new Result(new ReadingFilter(values, unit, device, readingId), null);
    }

    /**
     * The range a number's precision implies ({@code 90} is {@code [89.5, 90.5)}), widened by a
     * tenth of the value for {@code ap}.
     */
    private static ValueBound bound(String prefixText, String number, String decimals) {
        DatePrefix prefix = prefixText == null ? DatePrefix.EQ : DatePrefix.of(prefixText);
        double v = Double.parseDouble(number);
        double half = 0.5 * Math.pow(10, -(decimals == null ? 0 : decimals.length()));
        double margin = prefix == DatePrefix.AP ? Math.max(half, Math.abs(v) / 10) : half;
        return new ValueBound(prefix, v, v - margin, v + margin);
    }
}

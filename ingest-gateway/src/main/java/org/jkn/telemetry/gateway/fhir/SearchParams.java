package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.MultiMap;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.query.DateBound;
import org.jkn.telemetry.store.query.DatePrefix;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingFilter;

/**
 * Checks the parameters of {@code GET /fhir/Observation} and turns them into an {@link
 * ObservationSearch}. Unknown or malformed parameters are refused (400) rather than ignored, as
 * HAPI FHIR servers do, so a typo never silently widens a search.
 */
public final class SearchParams {

    static final int DEFAULT_COUNT = 50;
    static final int MAX_COUNT = 1000;
    static final int MAX_OFFSET = 100_000;
    private static final int MAX_DATE_PARAMS = 4;
    static final Set<String> KNOWN =
            Set.of(
                    "patient",
                    "subject",
                    "code",
                    "category",
                    "date",
                    "identifier",
                    "value-quantity",
                    "_count",
                    "_offset",
                    "_sort",
                    "_summary",
                    "_elements",
                    "_total",
                    "_format");

    /** Parameters written back into paging links as they were given, in this order. */
    private static final List<String> ECHOED =
            List.of(
                    "code",
                    "category",
                    "date",
                    "identifier",
                    "value-quantity",
                    "_summary",
                    "_elements",
                    "_total");

    /** What {@code _total} asks for: the default (known when one page holds every match). */
    enum Total {
        DEFAULT,
        ACCURATE,
        NONE
    }

    private SearchParams() {}

    /**
     * The result: a search, or an error message for a 400. {@code empty} means nothing can match.
     */
    record Parsed(
            ObservationSearch search,
            boolean empty,
            List<String> rawCodes,
            List<String> rawDates,
            String error,
            ObservationElements elements,
            boolean countOnly,
            Total total,
            List<String[]> echoed) {
        static Parsed error(String message) {
            return new Parsed(
                    null,
                    false,
                    List.of(),
                    List.of(),
                    message,
                    ObservationElements.ALL,
                    false,
                    Total.DEFAULT,
                    List.of());
        }

        /** A search with every element, the default total and nothing to echo but codes/dates. */
        Parsed(
                ObservationSearch search,
                boolean empty,
                List<String> rawCodes,
                List<String> rawDates) {
            this(
                    search,
                    empty,
                    rawCodes,
                    rawDates,
                    null,
                    ObservationElements.ALL,
                    false,
                    Total.DEFAULT,
                    echo(rawCodes, rawDates));
        }

        private static List<String[]> echo(List<String> codes, List<String> dates) {
            List<String[]> out = new ArrayList<>();
            codes.forEach(c -> out.add(new String[] {"code", c}));
            dates.forEach(d -> out.add(new String[] {"date", d}));
            return out;
        }
    }

    static Parsed parse(MultiMap params, ZoneId zone) {
        return parse(params, zone, System.currentTimeMillis() * 1000L);
    }

    static Parsed parse(MultiMap params, ZoneId zone, long nowMicros) {
        for (String name : params.names()) {
            if (!KNOWN.contains(name)) {
                return Parsed.error(
                        "Unknown search parameter '"
                                + clip(name)
                                + "'. Supported: "
                                + String.join(", ", KNOWN.stream().sorted().toList()));
            }
        }
        List<String> patients = new ArrayList<>(params.getAll("patient"));
        patients.addAll(params.getAll("subject"));
        if (patients.size() != 1) {
            return Parsed.error("Exactly one patient (or subject) parameter is required");
        }
        String patient = patients.get(0);
        if (patient.startsWith("Patient/")) {
            patient = patient.substring("Patient/".length());
        }
        if (!isFhirId(patient)) {
            return Parsed.error("patient must be a Patient id or Patient/{id}");
        }
        List<String> codes = new ArrayList<>();
        String codeError = codes(params, codes);
        if (codeError == null) {
            codeError = SearchFilters.category(params, codes);
        }
        if (codeError != null) {
            return Parsed.error(codeError);
        }
        List<DateBound> dates = new ArrayList<>();
        String dateError = dateBounds(params, zone, dates, nowMicros);
        if (dateError != null) {
            return Parsed.error(dateError);
        }
        SearchFilters.Result filter = SearchFilters.parse(params);
        if (filter.error() != null) {
            return Parsed.error(filter.error());
        }
        Parsed p = paged(params, patient, codes, dates);
        return p.error() != null ? p : shaped(params, p, filter.filter());
    }

    /**
     * The search with its filter on sealed values and what the answer holds: {@code _summary},
     * {@code _elements} and {@code _total}; or the error for a 400.
     */
    private static Parsed shaped(MultiMap params, Parsed p, ReadingFilter filter) {
        List<String> summaries = params.getAll("_summary");
        List<String> elementLists = params.getAll("_elements");
        List<String> totals = params.getAll("_total");
        if (summaries.size() > 1 || elementLists.size() > 1 || totals.size() > 1) {
            return Parsed.error("_summary, _elements and _total are each given at most once");
        }
        ObservationElements elements = ObservationElements.ALL;
        boolean countOnly = false;
        if (!summaries.isEmpty()) {
            if (!elementLists.isEmpty()) {
                return Parsed.error("_summary and _elements cannot be combined");
            }
            countOnly = summaries.get(0).equals("count");
            elements =
                    countOnly
                            ? ObservationElements.ALL
                            : ObservationElements.summary(summaries.get(0));
            if (elements == null) {
                return Parsed.error("_summary must be one of true, false, text, data, count");
            }
        } else if (!elementLists.isEmpty()) {
            elements = ObservationElements.parse(elementLists.get(0));
            if (elements == null) {
                return Parsed.error("_elements must name elements of Observation, comma-separated");
            }
        }
        Total total = Total.DEFAULT;
        if (!totals.isEmpty()) {
            total =
                    switch (totals.get(0)) {
                        case "accurate" -> Total.ACCURATE;
                        case "none" -> Total.NONE;
                        case "estimate" -> Total.DEFAULT;
                        default -> null;
                    };
            if (total == null) {
                return Parsed.error("_total must be one of none, estimate, accurate");
            }
        }
        List<String[]> echoed = new ArrayList<>();
        for (String name : ECHOED) {
            for (String value : params.getAll(name)) {
                echoed.add(new String[] {name, value});
            }
        }
        return new Parsed(
                p.search().filtered(filter),
                p.empty(),
                p.rawCodes(),
                p.rawDates(),
                null,
                elements,
                countOnly,
                total,
                echoed);
    }

    /**
     * The rest of the search, from {@code _count}, {@code _offset} and {@code _sort}: the search,
     * or the error for a 400.
     */
    private static Parsed paged(
            MultiMap params, String patient, List<String> codes, List<DateBound> dates) {
        Integer count = intParam(params, "_count", 0, MAX_COUNT);
        Integer offset = intParam(params, "_offset", 0, MAX_OFFSET);
        if (count == null || offset == null) {
            return Parsed.error(
                    "_count must be 0-"
                            + MAX_COUNT
                            + " and _offset 0-"
                            + MAX_OFFSET
                            + ", each given at most once");
        }
        List<String> sorts = params.getAll("_sort");
        boolean ascending = false;
        if (sorts.size() > 1
                || (sorts.size() == 1
                        && !sorts.get(0).equals("date")
                        && !sorts.get(0).equals("-date"))) {
            return Parsed.error("_sort supports date and -date");
        }
        if (sorts.size() == 1) {
            ascending = sorts.get(0).equals("date");
        }
        // code or category parameters that no stored code matches: nothing can match
        boolean empty =
                (!params.getAll("code").isEmpty() || !params.getAll("category").isEmpty())
                        && codes.isEmpty();
        return new Parsed(
                new ObservationSearch(
                        patient,
                        codes,
                        dates,
                        ascending,
                        count == -1 ? DEFAULT_COUNT : count,
                        offset == -1 ? 0 : offset),
                empty,
                params.getAll("code"),
                params.getAll("date"));
    }

    /**
     * Resolves the {@code code} parameters to the stored codes they match, into {@code out};
     * returns the message for the caller's 400, or null when all are valid.
     */
    private static String codes(MultiMap params, List<String> out) {
        // each code parameter is an OR of tokens; several code parameters must all match
        Set<String> codes = null;
        for (String codeParam : params.getAll("code")) {
            Set<String> or = new LinkedHashSet<>();
            for (String token : codeParam.split(",", -1)) {
                int bar = token.indexOf('|');
                String system = bar >= 0 ? token.substring(0, bar) : null;
                String code = bar >= 0 ? token.substring(bar + 1) : token;
                if (code.isEmpty()) {
                    return "code needs a code: [system|]code";
                }
                or.addAll(ReadingType.storedCodesMatching(system, code));
            }
            if (codes == null) {
                codes = or;
            } else {
                codes.retainAll(or);
            }
        }
        if (codes != null) {
            out.addAll(codes);
        }
        return null;
    }

    /**
     * Parses the {@code date} parameters (at most four, each with an optional prefix: eq, ne, gt,
     * ge, lt, le, sa, eb, ap) into {@code out}; returns the message for the caller's 400, or null
     * when all are valid. {@code ap} widens the value's range by a tenth of its distance from now
     * (at least a minute), as FHIR recommends.
     */
    static String dateBounds(MultiMap params, ZoneId zone, List<DateBound> out) {
        return dateBounds(params, zone, out, System.currentTimeMillis() * 1000L);
    }

    static String dateBounds(MultiMap params, ZoneId zone, List<DateBound> out, long nowMicros) {
        List<String> dateParams = params.getAll("date");
        if (dateParams.size() > MAX_DATE_PARAMS) {
            return "At most " + MAX_DATE_PARAMS + " date parameters";
        }
        for (String d : dateParams) {
            DatePrefix prefix = DatePrefix.EQ;
            String value = d;
            if (d.length() >= 2 && Character.isLetter(d.charAt(0))) {
                prefix = DatePrefix.of(d.substring(0, 2));
                if (prefix == null) {
                    return "date prefix must be one of eq, ne, gt, ge, lt, le, sa, eb, ap";
                }
                value = d.substring(2);
            }
            long[] range = FhirDates.range(value, zone);
            if (range == null) {
                return "date must be a FHIR date or dateTime, e.g. ge2026-11-22 or lt2026-11-22T09:00:00+07:00";
            }
            if (prefix == DatePrefix.AP) {
                long gap = Math.max(Math.abs(nowMicros - range[0]), Math.abs(nowMicros - range[1]));
                long margin = Math.max(gap / 10, 60_000_000L);
                range = new long[] {range[0] - margin, range[1] + margin};
            }
            out.add(new DateBound(prefix, range[0], range[1]));
        }
        return null;
    }

    /** -1 when absent, null when invalid. */
    static Integer intParam(MultiMap params, String name, int min, int max) {
        List<String> all = params.getAll(name);
        if (all.isEmpty()) {
            return -1;
        }
        if (all.size() > 1 || all.get(0).length() > 7) {
            return null;
        }
        try {
            int v = Integer.parseInt(all.get(0));
            return v >= min && v <= max ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    public static boolean isFhirId(String id) {
        if (id.isEmpty() || id.length() > 64) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.')) {
                return false;
            }
        }
        return true;
    }

    static String clip(String s) {
        String printable = s.replaceAll("[^A-Za-z0-9_:.-]", "?");
        return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
    }
}

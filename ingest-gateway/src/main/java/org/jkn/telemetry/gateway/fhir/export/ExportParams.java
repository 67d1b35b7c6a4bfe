package org.jkn.telemetry.gateway.fhir.export;

import io.vertx.core.MultiMap;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checked headers and parameters of a bulk export kick-off (Bulk Data Access IG v2): {@code
 * Prefer: respond-async} and a JSON {@code Accept} are required; {@code _outputFormat} must be
 * NDJSON; {@code _since} a FHIR instant (with time and offset); {@code _type} resource types
 * exported here. Any other parameter is refused rather than ignored: an export quietly wider than
 * asked for discloses more than meant. Stateless.
 */
public final class ExportParams {

    /** The resource types an export can hold, in the order their files are listed. */
    public static final List<String> TYPES = List.of("Patient", "Observation");

    /**
     * {@code _format} is negotiated for every FHIR route (errors come in it); HAPI's client sends
     * it.
     */
    private static final Set<String> KNOWN = Set.of("_outputFormat", "_since", "_type", "_format");

    private static final Set<String> FORMATS =
            Set.of(
                    "application/fhir+ndjson",
                    // '+' left unencoded in a query string arrives as a space
                    "application/fhir ndjson",
                    "application/ndjson",
                    "ndjson");
    private static final int MAX_VALUE_CHARS = 256;
    private static final Pattern INSTANT =
            Pattern.compile(
                    "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})");

    /** The request as checked: the types asked for (empty: every type the caller may read). */
    public record Parsed(List<String> types, long sinceMicros, String error) {

        /** No {@code _since}: everything. */
        public static final long NO_SINCE = Long.MIN_VALUE;

        static Parsed error(String message) {
            return new Parsed(List.of(), NO_SINCE, message);
        }
    }

    private ExportParams() {}

    public static Parsed parse(MultiMap params, String prefer, String accept) {
        if (prefer == null
                || !prefer.toLowerCase(java.util.Locale.ROOT).contains("respond-async")) {
            return Parsed.error("A bulk export needs the header Prefer: respond-async");
        }
        if (accept == null
                || !(accept.contains("application/fhir+json")
                        || accept.contains("application/json")
                        || accept.contains("*/*"))) {
            return Parsed.error("A bulk export needs the header Accept: application/fhir+json");
        }
        for (String name : params.names()) {
            if (!KNOWN.contains(name)) {
                return Parsed.error("Bulk export supports _outputFormat, _since and _type only");
            }
            if (params.getAll(name).size() != 1) {
                return Parsed.error(name + " may be given once");
            }
            if (params.get(name).length() > MAX_VALUE_CHARS) {
                return Parsed.error(name + " is too long");
            }
        }
        String format = params.get("_outputFormat");
        if (format != null && !FORMATS.contains(format)) {
            return Parsed.error("_outputFormat supports application/fhir+ndjson only");
        }
        List<String> types = new ArrayList<>();
        String typeError = types(params.get("_type"), types);
        if (typeError != null) {
            return Parsed.error(typeError);
        }
        String since = params.get("_since");
        if (since == null) {
            return new Parsed(List.copyOf(types), Parsed.NO_SINCE, null);
        }
        Long micros = instantMicros(since);
        return micros == null
                ? Parsed.error("_since must be a FHIR instant, e.g. 2026-11-22T08:00:00+07:00")
                : new Parsed(List.copyOf(types), micros, null);
    }

    /** The types of {@code _type} in {@link #TYPES} order, or an error; none: out stays empty. */
    private static String types(String value, List<String> out) {
        if (value == null) {
            return null;
        }
        List<String> named = List.of(value.split(",", -1));
        for (String t : named) {
            if (!TYPES.contains(t)) {
                return "_type supports " + String.join(" and ", TYPES) + " only";
            }
        }
        for (String t : TYPES) {
            if (named.contains(t)) {
                out.add(t);
            }
        }
        return null;
    }

    private static Long instantMicros(String text) {
        if (!INSTANT.matcher(text).matches()) {
            return null;
        }
        try {
            OffsetDateTime t = OffsetDateTime.parse(text);
            return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

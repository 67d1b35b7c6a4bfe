package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.MultiMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Type;
import org.jkn.telemetry.normalizer.catalog.ReadingType;

/**
 * What the Observation operations' parameters share: a POSTed Parameters resource read as the query
 * string the same call would have with GET (a Coding as {@code system|code}, a Period as {@code
 * start/end}), the patient reference, and codes resolved to the stored codes they match.
 */
final class OperationParams {

    /** Enough for every documented use; more is a request built to cost. */
    static final int MAX_VALUES = 20;

    private static final int MAX_VALUE_LENGTH = 200;

    private OperationParams() {}

    /**
     * The parameters of a POSTed body as GET would carry them, or null when one is of a type no
     * operation takes (a resource, a part, a complex type other than Coding and Period).
     */
    static MultiMap fromBody(Parameters body) {
        MultiMap out = MultiMap.caseInsensitiveMultiMap();
        for (ParametersParameterComponent p : body.getParameter()) {
            String value = text(p.getValue());
            if (p.getName() == null || value == null || p.hasPart() || p.hasResource()) {
                return null;
            }
            out.add(p.getName(), value);
        }
        return out;
    }

    private static String text(Type value) {
        if (value instanceof Coding c) {
            return (c.hasSystem() ? c.getSystem() + "|" : "") + c.getCode();
        }
        if (value instanceof Period p) {
            return p.getStartElement().getValueAsString()
                    + "/"
                    + p.getEndElement().getValueAsString();
        }
        if (value instanceof IPrimitiveType<?> primitive) {
            return primitive.getValueAsString();
        }
        return null;
    }

    /**
     * The message for a 400 when a parameter is unknown, repeated beyond {@link #MAX_VALUES} or too
     * long; null when all are acceptable.
     */
    static String unknownOrOversized(MultiMap params, Set<String> known, String operation) {
        for (String name : params.names()) {
            if (!known.contains(name)) {
                return "Unknown parameter '"
                        + SearchParams.clip(name)
                        + "' for "
                        + operation
                        + ". Supported: "
                        + String.join(", ", new TreeSet<>(known));
            }
            List<String> values = params.getAll(name);
            if (values.size() > MAX_VALUES) {
                return "At most " + MAX_VALUES + " values of " + name;
            }
            for (String v : values) {
                if (v == null || v.length() > MAX_VALUE_LENGTH) {
                    return name + " is longer than " + MAX_VALUE_LENGTH + " characters";
                }
            }
        }
        return null;
    }

    /** The patient id of {@code Patient/{id}} or {@code {id}}, or null when it is neither. */
    static String patientId(String reference) {
        String id =
                reference.startsWith("Patient/")
                        ? reference.substring("Patient/".length())
                        : reference;
        return SearchParams.isFhirId(id) ? id : null;
    }

    /**
     * The stored codes of each token ({@code [system|]code}, comma-separated ORs), intersected over
     * the parameters as search does; null when a token has no code.
     */
    static Set<String> storedCodes(List<String> params) {
        Set<String> codes = null;
        for (String param : params) {
            Set<String> or = new LinkedHashSet<>();
            for (String token : param.split(",", -1)) {
                int bar = token.indexOf('|');
                String code = bar >= 0 ? token.substring(bar + 1) : token;
                if (code.isEmpty()) {
                    return null;
                }
                or.addAll(
                        ReadingType.storedCodesMatching(
                                bar >= 0 ? token.substring(0, bar) : null, code));
            }
            if (codes == null) {
                codes = or;
            } else {
                codes.retainAll(or);
            }
        }
        return codes == null ? Set.of() : codes;
    }
}

package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jkn.telemetry.normalizer.catalog.Category;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.store.query.LatestQuery;

/**
 * Checks the parameters of {@code Observation/$lastn} (R4 OperationDefinition Observation-lastn):
 * one patient ({@code patient} or {@code subject}), {@code category} and/or {@code code} (the
 * operation requires one of them), and {@code max} (1 to {@value LatestQuery#MAX}, default 1).
 * Unknown parameters are refused, as in search. A group is a reading type: the Observations of one
 * type share their primary code, and the other codings they carry are translations of it.
 */
final class LastnParams {

    private static final Set<String> KNOWN =
            Set.of("patient", "subject", "category", "code", "max", "_format");

    private LastnParams() {}

    /**
     * A checked request: the patient, the reading types it can match (before consent), the stored
     * codes to keep (empty: any), and {@code max}; or the message for a 400.
     */
    record Parsed(
            String patientId,
            List<ReadingType> types,
            Set<String> storedCodes,
            int max,
            String shape,
            String error) {

        static Parsed error(String message) {
            return new Parsed(null, List.of(), Set.of(), 0, null, message);
        }
    }

    static Parsed parse(MultiMap params) {
        String unknown = OperationParams.unknownOrOversized(params, KNOWN, "$lastn");
        if (unknown != null) {
            return Parsed.error(unknown);
        }
        List<String> patients = new ArrayList<>(params.getAll("patient"));
        patients.addAll(params.getAll("subject"));
        String patient = patients.size() == 1 ? OperationParams.patientId(patients.get(0)) : null;
        if (patient == null) {
            return Parsed.error("Exactly one patient (or subject): a Patient id or Patient/{id}");
        }
        List<String> categoryParams = params.getAll("category");
        List<String> codeParams = params.getAll("code");
        if (categoryParams.isEmpty() && codeParams.isEmpty()) {
            return Parsed.error("$lastn needs a category or a code parameter");
        }
        Set<String> codes = OperationParams.storedCodes(codeParams);
        if (codes == null) {
            return Parsed.error("code needs a code: [system|]code");
        }
        Set<Category> categories = categories(categoryParams);
        if (categories == null) {
            return Parsed.error("category needs a code: [system|]code");
        }
        Integer max = SearchParams.intParam(params, "max", 1, LatestQuery.MAX);
        if (max == null) {
            return Parsed.error("max must be a whole number 1-" + LatestQuery.MAX + ", given once");
        }
        List<ReadingType> types = new ArrayList<>();
        for (ReadingType t : ReadingType.values()) {
            boolean categoryMatches = categoryParams.isEmpty() || categories.contains(t.category());
            boolean codeMatches =
                    codeParams.isEmpty() || !Collections.disjoint(codes, t.storedCodes());
            if (categoryMatches && codeMatches) {
                types.add(t);
            }
        }
        int n = max == -1 ? 1 : max;
        return new Parsed(patient, types, codes, n, shape(types, n), null);
    }

    /**
     * The observation categories the {@code category} parameters name (comma-separated ORs,
     * intersected over parameters); codes of other systems match nothing. Null for an empty token.
     */
    private static Set<Category> categories(List<String> params) {
        Set<Category> all = Set.of(Category.values());
        Set<Category> out = new HashSet<>(all);
        for (String param : params) {
            Set<Category> or = new HashSet<>();
            for (String token : param.split(",", -1)) {
                int bar = token.indexOf('|');
                String system = bar >= 0 ? token.substring(0, bar) : "";
                String code = bar >= 0 ? token.substring(bar + 1) : token;
                if (code.isEmpty()) {
                    return null;
                }
                for (Category c : all) {
                    if (c.code().equals(code)
                            && (system.isEmpty() || system.equals(Category.SYSTEM))) {
                        or.add(c);
                    }
                }
            }
            out.retainAll(or);
        }
        return out;
    }

    /**
     * The request as recorded in the trail: the reading types it resolved to (never the raw text)
     * and max; the patient is recorded apart.
     */
    private static String shape(List<ReadingType> types, int max) {
        StringBuilder s = new StringBuilder("Observation/$lastn?types=");
        for (int i = 0; i < types.size(); i++) {
            s.append(i == 0 ? "" : ",").append(types.get(i).wireName());
        }
        return s.append("&max=").append(max).toString();
    }
}

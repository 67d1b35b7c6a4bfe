package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.MultiMap;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jkn.telemetry.store.audit.AuditSearch;
import org.jkn.telemetry.store.query.DateBound;

/**
 * Checks the parameters of {@code GET /fhir/AuditEvent}: {@code patient} (at most one), {@code
 * date} on the recorded time, {@code _count}, {@code _offset}, {@code _sort=-date}. Anything else
 * is a 400, as for Observation searches. Who may search which patient is decided by the caller.
 */
final class AuditSearchParams {

    private static final Set<String> KNOWN =
            Set.of("patient", "date", "_count", "_offset", "_sort", "_format");

    private AuditSearchParams() {}

    /** A search ({@code patientId} null when none was given), or an error message for a 400. */
    record Parsed(AuditSearch search, List<String> rawDates, String error) {
        static Parsed error(String message) {
            return new Parsed(null, List.of(), message);
        }

        /** The same search narrowed to one patient (a patient token's own). */
        Parsed forPatient(String patientId) {
            return new Parsed(
                    new AuditSearch(patientId, search.dates(), search.count(), search.offset()),
                    rawDates,
                    null);
        }
    }

    static Parsed parse(MultiMap params, ZoneId zone) {
        for (String name : params.names()) {
            if (!KNOWN.contains(name)) {
                return Parsed.error(
                        "Unknown search parameter '"
                                + SearchParams.clip(name)
                                + "'. Supported: patient, date, _count, _offset, _sort");
            }
        }
        List<String> patients = params.getAll("patient");
        if (patients.size() > 1) {
            return Parsed.error("At most one patient parameter");
        }
        String patient = null;
        if (patients.size() == 1) {
            patient = patients.get(0);
            if (patient.startsWith("Patient/")) {
                patient = patient.substring("Patient/".length());
            }
            if (!SearchParams.isFhirId(patient)) {
                return Parsed.error("patient must be a Patient id or Patient/{id}");
            }
        }
        List<DateBound> dates = new ArrayList<>();
        String dateError = SearchParams.dateBounds(params, zone, dates);
        if (dateError != null) {
            return Parsed.error(dateError);
        }
        Integer count = SearchParams.intParam(params, "_count", 0, SearchParams.MAX_COUNT);
        Integer offset = SearchParams.intParam(params, "_offset", 0, SearchParams.MAX_OFFSET);
        if (count == null || offset == null) {
            return Parsed.error(
                    "_count must be 0-"
                            + SearchParams.MAX_COUNT
                            + " and _offset 0-"
                            + SearchParams.MAX_OFFSET
                            + ", each given at most once");
        }
        List<String> sorts = params.getAll("_sort");
        if (sorts.size() > 1 || (sorts.size() == 1 && !sorts.get(0).equals("-date"))) {
            return Parsed.error("_sort supports -date only (newest first)");
        }
        return new Parsed(
                new AuditSearch(
                        patient,
                        dates,
                        count == -1 ? SearchParams.DEFAULT_COUNT : count,
                        offset == -1 ? 0 : offset),
                params.getAll("date"),
                null);
    }
}

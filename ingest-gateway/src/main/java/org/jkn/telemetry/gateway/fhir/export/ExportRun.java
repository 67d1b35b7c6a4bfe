package org.jkn.telemetry.gateway.fhir.export;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Patient;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.gateway.consent.Disclosure;
import org.jkn.telemetry.store.audit.AuditActor;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditOutcome;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.query.DateBound;
import org.jkn.telemetry.store.query.DatePrefix;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;

/**
 * The work of one export, on an export worker: for each patient, consent is decided again (it may
 * have changed since the kick-off), the disclosed Observations are read from the store oldest
 * first, a page at a time, and each is written as one NDJSON line; then the patient's export is
 * recorded in the audit trail, before any file is offered. A patient whose consent no longer
 * discloses anything to the caller is skipped and recorded as refused.
 *
 * <p>{@code _since} compares with {@code meta.lastUpdated} (when the reading was received), which
 * the store cannot select by: every disclosed reading is read and the older ones are skipped here.
 */
public final class ExportRun implements ExportJobs.Work {

    /** What every export reads from and writes to. Thread-safe, shared by all jobs. */
    public record Sources(
            ReadingQueries queries,
            Disclosure disclosure,
            Auditor auditor,
            FhirContext fhir,
            Supplier<ObservationLines> lines,
            int fileMaxResources) {}

    /** Readings per store search: enough to amortise a search, few enough to bound memory. */
    private static final int PAGE = 5_000;

    private final Sources sources;
    private final Principal caller;
    private final AuditActor actor;
    private final Callable<List<String>> patients;
    private final List<String> types;
    private final long sinceMicros;
    private final String shape;

    /**
     * @param patients the patients to export, resolved on the worker (a group can be large)
     * @param types the resource types to export, of {@link ExportParams#TYPES}
     * @param shape the kick-off as the audit trail records it
     */
    public ExportRun(
            Sources sources,
            Principal caller,
            AuditActor actor,
            Callable<List<String>> patients,
            List<String> types,
            long sinceMicros,
            String shape) {
        this.sources = sources;
        this.caller = caller;
        this.actor = actor;
        this.patients = patients;
        this.types = List.copyOf(types);
        this.sinceMicros = sinceMicros;
        this.shape = shape;
    }

    @Override
    public List<OutputFile> run(ExportJob job) throws Exception {
        List<String> ids = patients.call();
        job.patientsTotal(ids.size());
        ObservationLines lines = sources.lines().get();
        IParser parser = sources.fhir().newJsonParser().setPrettyPrint(false);
        NdjsonFiles patientFiles =
                new NdjsonFiles(job.directory(), "Patient", sources.fileMaxResources());
        NdjsonFiles observationFiles =
                new NdjsonFiles(job.directory(), "Observation", sources.fileMaxResources());
        try (patientFiles;
                observationFiles) {
            for (String patient : ids) {
                checkCancelled(job);
                int allowed = sources.disclosure().allowed(caller, patient, Disclosure.nowMicros());
                if (allowed == 0) {
                    sources.auditor()
                            .record(
                                    entry(patient, 0)
                                            .withOutcome(
                                                    AuditOutcome.MINOR_FAILURE,
                                                    RefusalCode.CONSENT_REQUIRED.code()));
                    job.patientDone(0);
                    continue;
                }
                long written = 0;
                if (types.contains("Patient") && sources.queries().patientExists(patient)) {
                    String line = parser.encodeResourceToString(patient(patient));
                    patientFiles.append(out -> out.write(line.getBytes(StandardCharsets.UTF_8)));
                    written++;
                }
                if (types.contains("Observation")) {
                    written += observations(job, patient, allowed, observationFiles, lines);
                }
                sources.auditor().record(entry(patient, written));
                job.patientDone(written);
            }
        }
        List<OutputFile> files = new ArrayList<>(patientFiles.files());
        files.addAll(observationFiles.files());
        return files;
    }

    /**
     * Writes the patient's disclosed Observations received at or after {@code _since}, oldest
     * first; returns how many. Pages follow each other by start time (a search from the last start
     * seen, skipping what was written already), so a page costs the same however deep it is.
     */
    private long observations(
            ExportJob job, String patient, int allowed, NdjsonFiles files, ObservationLines lines)
            throws Exception {
        long written = 0;
        long lastStart = Long.MIN_VALUE;
        Set<String> atLastStart = new HashSet<>();
        while (true) {
            checkCancelled(job);
            List<DateBound> from =
                    lastStart == Long.MIN_VALUE
                            ? List.of()
                            : List.of(new DateBound(DatePrefix.GE, lastStart, lastStart + 1));
            List<StoredReading> page =
                    sources.queries()
                            .search(
                                    new ObservationSearch(
                                            patient, List.of(), from, true, PAGE, 0, allowed));
            boolean progressed = false;
            for (int i = 0; i < Math.min(page.size(), PAGE); i++) {
                StoredReading r = page.get(i);
                // a period that began before the last start still overlaps it: written already
                if (r.startMicros() < lastStart
                        || (r.startMicros() == lastStart
                                && atLastStart.contains(r.observationId()))) {
                    continue;
                }
                progressed = true;
                if (r.startMicros() != lastStart) {
                    lastStart = r.startMicros();
                    atLastStart.clear();
                }
                atLastStart.add(r.observationId());
                if (r.receivedMicros() >= sinceMicros) {
                    files.append(out -> lines.write(r, out));
                    written++;
                }
            }
            if (page.size() <= PAGE) {
                return written;
            }
            if (!progressed) {
                // more readings share one start than a page holds: paging by start cannot go on
                throw new IllegalStateException("bulk export paging stalled");
            }
        }
    }

    private AuditEntry entry(String patient, long written) {
        return new AuditEntry(
                patient,
                Interaction.OPERATION,
                types.contains("Observation") ? "Observation" : "Patient",
                null,
                shape + "&resources=" + written,
                AuditOutcome.SUCCESS,
                null,
                actor);
    }

    private static void checkCancelled(ExportJob job) {
        if (job.cancelled()) {
            throw new CancellationException("bulk export cancelled");
        }
    }

    /** The NIK is not stored, so a Patient carries only its pseudonymous id (as when read). */
    private static Patient patient(String id) {
        Patient p = new Patient();
        p.setId(id);
        p.setActive(true);
        return p;
    }
}

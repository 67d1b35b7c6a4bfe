package org.jkn.telemetry.gateway.fhir;

import ca.uhn.fhir.context.FhirContext;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.audit.RefusalRecorder;
import org.jkn.telemetry.gateway.auth.AuthResponses;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.consent.ConsentApi;
import org.jkn.telemetry.gateway.consent.Disclosure;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditOutcome;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.jkn.telemetry.store.crypto.PatientErasure;
import org.jkn.telemetry.store.db.TransactionStep;
import org.jkn.telemetry.store.query.ObservationSearch;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.jkn.telemetry.store.query.StoredReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The FHIR R4 REST API under {@code /fhir}: metadata, Observation read and search, Patient read,
 * search by NIK and delete (erasure), AuditEvent read and search, and the Consent routes of {@link
 * ConsentApi}. Database calls run on worker threads; results are rendered with HAPI FHIR. A stored
 * reading that fails to decrypt fails the whole request closed (500, its stable code in the
 * OperationOutcome, counted in {@code telemetry_decryption_failures_total}).
 *
 * <p>Every route but {@code /fhir/metadata} runs after authentication; {@link FhirAccess} decides
 * from the token who may search or read what, and {@link Disclosure} narrows what a clinician sees
 * to the categories the patient's consent discloses to them. Every read and search of health data
 * commits its audit record (refusals included) before the response is sent; when the record cannot
 * be written the request is refused (503) and nothing is disclosed.
 */
public final class FhirApi {

    /**
     * Erases a patient (crypto-shredding), with {@code alsoIfFound} in the erasure's transaction;
     * blocking.
     */
    @FunctionalInterface
    public interface Eraser {
        PatientErasure.Result erase(String patientId, TransactionStep alsoIfFound) throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(FhirApi.class);

    private final Vertx vertx;
    private final ReadingQueries queries;
    private final Pseudonymizer pseudonymizer;
    private final ZoneId searchZone;
    private final FhirResponses responses;
    private final ObservationRenderer renderer = new ObservationRenderer();
    private final CapabilityStatement capabilities;
    private final Metrics metrics;
    private final Eraser eraser;
    private final Auditor auditor;
    private final AuditEventApi auditEvents;

    private static final String PATIENT_SCOPES =
            "patient/Patient.rs for the patient's own record, user/Patient.rs for a clinician";
    private final AuthResponses auth;
    private final ConsentApi consents;
    private final Disclosure disclosure;

    public FhirApi(
            Vertx vertx,
            FhirContext fhir,
            ReadingQueries queries,
            Pseudonymizer pseudonymizer,
            ZoneId searchZone,
            AuthResponses auth,
            ConsentApi consents,
            Disclosure disclosure,
            Metrics metrics,
            Eraser eraser,
            Auditor auditor) {
        this.vertx = vertx;
        this.auth = auth;
        this.consents = consents;
        this.disclosure = disclosure;
        this.metrics = metrics;
        this.eraser = eraser;
        this.auditor = auditor;
        this.queries = queries;
        this.pseudonymizer = pseudonymizer;
        this.searchZone = searchZone;
        this.responses = new FhirResponses(fhir);
        this.capabilities = CapabilityStatements.build(new Date());
        this.auditEvents = new AuditEventApi(vertx, responses, auditor, auth, searchZone);
    }

    public void mount(Router router) {
        router.route("/fhir/*")
                .handler(
                        ctx -> {
                            if (FhirResponses.negotiate(ctx) == null) {
                                responses.error(
                                        ctx,
                                        406,
                                        IssueType.NOTSUPPORTED,
                                        "Supported formats: application/fhir+json, application/fhir+xml");
                                return;
                            }
                            ctx.next();
                        });
        router.get("/fhir/metadata").handler(ctx -> responses.send(ctx, 200, capabilities));
        router.get("/fhir/Observation").handler(this::searchObservations);
        router.get("/fhir/Observation/:id").handler(this::readObservation);
        router.get("/fhir/Patient").handler(this::searchPatients);
        router.get("/fhir/Patient/:id").handler(this::readPatient);
        consents.mount(router);
        router.delete("/fhir/Patient/:id").handler(this::erasePatient);
        auditEvents.mount(router);
        router.route("/fhir/*")
                .handler(
                        ctx ->
                                responses.error(
                                        ctx,
                                        404,
                                        IssueType.NOTSUPPORTED,
                                        "Not supported here; see /fhir/metadata for what is"));
    }

    /** Answers a refusal; true when the request may go on. */
    private boolean allowed(RoutingContext ctx, FhirAccess.Decision d, String scope) {
        switch (d) {
            case ALLOW -> {
                return true;
            }
            case OTHER_PATIENT -> {
                ctx.put(RefusalRecorder.REASON, "patient-mismatch");
                auth.forbidden(
                        ctx,
                        "patient-mismatch",
                        "a patient token searches only its own patient's data (name it with patient=)");
                return false;
            }
            default -> {
                ctx.put(RefusalRecorder.REASON, "insufficient-scope");
                auth.insufficientScope(ctx, scope);
                return false;
            }
        }
    }

    private void searchObservations(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!allowed(
                ctx,
                FhirAccess.search(
                        principal, "Observation", FhirAccess.searchedPatients(ctx.queryParams())),
                "patient/Observation.rs for a patient's own data, user/Observation.rs for a clinician")) {
            return;
        }
        SearchParams.Parsed p = SearchParams.parse(ctx.queryParams(), searchZone);
        if (p.error() != null) {
            responses.error(ctx, 400, IssueType.INVALID, p.error());
            return;
        }
        ObservationSearch q = p.search();
        AuditEntry audit =
                Auditor.entry(
                        ctx, q.patientId(), Interaction.SEARCH_TYPE, "Observation", null, shape(p));
        audited(
                ctx,
                () -> {
                    int allowed =
                            disclosure.allowed(principal, q.patientId(), Disclosure.nowMicros());
                    if (allowed == 0) {
                        return null;
                    }
                    // the categories go into the SQL, so pages stay full and totals count only what
                    // is shown
                    return p.empty() || q.count() == 0
                            ? List.<StoredReading>of()
                            : queries.search(q.onlyCategories(allowed));
                },
                rows ->
                        rows == null
                                ? audit.withOutcome(AuditOutcome.MINOR_FAILURE, "consent-required")
                                : audit,
                audit,
                rows -> {
                    if (rows == null) {
                        responses.error(
                                ctx,
                                403,
                                IssueType.FORBIDDEN,
                                "No consent of this patient permits disclosure of their data to you");
                    } else {
                        responses.send(ctx, 200, searchset(ctx, p, rows));
                    }
                });
    }

    /**
     * The search as recorded in the trail: the catalogue codes it resolved to (never the raw text,
     * which could hold anything), the checked dates and the page; the patient is recorded apart.
     */
    private static String shape(SearchParams.Parsed p) {
        ObservationSearch q = p.search();
        StringBuilder s = new StringBuilder("Observation?");
        if (!p.rawCodes().isEmpty()) {
            s.append("code=").append(String.join(",", q.codes())).append('&');
        }
        for (String d : p.rawDates()) {
            s.append("date=").append(URLEncoder.encode(d, StandardCharsets.UTF_8)).append('&');
        }
        s.append("_sort=").append(q.ascending() ? "date" : "-date");
        s.append("&_count=").append(q.count()).append("&_offset=").append(q.offset());
        return s.toString();
    }

    private Bundle searchset(RoutingContext ctx, SearchParams.Parsed p, List<StoredReading> rows) {
        ObservationSearch q = p.search();
        String base = base(ctx);
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.getMeta().setLastUpdated(new Date());
        String self = base + "/Observation?" + query(p, q.offset());
        b.addLink().setRelation("self").setUrl(self);
        boolean more = rows.size() > q.count();
        if (more) {
            b.addLink()
                    .setRelation("next")
                    .setUrl(base + "/Observation?" + query(p, q.offset() + q.count()));
        }
        if (q.offset() > 0) {
            b.addLink()
                    .setRelation("previous")
                    .setUrl(base + "/Observation?" + query(p, Math.max(0, q.offset() - q.count())));
        }
        int n = Math.min(rows.size(), q.count());
        for (int i = 0; i < n; i++) {
            StoredReading r = rows.get(i);
            b.addEntry()
                    .setFullUrl(base + "/Observation/" + r.observationId())
                    .setResource(renderer.render(r))
                    .getSearch()
                    .setMode(Bundle.SearchEntryMode.MATCH);
        }
        if (!more && q.offset() == 0 && q.count() > 0) {
            b.setTotal(
                    n); // known only when this page holds every match; _count=0 reads nothing, so
            // says nothing
        }
        return b;
    }

    /** The checked search written back as a query string, for paging links. */
    private static String query(SearchParams.Parsed p, int offset) {
        ObservationSearch q = p.search();
        StringBuilder s = new StringBuilder("patient=").append(q.patientId());
        for (String c : p.rawCodes()) {
            s.append("&code=").append(URLEncoder.encode(c, StandardCharsets.UTF_8));
        }
        for (String d : p.rawDates()) {
            s.append("&date=").append(URLEncoder.encode(d, StandardCharsets.UTF_8));
        }
        s.append("&_sort=").append(q.ascending() ? "date" : "-date");
        s.append("&_count=").append(q.count()).append("&_offset=").append(offset);
        return s.toString();
    }

    private void readObservation(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!allowed(
                ctx,
                FhirAccess.read(principal, "Observation"),
                "patient/Observation.r or user/Observation.r")) {
            return;
        }
        String id = ctx.pathParam("id");
        // another patient's, or of a category not disclosed, answers like absent: a 403 would
        // confirm
        // that the reading exists, and that the patient has data of that category; it is recorded
        // as refused for the patient it concerns
        audited(
                ctx,
                () -> queries.read(id).map(r -> new Seen(r, refusal(principal, r))).orElse(null),
                seen -> {
                    if (seen == null) {
                        return null;
                    }
                    AuditEntry e =
                            Auditor.entry(
                                    ctx,
                                    seen.reading().patientId(),
                                    Interaction.READ,
                                    "Observation",
                                    seen.reading().observationId(),
                                    null);
                    return seen.refusal() == null
                            ? e
                            : e.withOutcome(AuditOutcome.MINOR_FAILURE, seen.refusal());
                },
                null,
                seen -> {
                    if (seen != null && seen.refusal() == null) {
                        responses.send(ctx, 200, renderer.render(seen.reading()));
                    } else {
                        responses.error(ctx, 404, IssueType.NOTFOUND, "Observation not found");
                    }
                });
    }

    /** A reading found, and why this caller may not see it (null when it may). */
    private record Seen(StoredReading reading, String refusal) {}

    /**
     * Why this caller may not see this reading (a stable code), or null when it may. Worker thread:
     * consent may query.
     */
    private String refusal(Principal principal, StoredReading r) {
        if (!FhirAccess.owns(principal, r.patientId())) {
            return "patient-mismatch";
        }
        return (disclosure.allowed(principal, r.patientId(), Disclosure.nowMicros())
                                & r.type().dataCategory().bit())
                        == 0
                ? "consent-required"
                : null;
    }

    private void searchPatients(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!allowed(ctx, FhirAccess.scope(principal, "Patient", 's'), PATIENT_SCOPES)) {
            return;
        }
        for (String name : ctx.queryParams().names()) {
            if (!name.equals("identifier") && !name.equals("_format")) {
                responses.error(
                        ctx, 400, IssueType.INVALID, "Patient search supports identifier only");
                return;
            }
        }
        List<String> ids = ctx.queryParams().getAll("identifier");
        if (ids.size() != 1) {
            responses.error(
                    ctx,
                    400,
                    IssueType.INVALID,
                    "Exactly one identifier parameter is required: " + Nik.SYSTEM + "|{NIK}");
            return;
        }
        String token = ids.get(0);
        int bar = token.indexOf('|');
        String system = bar >= 0 ? token.substring(0, bar) : null;
        String value = bar >= 0 ? token.substring(bar + 1) : token;
        Bundle empty = new Bundle().setType(Bundle.BundleType.SEARCHSET).setTotal(0);
        if (system != null && !system.isEmpty() && !system.equals(Nik.SYSTEM)) {
            responses.send(ctx, 200, empty); // no other identifier system is held here
            return;
        }
        if (!Nik.isValid(value)) {
            responses.error(
                    ctx, 400, IssueType.INVALID, "identifier value must be a valid 16-digit NIK");
            return;
        }
        String patientId = pseudonymizer.patientId(value);
        ctx.put(
                RefusalRecorder.PATIENT,
                patientId); // so a refusal below is recorded under this patient
        if (!allowed(
                ctx, FhirAccess.search(principal, "Patient", List.of(patientId)), PATIENT_SCOPES)) {
            return; // a patient asking whether another NIK is a participant: that alone is personal
            // data
        }
        // the trail keeps the pseudonym the NIK maps to, never the NIK
        AuditEntry audit =
                Auditor.entry(
                        ctx,
                        patientId,
                        Interaction.SEARCH_TYPE,
                        "Patient",
                        null,
                        "Patient?identifier=" + Nik.SYSTEM + "|*");
        audited(
                ctx,
                () -> queries.patientExists(patientId),
                exists -> audit,
                audit,
                exists -> {
                    Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
                    if (exists) {
                        b.addEntry()
                                .setFullUrl(base(ctx) + "/Patient/" + patientId)
                                .setResource(patient(patientId))
                                .getSearch()
                                .setMode(Bundle.SearchEntryMode.MATCH);
                    }
                    b.setTotal(exists ? 1 : 0);
                    responses.send(ctx, 200, b);
                });
    }

    private void readPatient(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!allowed(ctx, FhirAccess.read(principal, "Patient"), PATIENT_SCOPES)) {
            return;
        }
        String id = ctx.pathParam("id");
        if (!SearchParams.isFhirId(id)) {
            responses.error(ctx, 404, IssueType.NOTFOUND, "Patient not found");
            return;
        }
        if (!FhirAccess.owns(principal, id)) {
            // another patient's record: answered as absent, recorded as refused when the id can be
            // a patient
            AuditEntry refused =
                    Auditor.entry(
                                    ctx,
                                    id,
                                    Interaction.READ,
                                    "Patient",
                                    Auditor.patientOrNull(id),
                                    null)
                            .withOutcome(AuditOutcome.MINOR_FAILURE, "patient-mismatch");
            blocking(
                    ctx,
                    () -> {
                        if (refused.patientId() != null) {
                            auditor.recordFailure(
                                    refused, AuditOutcome.MINOR_FAILURE, "patient-mismatch");
                        }
                        return null;
                    },
                    v -> responses.error(ctx, 404, IssueType.NOTFOUND, "Patient not found"));
            return;
        }
        audited(
                ctx,
                () -> queries.patientExists(id) ? 200 : queries.patientErased(id) ? 410 : 404,
                status ->
                        status == 200
                                ? Auditor.entry(ctx, id, Interaction.READ, "Patient", id, null)
                                : null,
                null,
                status -> {
                    if (status == 200) {
                        responses.send(ctx, 200, patient(id));
                    } else if (status == 410) {
                        responses.error(ctx, 410, IssueType.DELETED, "Patient erased");
                    } else {
                        responses.error(ctx, 404, IssueType.NOTFOUND, "Patient not found");
                    }
                });
    }

    /**
     * FHIR delete: erases the patient by crypto-shredding. Every reading is unreadable when this
     * answers; the rows are deleted later by the background job. Allowed to the patient's own token
     * and to admin tokens; the AuditEvent of an erasure belongs in {@link PatientErasure}'s caller
     * here, the one place erasures happen over HTTP. Deleting again is 200 too (FHIR R4 §3.1.0.7.1:
     * deleting a deleted resource succeeds); an id never seen is 404.
     */
    private void erasePatient(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        Principal principal = Principal.of(ctx);
        if (principal == null || !(principal.isAdmin() || principal.isPatient(id))) {
            ctx.put(RefusalRecorder.REASON, "erasure-not-allowed");
            auth.forbidden(
                    ctx,
                    "erasure-not-allowed",
                    "only the patient itself or an admin (telemetry.admin) may erase a patient");
            return;
        }
        if (!SearchParams.isFhirId(id)) {
            responses.error(ctx, 404, IssueType.NOTFOUND, "Patient not found");
            return;
        }
        // the erasure's record is its proof: committed in the erasure's own transaction, and kept
        // (audit_events outlives the patient)
        AuditEntry audit =
                Auditor.entry(
                        ctx, id, Interaction.DELETE, "Patient", Auditor.patientOrNull(id), null);
        blocking(
                ctx,
                () -> {
                    PatientErasure.Result r;
                    try {
                        r = eraser.erase(id, auditor.recordIn(audit));
                    } catch (Exception e) {
                        if (audit.patientId() != null) {
                            auditor.recordFailure(
                                    audit, AuditOutcome.SERIOUS_FAILURE, "erasure-failed");
                        }
                        throw e;
                    }
                    if (r.found()) {
                        return true;
                    }
                    boolean erasedBefore =
                            queries.patientErased(
                                    id); // deleting again: recorded, and 200 as FHIR says
                    if (erasedBefore) {
                        auditor.record(audit);
                    }
                    return erasedBefore;
                },
                erased -> {
                    if (!erased) {
                        responses.error(ctx, 404, IssueType.NOTFOUND, "Patient not found");
                        return;
                    }
                    metrics.erased();
                    OperationOutcome oo = new OperationOutcome();
                    oo.addIssue()
                            .setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
                            .setCode(IssueType.INFORMATIONAL)
                            .setDiagnostics(
                                    "Patient erased: the data keys are destroyed and every reading is unreadable; "
                                            + "the stored rows are deleted in the background");
                    responses.send(ctx, 200, oo);
                });
    }

    /** The NIK is not stored, so a Patient carries only its pseudonymous id. */
    private static Patient patient(String id) {
        Patient p = new Patient();
        p.setId(id);
        p.setActive(true);
        return p;
    }

    /**
     * Runs the work, commits the audit record {@code entry} makes of its result (null: nothing to
     * record, e.g. a read that found nothing), then answers. When the work fails, {@code onFailure}
     * (if any) is recorded as a serious failure; when the record cannot be written, the caller gets
     * a 503 and none of the result.
     */
    private <T> void audited(
            RoutingContext ctx,
            Callable<T> work,
            Function<T, AuditEntry> entry,
            AuditEntry onFailure,
            Consumer<T> then) {
        blocking(
                ctx,
                () -> {
                    T result;
                    try {
                        result = work.call();
                    } catch (Exception e) {
                        if (onFailure != null) {
                            auditor.recordFailure(
                                    onFailure,
                                    AuditOutcome.SERIOUS_FAILURE,
                                    "database-unavailable");
                        }
                        throw e;
                    }
                    AuditEntry e = entry.apply(result);
                    if (e != null) {
                        auditor.record(e);
                    }
                    return result;
                },
                result -> {
                    ctx.put(
                            RefusalRecorder.RECORDED,
                            true); // a refusal answered below is in the trail already
                    then.accept(result);
                });
    }

    private <T> void blocking(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        vertx.executeBlocking(work, false)
                .onComplete(
                        ar -> {
                            if (ar.succeeded()) {
                                then.accept(ar.result());
                            } else if (ar.cause() instanceof CryptoFailure f && !f.isRetryable()) {
                                // fail closed: nothing of the request is shown; the code only,
                                // never the row or a trace
                                metrics.decryptionFailed(f.code());
                                log.error(
                                        "a stored reading could not be opened ({}); the request was refused",
                                        f.code());
                                responses.error(
                                        ctx,
                                        500,
                                        IssueType.SECURITY,
                                        f.code()
                                                + ": a stored reading failed its integrity check; "
                                                + "nothing is shown");
                            } else {
                                log.error("FHIR request failed", ar.cause());
                                responses.error(
                                        ctx,
                                        503,
                                        IssueType.TRANSIENT,
                                        "The database is unavailable; retry later");
                            }
                        });
    }

    private static String base(RoutingContext ctx) {
        return FhirResponses.base(ctx);
    }
}

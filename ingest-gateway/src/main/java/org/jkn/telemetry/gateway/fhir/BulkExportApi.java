package org.jkn.telemetry.gateway.fhir;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.gateway.consent.Disclosure;
import org.jkn.telemetry.gateway.fhir.export.ExportJob;
import org.jkn.telemetry.gateway.fhir.export.ExportJobs;
import org.jkn.telemetry.gateway.fhir.export.ExportParams;
import org.jkn.telemetry.gateway.fhir.export.ExportRun;
import org.jkn.telemetry.gateway.fhir.export.OutputFile;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.consent.ConsentStore;

/**
 * Bulk Data Access (HL7 Bulk Data IG v2, the asynchronous pattern): {@code GET
 * /fhir/Patient/{id}/$export} and {@code GET /fhir/Group/{id}/$export} start an export and answer
 * 202 with the status URL; {@code GET} on it answers 202 with {@code X-Progress} while it runs and
 * the manifest when done, {@code DELETE} cancels it; the files are at {@code
 * /fhir/$export-file/{job}/{file}}. Status, files and cancel answer only the token subject that
 * started the export (anyone else: 404, as for an unknown job).
 *
 * <p>Who may export what: a patient their own data ({@code Patient/{own id}} or {@code
 * Patient/$export}); a clinician a patient's, the categories the patient's consent discloses to
 * them, or with {@code Patient/$export} every patient whose consent discloses to them or their
 * organization; and a clinician of organization {@code X} the group {@code Group/X}: the patients
 * whose active consent discloses to {@code Organization/X}, each with the categories disclosed to
 * the clinician. The kick-off and each exported patient are recorded in the audit trail.
 * Thread-safe.
 */
final class BulkExportApi {

    private static final String SCOPES =
            "patient/Observation.rs for a patient's own data, user/Observation.rs for a clinician";
    private static final String STATUS_PATH = "/$export-status/";
    private static final String FILE_PATH = "/$export-file/";

    /** The largest group exported at once; more patients than that need narrower exports. */
    private static final int MAX_GROUP_PATIENTS = 100_000;

    private static final int RETRY_AFTER_RUNNING_SECONDS = 2;
    private static final int RETRY_AFTER_BUSY_SECONDS = 30;

    private final FhirRoute route;
    private final ExportJobs jobs;
    private final ExportRun.Sources sources;
    private final ConsentStore consents;

    BulkExportApi(
            FhirRoute route, ExportJobs jobs, ExportRun.Sources sources, ConsentStore consents) {
        this.route = route;
        this.jobs = jobs;
        this.sources = sources;
        this.consents = consents;
    }

    void mount(Router router) {
        // before Patient/{id}, which "$export" would otherwise be taken for
        router.get("/fhir/Patient/$export").handler(this::exportAllPatients);
        router.get("/fhir/Patient/:id/$export").handler(this::exportPatient);
        router.get("/fhir/Group/:id/$export").handler(this::exportGroup);
        router.get("/fhir" + STATUS_PATH + ":job").handler(this::status);
        router.delete("/fhir" + STATUS_PATH + ":job").handler(this::cancel);
        router.get("/fhir" + FILE_PATH + ":job/:file").handler(this::file);
    }

    private void exportPatient(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        ExportParams.Parsed params = parse(ctx);
        List<String> types = params == null ? null : types(ctx, caller, params.types());
        if (types == null) {
            return;
        }
        String id = ctx.pathParam("id");
        if (!SearchParams.isFhirId(id)) {
            route.notFound(ctx, "Patient");
            return;
        }
        String shape = shape("Patient", types, ctx);
        // only an id shaped like a pseudonym is kept: a NIK typed into the path must not be
        AuditEntry kickOff =
                Auditor.entry(
                        ctx,
                        id,
                        Interaction.OPERATION,
                        "Patient",
                        Auditor.patientOrNull(id),
                        shape);
        if (!FhirAccess.owns(caller, id)) {
            // another patient's id answers like an absent one, as a read by id does
            refuse(ctx, kickOff, RefusalCode.PATIENT_MISMATCH, 404);
            return;
        }
        route.run(
                ctx,
                () -> {
                    if (sources.disclosure().allowed(caller, id, Disclosure.nowMicros()) == 0) {
                        route.auditor()
                                .record(FhirRoute.refused(kickOff, RefusalCode.CONSENT_REQUIRED));
                        return null;
                    }
                    return start(ctx, caller, kickOff, () -> List.of(id), types, params);
                },
                job -> answerKickOff(ctx, job, 403));
    }

    private void exportGroup(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        if (!caller.isClinician()) {
            route.insufficientScope(
                    ctx, "user/Observation.rs, for a clinician of the organization");
            return;
        }
        ExportParams.Parsed params = parse(ctx);
        List<String> types = params == null ? null : types(ctx, caller, params.types());
        if (types == null) {
            return;
        }
        String id = ctx.pathParam("id");
        String organization = "Organization/" + id;
        if (!SearchParams.isFhirId(id) || !organization.equals(caller.organization())) {
            // another organization's group: not the caller's to know about
            route.notFound(ctx, "Group");
            return;
        }
        AuditEntry kickOff =
                Auditor.entry(
                        ctx, null, Interaction.OPERATION, "Group", id, shape("Group", types, ctx));
        route.run(
                ctx,
                () ->
                        start(
                                ctx,
                                caller,
                                kickOff,
                                () ->
                                        consents.patientsDisclosingTo(
                                                organization,
                                                Disclosure.nowMicros(),
                                                MAX_GROUP_PATIENTS),
                                types,
                                params),
                job -> answerKickOff(ctx, job, 404));
    }

    /**
     * Every patient the caller may see: a patient token its own patient; a clinician the patients
     * whose active consent discloses to them or to their organization.
     */
    private void exportAllPatients(RoutingContext ctx) {
        Principal caller = Principal.of(ctx);
        ExportParams.Parsed params = parse(ctx);
        List<String> types = params == null ? null : types(ctx, caller, params.types());
        if (types == null) {
            return;
        }
        String own = caller.kind() == Principal.Kind.PATIENT ? caller.patientId() : null;
        AuditEntry kickOff =
                Auditor.entry(
                        ctx,
                        own,
                        Interaction.OPERATION,
                        "Patient",
                        null,
                        shape("Patient", types, ctx));
        route.run(
                ctx,
                () ->
                        start(
                                ctx,
                                caller,
                                kickOff,
                                () -> own != null ? List.of(own) : disclosingTo(caller),
                                types,
                                params),
                job -> answerKickOff(ctx, job, 404));
    }

    /** The patients disclosing to the clinician or their organization, each once, in id order. */
    private List<String> disclosingTo(Principal clinician) throws SQLException {
        long now = Disclosure.nowMicros();
        TreeSet<String> patients = new TreeSet<>();
        for (String actor : new String[] {clinician.fhirUser(), clinician.organization()}) {
            if (actor != null) {
                patients.addAll(consents.patientsDisclosingTo(actor, now, MAX_GROUP_PATIENTS));
            }
        }
        return patients.stream().limit(MAX_GROUP_PATIENTS).toList();
    }

    /** What a refused kick-off answers, after its best-effort record. */
    private void refuse(RoutingContext ctx, AuditEntry kickOff, RefusalCode code, int status) {
        route.refuse(ctx, kickOff, code, nothing -> answerKickOff(ctx, null, status));
    }

    /**
     * On a worker: starts the job and records the kick-off; a job is {@link Kick#BUSY} when the
     * export workers are all taken.
     */
    private Kick start(
            RoutingContext ctx,
            Principal caller,
            AuditEntry kickOff,
            Callable<List<String>> patients,
            List<String> types,
            ExportParams.Parsed params)
            throws Exception {
        ExportRun run =
                new ExportRun(
                        sources,
                        caller,
                        kickOff.actor(),
                        patients,
                        types,
                        params.sinceMicros(),
                        kickOff.query());
        ExportJob job = jobs.submit(owner(caller), request(ctx, types), run);
        if (job == null) {
            return Kick.BUSY;
        }
        try {
            route.auditor().record(kickOff);
        } catch (Exception e) {
            jobs.cancel(job.id(), owner(caller));
            throw e;
        }
        return new Kick(job);
    }

    /** A kick-off's result: the job started, or none ({@link #BUSY}). */
    private record Kick(ExportJob job) {
        static final Kick BUSY = new Kick(null);
    }

    private void answerKickOff(RoutingContext ctx, Kick kick, int refusedStatus) {
        if (kick == null) {
            if (refusedStatus == 403) {
                route.responses()
                        .error(
                                ctx,
                                403,
                                IssueType.FORBIDDEN,
                                "No consent of this patient permits disclosure of their data to you");
            } else {
                route.notFound(ctx, refusedStatus == 404 && isGroup(ctx) ? "Group" : "Patient");
            }
            return;
        }
        if (kick.job() == null) {
            ctx.response().putHeader("Retry-After", String.valueOf(RETRY_AFTER_BUSY_SECONDS));
            route.responses()
                    .error(
                            ctx,
                            429,
                            IssueType.THROTTLED,
                            "Too many bulk exports are running; retry later");
            return;
        }
        ctx.response()
                .putHeader(
                        "Content-Location",
                        FhirResponses.base(ctx) + STATUS_PATH + kick.job().id());
        ctx.response().setStatusCode(202).end();
    }

    private static boolean isGroup(RoutingContext ctx) {
        return ctx.request().path().startsWith("/fhir/Group/");
    }

    /** The checked kick-off, or null when answered 400 here. */
    private ExportParams.Parsed parse(RoutingContext ctx) {
        ExportParams.Parsed p =
                ExportParams.parse(
                        ctx.queryParams(),
                        ctx.request().getHeader("Prefer"),
                        ctx.request().getHeader("Accept"));
        if (p.error() != null) {
            route.invalid(ctx, p.error());
            return null;
        }
        return p;
    }

    /**
     * The types to export: those asked for, each of which the token must grant reading and
     * searching; none asked for: every type it grants. Null when answered 403 here.
     */
    private List<String> types(RoutingContext ctx, Principal caller, List<String> asked) {
        List<String> out = new ArrayList<>();
        for (String type : asked.isEmpty() ? ExportParams.TYPES : asked) {
            boolean granted =
                    FhirAccess.scope(caller, type, 'r') == FhirAccess.Decision.ALLOW
                            && FhirAccess.scope(caller, type, 's') == FhirAccess.Decision.ALLOW;
            if (granted) {
                out.add(type);
            } else if (!asked.isEmpty()) {
                route.insufficientScope(ctx, SCOPES.replace("Observation", type));
                return null;
            }
        }
        if (out.isEmpty()) {
            route.insufficientScope(ctx, SCOPES);
            return null;
        }
        return out;
    }

    private void status(RoutingContext ctx) {
        ExportJob job = job(ctx);
        if (job == null) {
            return;
        }
        switch (job.state()) {
            case RUNNING ->
                    ctx.response()
                            .setStatusCode(202)
                            .putHeader("X-Progress", job.progress())
                            .putHeader("Retry-After", String.valueOf(RETRY_AFTER_RUNNING_SECONDS))
                            .end();
            case FAILED ->
                    route.responses()
                            .error(
                                    ctx,
                                    500,
                                    IssueType.EXCEPTION,
                                    "The export failed; start another one");
            case COMPLETE ->
                    ctx.response()
                            .setStatusCode(200)
                            .putHeader("Content-Type", "application/json;charset=utf-8")
                            .putHeader("Expires", expires(job))
                            .end(manifest(ctx, job).encode());
        }
    }

    /** When the job and its files are deleted. */
    private String expires(ExportJob job) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(
                job.endedAt().plus(jobs.expiry()).atOffset(ZoneOffset.UTC));
    }

    private JsonObject manifest(RoutingContext ctx, ExportJob job) {
        JsonArray output = new JsonArray();
        String files = FhirResponses.base(ctx) + FILE_PATH + job.id() + "/";
        for (OutputFile f : job.output()) {
            output.add(
                    new JsonObject()
                            .put("type", f.type())
                            .put("url", files + f.name())
                            .put("count", f.count()));
        }
        return new JsonObject()
                .put("transactionTime", job.transactionTime().toString())
                .put("request", job.request())
                .put("requiresAccessToken", true)
                .put("output", output)
                .put("error", new JsonArray());
    }

    private void cancel(RoutingContext ctx) {
        String id = ctx.pathParam("job");
        if (!ExportJobs.isJobId(id)) {
            route.invalid(ctx, "Not an export id");
            return;
        }
        String owner = owner(Principal.of(ctx));
        route.run(
                ctx,
                () -> jobs.cancel(id, owner),
                cancelled -> {
                    if (cancelled) {
                        ctx.response().setStatusCode(202).end();
                    } else {
                        route.notFound(ctx, "Export");
                    }
                });
    }

    private void file(RoutingContext ctx) {
        ExportJob job = job(ctx);
        if (job == null) {
            return;
        }
        String name = ctx.pathParam("file");
        if (!ExportJobs.isFileName(name)) {
            route.invalid(ctx, "Not an export file name");
            return;
        }
        Path file = jobs.file(job, name);
        if (file == null) {
            route.notFound(ctx, "Export file");
            return;
        }
        ctx.response()
                .putHeader("Content-Type", "application/fhir+ndjson")
                .sendFile(file.toString())
                .onFailure(e -> ctx.response().reset());
    }

    /** The caller's job the path names, or null when answered 400 or 404 here. */
    private ExportJob job(RoutingContext ctx) {
        String id = ctx.pathParam("job");
        if (!ExportJobs.isJobId(id)) {
            route.invalid(ctx, "Not an export id");
            return null;
        }
        ExportJob job = jobs.find(id, owner(Principal.of(ctx)));
        if (job == null) {
            route.notFound(ctx, "Export");
        }
        return job;
    }

    /** Who may poll, download and cancel: the token's subject, of its kind. */
    private static String owner(Principal p) {
        return p.kind() + ":" + p.subject();
    }

    /** The kick-off as the manifest repeats it: the checked parameters, not the raw text. */
    private static String request(RoutingContext ctx, List<String> types) {
        String path = ctx.request().path();
        return FhirResponses.base(ctx)
                + path.substring("/fhir".length())
                + "?_type="
                + String.join(",", types)
                + since(ctx);
    }

    /** The kick-off as the audit trail records it: the operation, the types and {@code _since}. */
    private static String shape(String level, List<String> types, RoutingContext ctx) {
        return level + "/$export?_type=" + String.join(",", types) + since(ctx);
    }

    /** {@code &_since=} with the checked value, or nothing. */
    private static String since(RoutingContext ctx) {
        String since = ctx.queryParams().get("_since");
        return since == null ? "" : "&_since=" + URLEncoder.encode(since, StandardCharsets.UTF_8);
    }
}

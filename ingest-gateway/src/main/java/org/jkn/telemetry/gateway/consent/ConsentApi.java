package org.jkn.telemetry.gateway.consent;

import ca.uhn.fhir.context.FhirContext;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.auth.AuthResponses;
import org.jkn.telemetry.gateway.fhir.FhirResponses;
import org.jkn.telemetry.gateway.fhir.SearchParams;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditOutcome;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.consent.ConsentStore;
import org.jkn.telemetry.store.consent.StoredConsent;
import org.jkn.telemetry.store.db.TransactionStep;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /fhir/Consent}: create, update, read, delete and search by patient. Every change is
 * committed with its compiled grants, then the patient's cached decision is replaced before the
 * answer is sent, so the next batch and the next read on this node see it. Database work runs on
 * worker threads.
 *
 * <p>Answers: 201 / 200 with the stored Consent (id, {@code meta.versionId}, ETag); 400 for a body
 * that is not a FHIR Consent; 413, 415; 422 for a Consent of a shape this server does not enforce;
 * 404; 409 when another change came first, 412 for a stale {@code If-Match}. Errors are
 * OperationOutcomes.
 */
public final class ConsentApi {

    private static final Logger log = LoggerFactory.getLogger(ConsentApi.class);

    /** Consents one patient may hold; a real patient has a handful. */
    static final int MAX_PER_PATIENT = 100;

    private final Vertx vertx;
    private final FhirContext fhir;
    private final FhirResponses responses;
    private final ConsentStore store;
    private final ConsentDecisions decisions;
    private final ConsentBodies bodies;
    private final ConsentRules rules;
    private final ConsentAccess access;

    private final AuthResponses auth;
    private final Auditor auditor;

    /**
     * @param auditor records every create, update, delete, read and search (the trail the patient
     *     can list)
     */
    public ConsentApi(
            Vertx vertx,
            FhirContext fhir,
            ConsentStore store,
            ConsentDecisions decisions,
            Pseudonymizer pseudonymizer,
            ZoneId zone,
            ConsentAccess access,
            AuthResponses auth,
            Auditor auditor) {
        this.auth = auth;
        this.auditor = auditor;
        this.vertx = vertx;
        this.fhir = fhir;
        this.responses = new FhirResponses(fhir);
        this.store = store;
        this.decisions = decisions;
        this.bodies = new ConsentBodies(fhir);
        this.rules = new ConsentRules(pseudonymizer, zone);
        this.access = access;
    }

    /** Mounts the routes; call after the FHIR format negotiation and before the FHIR catch-all. */
    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(ConsentBodies.MAX_BYTES);
        router.post("/fhir/Consent").handler(body).handler(this::create);
        router.put("/fhir/Consent/:id").handler(body).handler(this::update);
        router.get("/fhir/Consent/:id").handler(this::read);
        router.delete("/fhir/Consent/:id").handler(this::delete);
        router.get("/fhir/Consent").handler(this::search);
    }

    /**
     * Answers a refusal; true when the caller may go on. Another patient's Consent gets 403 here
     * (the caller named it).
     */
    private boolean allowed(RoutingContext ctx, String patientId, char permission) {
        ConsentAccess.Answer a = access.check(ctx, patientId, permission);
        if (a == ConsentAccess.Answer.ALLOW) {
            return true;
        }
        if (a == ConsentAccess.Answer.NO_SCOPE) {
            auth.insufficientScope(ctx, "patient/Consent." + permission + " (or the admin scope)");
        } else {
            auth.forbidden(
                    ctx,
                    "patient-mismatch",
                    "a patient token manages only its own patient's consents");
        }
        return false;
    }

    /**
     * True when the caller may see that this stored Consent exists at all; otherwise it answers 404
     * like an absent one.
     */
    private boolean visible(RoutingContext ctx, StoredConsent c, char permission) {
        return access.check(ctx, c.patientId(), permission) == ConsentAccess.Answer.ALLOW;
    }

    private ConsentRules.Result checked(RoutingContext ctx, char permission) {
        if (!allowed(ctx, null, permission)) {
            return null;
        }
        byte[] bytes = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        ConsentBodies.Parsed parsed = bodies.parse(ctx.request().getHeader("Content-Type"), bytes);
        if (parsed.problem() != null) {
            fail(ctx, parsed.problem());
            return null;
        }
        ConsentRules.Result r = rules.check(parsed.consent());
        if (r.problem() != null) {
            responses.error(ctx, 422, IssueType.BUSINESSRULE, r.problem());
            return null;
        }
        if (!allowed(ctx, r.consent().patientId(), permission)) {
            return null;
        }
        return r;
    }

    private void create(RoutingContext ctx) {
        ConsentRules.Result r = checked(ctx, 'c');
        if (r == null) {
            return;
        }
        CompiledConsent c = r.consent();
        String id = UUID.randomUUID().toString();
        StoredConsent stored = stored(r.resource(), id, c, 1);
        blocking(
                ctx,
                () -> {
                    if (store.byPatient(c.patientId(), MAX_PER_PATIENT).size() >= MAX_PER_PATIENT) {
                        return false;
                    }
                    store.insert(
                            stored,
                            c.grants(),
                            audited(ctx, c.patientId(), Interaction.CREATE, id));
                    decisions.refresh(c.patientId());
                    return true;
                },
                ok -> {
                    if (!ok) {
                        responses.error(
                                ctx,
                                422,
                                IssueType.TOOCOSTLY,
                                "a patient holds at most "
                                        + MAX_PER_PATIENT
                                        + " consents; update or delete one");
                        return;
                    }
                    sendStored(ctx, 201, stored);
                });
    }

    private void update(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        ConsentRules.Result r = checked(ctx, 'u');
        if (r == null) {
            return;
        }
        if (!id.equals(r.resource().getIdElement().getIdPart())) {
            responses.error(ctx, 400, IssueType.INVALID, "the body's id must be the id in the URL");
            return;
        }
        Long expected = ifMatch(ctx);
        if (expected != null && expected < 0) {
            responses.error(
                    ctx,
                    400,
                    IssueType.INVALID,
                    "If-Match must be a version ETag, W/\"{version}\"");
            return;
        }
        CompiledConsent c = r.consent();
        blocking(
                ctx,
                () -> {
                    Optional<StoredConsent> current = store.find(id);
                    if (current.isEmpty()) {
                        return Outcome.NOT_FOUND;
                    }
                    StoredConsent old = current.get();
                    if (!visible(ctx, old, 'u')) {
                        return Outcome
                                .NOT_FOUND; // never tell that another patient's consent exists
                    }
                    if (!old.patientId().equals(c.patientId())) {
                        return Outcome.OTHER_PATIENT;
                    }
                    if (expected != null && expected != old.version()) {
                        return Outcome.STALE;
                    }
                    StoredConsent next = stored(r.resource(), id, c, old.version() + 1);
                    if (!store.replace(
                            next,
                            c.grants(),
                            audited(ctx, c.patientId(), Interaction.UPDATE, id))) {
                        return Outcome.CONFLICT;
                    }
                    decisions.refresh(c.patientId());
                    return new Outcome(next);
                },
                o -> {
                    if (o.stored != null) {
                        sendStored(ctx, 200, o.stored);
                    } else {
                        o.send(responses, ctx);
                    }
                });
    }

    private void read(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!allowed(ctx, null, 'r')) {
            return;
        }
        blocking(
                ctx,
                () -> {
                    Optional<StoredConsent> found = store.find(id);
                    if (found.isPresent()) {
                        // whom a patient shares with is personal data too: each look is recorded
                        // before it is answered,
                        // a refused one (another patient's Consent, answered as absent) included
                        AuditEntry e =
                                Auditor.entry(
                                        ctx,
                                        found.get().patientId(),
                                        Interaction.READ,
                                        "Consent",
                                        id,
                                        null);
                        auditor.record(
                                visible(ctx, found.get(), 'r')
                                        ? e
                                        : e.withOutcome(
                                                AuditOutcome.MINOR_FAILURE, "patient-mismatch"));
                    }
                    return found;
                },
                found -> {
                    if (found.isEmpty() || !visible(ctx, found.get(), 'r')) {
                        responses.error(ctx, 404, IssueType.NOTFOUND, "Consent not found");
                        return;
                    }
                    sendStored(ctx, 200, found.get());
                });
    }

    private void delete(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!allowed(ctx, null, 'd')) {
            return;
        }
        blocking(
                ctx,
                () -> {
                    Optional<StoredConsent> current = store.find(id);
                    if (current.isEmpty() || !visible(ctx, current.get(), 'd')) {
                        return Outcome.NOT_FOUND;
                    }
                    if (!store.delete(
                            id,
                            current.get().version(),
                            audited(ctx, current.get().patientId(), Interaction.DELETE, id))) {
                        return Outcome.CONFLICT;
                    }
                    decisions.refresh(current.get().patientId());
                    return new Outcome(current.get());
                },
                o -> {
                    if (o.stored == null) {
                        o.send(responses, ctx);
                        return;
                    }
                    ctx.response().setStatusCode(204).end();
                });
    }

    private void search(RoutingContext ctx) {
        for (String name : ctx.queryParams().names()) {
            if (!name.equals("patient") && !name.equals("_format")) {
                responses.error(
                        ctx, 400, IssueType.INVALID, "Consent search supports patient only");
                return;
            }
        }
        List<String> patients = ctx.queryParams().getAll("patient");
        String patient = patients.size() == 1 ? patients.get(0) : "";
        if (patient.startsWith("Patient/")) {
            patient = patient.substring("Patient/".length());
        }
        if (!SearchParams.isFhirId(patient)) {
            responses.error(
                    ctx,
                    400,
                    IssueType.INVALID,
                    "Exactly one patient parameter is required: a Patient id or Patient/{id}");
            return;
        }
        String patientId = patient;
        if (!allowed(ctx, patientId, 's')) {
            return;
        }
        blocking(
                ctx,
                () -> {
                    List<StoredConsent> found = store.byPatient(patientId, MAX_PER_PATIENT);
                    auditor.record(
                            Auditor.entry(
                                    ctx,
                                    patientId,
                                    Interaction.SEARCH_TYPE,
                                    "Consent",
                                    null,
                                    null));
                    return found;
                },
                list -> {
                    Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
                    b.getMeta().setLastUpdated(new Date());
                    String base = FhirResponses.base(ctx);
                    b.addLink().setRelation("self").setUrl(base + "/Consent?patient=" + patientId);
                    for (StoredConsent c : list) {
                        b.addEntry()
                                .setFullUrl(base + "/Consent/" + c.id())
                                .setResource(resource(c))
                                .getSearch()
                                .setMode(Bundle.SearchEntryMode.MATCH);
                    }
                    b.setTotal(list.size());
                    responses.send(ctx, 200, b);
                });
    }

    /**
     * The change's audit record, written in the change's own transaction: a change is never
     * committed without its record (when the record fails, nothing changes and the caller gets
     * 503).
     */
    private TransactionStep audited(
            RoutingContext ctx, String patientId, Interaction interaction, String id) {
        return auditor.recordIn(Auditor.entry(ctx, patientId, interaction, "Consent", id, null));
    }

    private StoredConsent stored(Consent c, String id, CompiledConsent compiled, long version) {
        Instant now = Instant.now();
        c.setId(id);
        c.getMeta().setVersionId(Long.toString(version)).setLastUpdated(Date.from(now));
        return new StoredConsent(
                id,
                compiled.patientId(),
                compiled.status(),
                version,
                now,
                fhir.newJsonParser().encodeResourceToString(c));
    }

    private Consent resource(StoredConsent c) {
        return fhir.newJsonParser().parseResource(Consent.class, c.resource());
    }

    private void sendStored(RoutingContext ctx, int status, StoredConsent c) {
        ctx.response()
                .putHeader("ETag", "W/\"" + c.version() + "\"")
                .putHeader(
                        "Last-Modified",
                        DateTimeFormatter.RFC_1123_DATE_TIME.format(
                                c.updated().atOffset(ZoneOffset.UTC)));
        if (status == 201) {
            ctx.response()
                    .putHeader(
                            "Location",
                            FhirResponses.base(ctx)
                                    + "/Consent/"
                                    + c.id()
                                    + "/_history/"
                                    + c.version());
        }
        responses.send(ctx, status, resource(c));
    }

    /** Null without If-Match, -1 when malformed. */
    private static Long ifMatch(RoutingContext ctx) {
        String h = ctx.request().getHeader("If-Match");
        if (h == null) {
            return null;
        }
        String v = h.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() < 3
                || v.length() > 21
                || v.charAt(0) != '"'
                || v.charAt(v.length() - 1) != '"') {
            return -1L;
        }
        try {
            return Long.parseLong(v.substring(1, v.length() - 1));
        } catch (NumberFormatException e) {
            return -1L;
        }
    }

    private void fail(RoutingContext ctx, ConsentProblem p) {
        IssueType type =
                switch (p.status()) {
                    case 413 -> IssueType.TOOLONG;
                    case 415 -> IssueType.NOTSUPPORTED;
                    case 422 -> IssueType.BUSINESSRULE;
                    default -> IssueType.STRUCTURE;
                };
        responses.error(ctx, p.status(), type, p.message());
    }

    private <T> void blocking(RoutingContext ctx, Callable<T> work, Consumer<T> then) {
        vertx.executeBlocking(work, false)
                .onComplete(
                        ar -> {
                            if (ar.succeeded()) {
                                then.accept(ar.result());
                            } else {
                                log.error(
                                        "Consent request failed: {}",
                                        ar.cause().getClass().getName());
                                responses.error(
                                        ctx,
                                        503,
                                        IssueType.TRANSIENT,
                                        "The database is unavailable; retry later");
                            }
                        });
    }

    /** What a write came to when it did not store anything. */
    private record Outcome(StoredConsent stored, int status, IssueType type, String message) {
        static final Outcome NOT_FOUND =
                new Outcome(null, 404, IssueType.NOTFOUND, "Consent not found");
        static final Outcome CONFLICT =
                new Outcome(
                        null,
                        409,
                        IssueType.CONFLICT,
                        "the Consent changed meanwhile; read it and retry");
        static final Outcome STALE =
                new Outcome(null, 412, IssueType.CONFLICT, "If-Match is not the current version");
        static final Outcome OTHER_PATIENT =
                new Outcome(
                        null,
                        422,
                        IssueType.BUSINESSRULE,
                        "a Consent cannot move to another patient; create a new one");

        Outcome(StoredConsent stored) {
            this(stored, 0, null, null);
        }

        void send(FhirResponses responses, RoutingContext ctx) {
            responses.error(ctx, status, type, message);
        }
    }
}

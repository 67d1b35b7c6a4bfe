package org.jkn.telemetry.gateway.consent;

import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.fhir.FhirResponses;
import org.jkn.telemetry.gateway.fhir.FhirRoute;
import org.jkn.telemetry.store.audit.Interaction;
import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.consent.ConsentStore;
import org.jkn.telemetry.store.consent.StoredConsent;
import org.jkn.telemetry.store.db.TransactionStep;

/**
 * The changes of {@code /fhir/Consent}: create, update and delete. Each is committed with its
 * compiled grants and its audit record in one transaction, then the patient's cached decision is
 * replaced before the answer is sent, so the next batch and the next read on this node see it.
 * Thread-safe.
 */
final class ConsentChanges {

    private final FhirRoute route;
    private final ConsentStore store;
    private final ConsentDecisions decisions;
    private final ConsentBodies bodies;
    private final ConsentRules rules;
    private final ConsentPermissions permissions;
    private final ConsentVersions versions;

    ConsentChanges(
            FhirRoute route,
            ConsentStore store,
            ConsentDecisions decisions,
            ConsentRules rules,
            ConsentPermissions permissions,
            ConsentVersions versions) {
        this.route = route;
        this.store = store;
        this.decisions = decisions;
        this.bodies = new ConsentBodies(route.responses().context());
        this.rules = rules;
        this.permissions = permissions;
        this.versions = versions;
    }

    void create(RoutingContext ctx) {
        ConsentRules.Result r = checked(ctx, 'c');
        if (r == null) {
            return;
        }
        CompiledConsent c = r.consent();
        String id = UUID.randomUUID().toString();
        StoredConsent stored = versions.stored(r.resource(), id, c, 1);
        route.run(
                ctx,
                () -> {
                    if (store.byPatient(c.patientId(), ConsentApi.MAX_PER_PATIENT).size()
                            >= ConsentApi.MAX_PER_PATIENT) {
                        return Outcome.TOO_MANY;
                    }
                    store.insert(
                            stored,
                            c.grants(),
                            changeRecord(ctx, c.patientId(), Interaction.CREATE, id));
                    decisions.refresh(c.patientId());
                    return new Outcome(stored);
                },
                o -> answer(ctx, o, 201));
    }

    void update(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        ConsentRules.Result r = checked(ctx, 'u');
        if (r == null) {
            return;
        }
        if (!id.equals(r.resource().getIdElement().getIdPart())) {
            route.invalid(ctx, "the body's id must be the id in the URL");
            return;
        }
        Long expected = ConsentVersions.ifMatch(ctx);
        if (expected != null && expected < 0) {
            route.invalid(ctx, "If-Match must be a version ETag, W/\"{version}\"");
            return;
        }
        route.run(ctx, () -> replace(ctx, id, r, expected), o -> answer(ctx, o, 200));
    }

    /** The update's stored version, or why there is none. Worker thread. */
    private Outcome replace(RoutingContext ctx, String id, ConsentRules.Result r, Long expected)
            throws SQLException {
        CompiledConsent c = r.consent();
        Optional<StoredConsent> current = store.find(id);
        if (current.isEmpty()) {
            return Outcome.NOT_FOUND;
        }
        StoredConsent old = current.get();
        if (!permissions.visible(ctx, old, 'u')) {
            return Outcome.NOT_FOUND; // never tell that another patient's consent exists
        }
        if (!old.patientId().equals(c.patientId())) {
            return Outcome.OTHER_PATIENT;
        }
        if (expected != null && expected != old.version()) {
            return Outcome.STALE;
        }
        StoredConsent next = versions.stored(r.resource(), id, c, old.version() + 1);
        if (!store.replace(
                next, c.grants(), changeRecord(ctx, c.patientId(), Interaction.UPDATE, id))) {
            return Outcome.CONFLICT;
        }
        decisions.refresh(c.patientId());
        return new Outcome(next);
    }

    void delete(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!permissions.allowed(ctx, null, 'd')) {
            return;
        }
        route.run(
                ctx,
                () -> {
                    Optional<StoredConsent> current = store.find(id);
                    if (current.isEmpty() || !permissions.visible(ctx, current.get(), 'd')) {
                        return Outcome.NOT_FOUND;
                    }
                    StoredConsent c = current.get();
                    if (!store.delete(
                            id,
                            c.version(),
                            changeRecord(ctx, c.patientId(), Interaction.DELETE, id))) {
                        return Outcome.CONFLICT;
                    }
                    decisions.refresh(c.patientId());
                    return new Outcome(c);
                },
                o -> {
                    if (o.stored == null) {
                        o.send(route.responses(), ctx);
                        return;
                    }
                    ctx.response().setStatusCode(204).end();
                });
    }

    private ConsentRules.Result checked(RoutingContext ctx, char permission) {
        if (!permissions.allowed(ctx, null, permission)) {
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
            route.responses().error(ctx, 422, IssueType.BUSINESSRULE, r.problem());
            return null;
        }
        if (!permissions.allowed(ctx, r.consent().patientId(), permission)) {
            return null;
        }
        return r;
    }

    private void fail(RoutingContext ctx, ConsentProblem p) {
        IssueType type =
                switch (p.status()) {
                    case 413 -> IssueType.TOOLONG;
                    case 415 -> IssueType.NOTSUPPORTED;
                    case 422 -> IssueType.BUSINESSRULE;
                    default -> IssueType.STRUCTURE;
                };
        route.responses().error(ctx, p.status(), type, p.message());
    }

    /**
     * The change's audit record, written in the change's own transaction: a change is never
     * committed without its record (when the record fails, nothing changes and the caller gets
     * 503).
     */
    private TransactionStep changeRecord(
            RoutingContext ctx, String patientId, Interaction interaction, String id) {
        return route.auditor()
                .recordIn(Auditor.entry(ctx, patientId, interaction, "Consent", id, null));
    }

    private void answer(RoutingContext ctx, Outcome o, int status) {
        if (o.stored != null) {
            versions.send(ctx, status, o.stored);
        } else {
            o.send(route.responses(), ctx);
        }
    }

    /** What a write came to: the version it stored, or the answer when it stored nothing. */
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
        static final Outcome TOO_MANY =
                new Outcome(
                        null,
                        422,
                        IssueType.TOOCOSTLY,
                        "a patient holds at most "
                                + ConsentApi.MAX_PER_PATIENT
                                + " consents; update or delete one");

        Outcome(StoredConsent stored) {
            this(stored, 0, null, null);
        }

        void send(FhirResponses responses, RoutingContext ctx) {
            responses.error(ctx, status, type, message);
        }
    }
}

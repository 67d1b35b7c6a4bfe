package org.jkn.telemetry.gateway.fhir;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.auth.Principal;
import org.jkn.telemetry.gateway.auth.RefusalCode;
import org.jkn.telemetry.store.audit.AuditActor;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditRecord;
import org.jkn.telemetry.store.audit.AuditSearch;
import org.jkn.telemetry.store.audit.Interaction;

/**
 * {@code GET /fhir/AuditEvent} and {@code GET /fhir/AuditEvent/{id}}: "who looked at my data". A
 * patient token (with {@code patient/AuditEvent.rs}) sees the events about its own patient only; an
 * administrator any patient's, or all; clinicians none (403). Another patient's event read by id is
 * a 404, as for Observations, so ids cannot be probed. Where a patient sees another patient's
 * refused attempt, the other patient's identity is left out: a pseudonym is personal data too.
 *
 * <p>Looking at the trail is itself recorded, except when patients look at their own: every look
 * would otherwise add an event to the very list being looked at. Database calls run on worker
 * threads.
 */
final class AuditEventApi {

    private final FhirRoute route;
    private final ZoneId searchZone;
    private final AuditEventRenderer renderer = new AuditEventRenderer();

    AuditEventApi(FhirRoute route, ZoneId searchZone) {
        this.route = route;
        this.searchZone = searchZone;
    }

    void mount(Router router) {
        router.get("/fhir/AuditEvent").handler(this::search);
        router.get("/fhir/AuditEvent/:id").handler(this::read);
    }

    /** Refuses a caller that may not use the trail at all; true when it may go on. */
    private boolean mayUse(RoutingContext ctx, Principal principal, char permission) {
        if (principal.isAdmin()
                || (principal.kind() == Principal.Kind.PATIENT
                        && principal.allows("patient", "AuditEvent", permission))) {
            return true;
        }
        route.insufficientScope(
                ctx, "patient/AuditEvent.rs for a patient's own trail, or the administrator scope");
        return false;
    }

    private void search(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!mayUse(ctx, principal, 's')) {
            return;
        }
        AuditSearchParams.Parsed p = AuditSearchParams.parse(ctx.queryParams(), searchZone);
        if (p.error() != null) {
            route.invalid(ctx, p.error());
            return;
        }
        if (principal.kind() == Principal.Kind.PATIENT) {
            String asked = p.search().patientId();
            if (asked != null && !principal.isPatient(asked)) {
                route.forbid(
                        ctx,
                        RefusalCode.PATIENT_MISMATCH,
                        "a patient token lists only the events about its own patient");
                return;
            }
            p = p.forPatient(principal.patientId());
        }
        AuditSearchParams.Parsed checked = p;
        AuditSearch q = p.search();
        route.run(
                ctx,
                () -> q.count() == 0 ? List.<AuditRecord>of() : route.auditor().log().search(q),
                rows -> look(ctx, q.patientId(), Interaction.SEARCH_TYPE, null, shape(checked)),
                rows ->
                        route.responses()
                                .send(ctx, 200, searchset(ctx, checked, rows, viewer(principal))));
    }

    private void read(RoutingContext ctx) {
        Principal principal = Principal.of(ctx);
        if (!mayUse(ctx, principal, 'r')) {
            return;
        }
        String id = ctx.pathParam("id");
        if (!SearchParams.isFhirId(id)) {
            route.notFound(ctx, "AuditEvent");
            return;
        }
        route.run(
                ctx,
                () -> route.auditor().log().read(id).filter(r -> mayRead(principal, r)),
                found ->
                        found.map(r -> look(ctx, r.entry().patientId(), Interaction.READ, id, null))
                                .orElse(null),
                found -> {
                    if (found.isPresent()) {
                        route.responses()
                                .send(ctx, 200, renderer.render(found.get(), viewer(principal)));
                    } else {
                        route.notFound(ctx, "AuditEvent");
                    }
                });
    }

    /** Another patient's event is absent to a patient, as if it did not exist. */
    private static boolean mayRead(Principal principal, AuditRecord r) {
        return principal.isAdmin() || principal.isPatient(r.entry().patientId());
    }

    /** The record of a look at the trail; null when patients look at their own. */
    private static AuditEntry look(
            RoutingContext ctx,
            String patientId,
            Interaction interaction,
            String id,
            String query) {
        AuditActor actor = Auditor.actor(ctx);
        if ("patient".equals(actor.kind())) {
            return null;
        }
        return Auditor.entry(ctx, patientId, interaction, "AuditEvent", id, query);
    }

    /**
     * The patient looking, whose view leaves out other patients' identities; null for an
     * administrator.
     */
    private static String viewer(Principal principal) {
        return principal.kind() == Principal.Kind.PATIENT ? principal.patientId() : null;
    }

    private Bundle searchset(
            RoutingContext ctx, AuditSearchParams.Parsed p, List<AuditRecord> rows, String viewer) {
        AuditSearch q = p.search();
        String base = FhirResponses.base(ctx);
        Bundle b = new Bundle().setType(Bundle.BundleType.SEARCHSET);
        b.getMeta().setLastUpdated(new Date());
        b.addLink().setRelation("self").setUrl(base + "/" + query(p, q.offset()));
        boolean more = rows.size() > q.count();
        if (more) {
            b.addLink().setRelation("next").setUrl(base + "/" + query(p, q.offset() + q.count()));
        }
        if (q.offset() > 0) {
            b.addLink()
                    .setRelation("previous")
                    .setUrl(base + "/" + query(p, Math.max(0, q.offset() - q.count())));
        }
        int n = Math.min(rows.size(), q.count());
        for (int i = 0; i < n; i++) {
            AuditRecord r = rows.get(i);
            b.addEntry()
                    .setFullUrl(base + "/AuditEvent/" + r.id())
                    .setResource(renderer.render(r, viewer))
                    .getSearch()
                    .setMode(Bundle.SearchEntryMode.MATCH);
        }
        if (!more && q.offset() == 0) {
            b.setTotal(n);
        }
        return b;
    }

    /** The checked search written back, for paging links and the trail's own record. */
    private static String query(AuditSearchParams.Parsed p, int offset) {
        AuditSearch q = p.search();
        StringBuilder s = new StringBuilder("AuditEvent?");
        if (q.patientId() != null) {
            s.append("patient=").append(q.patientId()).append('&');
        }
        for (String d : p.rawDates()) {
            s.append("date=").append(URLEncoder.encode(d, StandardCharsets.UTF_8)).append('&');
        }
        s.append("_count=").append(q.count()).append("&_offset=").append(offset);
        return s.toString();
    }

    /**
     * The search as recorded in the trail: without the patient (recorded apart, and only when it is
     * a pseudonym).
     */
    private static String shape(AuditSearchParams.Parsed p) {
        StringBuilder s = new StringBuilder("AuditEvent?");
        for (String d : p.rawDates()) {
            s.append("date=").append(URLEncoder.encode(d, StandardCharsets.UTF_8)).append('&');
        }
        s.append("_count=")
                .append(p.search().count())
                .append("&_offset=")
                .append(p.search().offset());
        return s.toString();
    }
}

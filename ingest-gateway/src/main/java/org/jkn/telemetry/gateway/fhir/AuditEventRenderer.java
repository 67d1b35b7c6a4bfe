package org.jkn.telemetry.gateway.fhir;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.jkn.telemetry.store.audit.AuditActor;
import org.jkn.telemetry.store.audit.AuditEntry;
import org.jkn.telemetry.store.audit.AuditRecord;

/**
 * Renders a stored audit record as a FHIR R4 AuditEvent: type {@code rest}, the RESTful interaction
 * as subtype, action, recorded, outcome; the requesting user (and their organization) as agents;
 * this service as the observing source; the patient, the resource read and the search query as
 * entities. Stateless and thread-safe.
 */
final class AuditEventRenderer {

    static final String TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    static final String SUBTYPE_SYSTEM = "http://hl7.org/fhir/restful-interaction";
    private static final String ROLE_TYPE_SYSTEM =
            "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
    private static final String SOURCE_TYPE_SYSTEM =
            "http://terminology.hl7.org/CodeSystem/security-source-type";
    private static final String ENTITY_TYPE_SYSTEM =
            "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    private static final String OBJECT_ROLE_SYSTEM =
            "http://terminology.hl7.org/CodeSystem/object-role";

    /** A literal reference to a resource that can act (AuditEvent.agent.who's target types). */
    private static final Pattern ACTOR_REFERENCE =
            Pattern.compile(
                    "(Practitioner|PractitionerRole|Patient|RelatedPerson|Organization|Device)/[A-Za-z0-9.-]{1,64}");

    private static final Pattern ORGANIZATION_REFERENCE =
            Pattern.compile("Organization/[A-Za-z0-9.-]{1,64}");

    /**
     * @param viewer the patient looking (their own events), or null for an administrator: a patient
     *     does not see which other patient acted (a refused attempt on their data)
     */
    AuditEvent render(AuditRecord r, String viewer) {
        AuditEntry e = r.entry();
        AuditEvent ae = new AuditEvent();
        ae.setId(r.id());
        ae.setType(new Coding(TYPE_SYSTEM, "rest", "Restful Operation"));
        ae.addSubtype(new Coding(SUBTYPE_SYSTEM, e.interaction().code(), e.interaction().code()));
        ae.setAction(AuditEvent.AuditEventAction.fromCode(e.interaction().action().code()));
        ae.setRecorded(new Date(Math.floorDiv(r.recordedMicros(), 1000L)));
        ae.setOutcome(AuditEvent.AuditEventOutcome.fromCode(Integer.toString(e.outcome().code())));
        if (e.outcomeReason() != null) {
            ae.setOutcomeDesc(e.outcomeReason());
        }
        AuditActor actor = e.actor();
        if (viewer != null
                && "patient".equals(actor.kind())
                && !("Patient/" + viewer).equals(actor.fhirUser())) {
            actor = new AuditActor("patient", null, null, null);
        }
        agents(ae, actor);

        ae.getSource()
                .setObserver(
                        new Reference()
                                .setIdentifier(new Identifier().setValue(r.source()))
                                .setDisplay("telemetry-gateway " + r.source()));
        ae.getSource().addType(new Coding(SOURCE_TYPE_SYSTEM, "4", "Application Server"));

        if (e.patientId() != null) {
            ae.addEntity()
                    .setWhat(new Reference("Patient/" + e.patientId()))
                    .setType(new Coding(ENTITY_TYPE_SYSTEM, "1", "Person"))
                    .setRole(new Coding(OBJECT_ROLE_SYSTEM, "1", "Patient"));
        }
        if (e.resourceId() != null) {
            ae.addEntity()
                    .setWhat(new Reference(e.resourceType() + "/" + e.resourceId()))
                    .setType(new Coding(ENTITY_TYPE_SYSTEM, "2", "System Object"))
                    .setRole(new Coding(OBJECT_ROLE_SYSTEM, "4", "Domain Resource"));
        }
        if (e.query() != null) {
            ae.addEntity()
                    .setQuery(e.query().getBytes(StandardCharsets.UTF_8))
                    .setType(new Coding(ENTITY_TYPE_SYSTEM, "2", "System Object"))
                    .setRole(new Coding(OBJECT_ROLE_SYSTEM, "24", "Query"))
                    .setDescription(e.query());
        }
        return ae;
    }

    private static void agents(AuditEvent ae, AuditActor actor) {
        AuditEventAgentComponent user = ae.addAgent().setRequestor(true);
        user.getType().addCoding(new Coding(ROLE_TYPE_SYSTEM, "humanuser", "human user"));
        user.getType().setText(actor.kind());
        Reference who = new Reference();
        if (actor.fhirUser() != null && ACTOR_REFERENCE.matcher(actor.fhirUser()).matches()) {
            who.setReference(actor.fhirUser());
        }
        if (actor.subject() != null) {
            who.setIdentifier(new Identifier().setValue(actor.subject()));
        }
        who.setDisplay(actor.kind());
        user.setWho(who);
        if (actor.organization() != null) {
            Reference org =
                    ORGANIZATION_REFERENCE.matcher(actor.organization()).matches()
                            ? new Reference(actor.organization())
                            : new Reference()
                                    .setIdentifier(new Identifier().setValue(actor.organization()));
            AuditEventAgentComponent organization =
                    ae.addAgent().setRequestor(false).setWho(org.setDisplay("organization"));
            organization
                    .getType()
                    .addCoding(new Coding(ROLE_TYPE_SYSTEM, "dataprocessor", "data processor"));
            organization.getType().setText("organization");
        }
    }
}

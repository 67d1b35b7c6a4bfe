package org.jkn.telemetry.gateway.consent;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Consent.provisionActorComponent;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.jkn.telemetry.gateway.fhir.FhirDates;
import org.jkn.telemetry.gateway.fhir.SearchParams;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.consent.ConsentGrant;
import org.jkn.telemetry.store.consent.ConsentGrant.Action;

/**
 * The one Consent shape this server accepts, checked and compiled to grants. Anything it would not
 * enforce is refused (422) rather than ignored, so a Consent never means less, or more, than the
 * patient wrote:
 *
 * <ul>
 *   <li>{@code scope} patient-privacy ({@value #SCOPE_SYSTEM}); at least one {@code category};
 *       {@code policyRule} or {@code policy} (R4 invariant ppc-1); {@code status} any R4 status,
 *       only {@code active} is in force;
 *   <li>{@code patient}: {@code Patient/{id}} (the pseudonym), or an identifier with the NIK
 *       system, which is replaced by the reference so the NIK is never stored;
 *   <li>root {@code provision.type} deny, with at most a {@code period}, and nested permits, each
 *       with {@code action}s of {@value #ACTION_SYSTEM} ({@code collect}; {@code access} or {@code
 *       disclose}), optional {@code code}s of {@value DataCategory#SYSTEM} (none: every category
 *       but cycle), {@code actor}s ({@code Practitioner/{id}} or {@code Organization/{id}},
 *       required for access/disclose, refused on a collect-only permit) and an optional {@code
 *       period}.
 * </ul>
 *
 * Thread-safe (stateless apart from the pseudonymizer and zone).
 */
final class ConsentRules {

    static final String SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope";
    static final String ACTION_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentaction";
    static final int MAX_PERMITS = 64;
    static final int MAX_ACTORS = 64;
    static final int MAX_CODES = 16;

    private final Pseudonymizer pseudonymizer;
    private final ZoneId zone;

    ConsentRules(Pseudonymizer pseudonymizer, ZoneId zone) {
        this.pseudonymizer = pseudonymizer;
        this.zone = zone;
    }

    /**
     * Checks and compiles a parsed Consent; on success the patient reference is normalized in
     * place.
     */
    Result check(Consent c) {
        if (c.hasContained()) {
            return Result.problem("contained resources are not supported in a Consent");
        }
        if (c.hasModifierExtension() || c.getProvision().hasModifierExtension()) {
            return Result.problem(
                    "modifier extensions are not supported: they would change what the consent means");
        }
        if (c.getStatus() == null || c.getStatus() == Consent.ConsentState.NULL) {
            return Result.problem(
                    "status is required (active, inactive, rejected, entered-in-error, draft or proposed)");
        }
        if (!hasCoding(c.getScope(), SCOPE_SYSTEM, "patient-privacy")) {
            return Result.problem("scope must be " + SCOPE_SYSTEM + "|patient-privacy");
        }
        if (c.getCategory().isEmpty()) {
            return Result.problem(
                    "at least one category is required, e.g. http://loinc.org|59284-0");
        }
        if (!c.hasPolicyRule() && !c.hasPolicy()) {
            return Result.problem(
                    "policyRule or policy is required (R4 ppc-1), e.g. "
                            + "http://terminology.hl7.org/CodeSystem/v3-ActCode|OPTIN");
        }
        String patientId = patientId(c.getPatient());
        if (patientId == null) {
            return Result.problem(
                    "patient must be a reference Patient/{id} or an identifier "
                            + Nik.SYSTEM
                            + "|{NIK}");
        }
        c.setPatient(new Reference("Patient/" + patientId));

        ProvisionComponent root = c.getProvision();
        if (!c.hasProvision() || root.getType() != ConsentProvisionType.DENY) {
            return Result.problem(
                    "provision.type must be deny, with what is allowed as nested permit provisions");
        }
        if (root.hasActor() || root.hasAction() || root.hasCode() || unsupported(root)) {
            return Result.problem(
                    "the root provision takes only type deny, a period and the nested permits");
        }
        long[] rootPeriod = period(root.getPeriod());
        if (rootPeriod == null) {
            return Result.problem("provision.period needs valid dates with start before end");
        }
        if (root.getProvision().size() > MAX_PERMITS) {
            return Result.problem("at most " + MAX_PERMITS + " permit provisions");
        }
        List<ConsentGrant> grants = new ArrayList<>();
        for (ProvisionComponent p : root.getProvision()) {
            String problem = permit(p, rootPeriod, grants);
            if (problem != null) {
                return Result.problem(problem);
            }
        }
        boolean active = c.getStatus() == Consent.ConsentState.ACTIVE;
        return new Result(
                c,
                new CompiledConsent(patientId, c.getStatus().toCode(), active ? grants : List.of()),
                null);
    }

    private String permit(ProvisionComponent p, long[] rootPeriod, List<ConsentGrant> grants) {
        if (p.getType() != ConsentProvisionType.PERMIT) {
            return "each nested provision must be of type permit";
        }
        if (p.hasProvision()) {
            return "permit provisions may not nest further";
        }
        if (p.hasModifierExtension() || unsupported(p)) {
            return "a permit takes action, code, actor and period only (data, dataPeriod, class, purpose and "
                    + "securityLabel are not enforced here and so not accepted)";
        }
        if (!p.hasAction()) {
            return "each permit needs an action: collect, access or disclose";
        }
        boolean collect = false;
        boolean disclose = false;
        for (CodeableConcept a : p.getAction()) {
            if (a.getCoding().isEmpty()) {
                return "each action needs a coding of " + ACTION_SYSTEM;
            }
            for (Coding coding : a.getCoding()) {
                if (!ACTION_SYSTEM.equals(coding.getSystem())) {
                    return "actions must be codings of " + ACTION_SYSTEM;
                }
                switch (String.valueOf(coding.getCode())) {
                    case "collect" -> collect = true;
                    case "access", "disclose" -> disclose = true;
                    default -> {
                        return "supported actions are collect, access and disclose";
                    }
                }
            }
        }
        int categories = 0;
        if (p.getCode().size() > MAX_CODES) {
            return "at most " + MAX_CODES + " codes per permit";
        }
        for (CodeableConcept code : p.getCode()) {
            if (code.getCoding().isEmpty()) {
                return "each code needs a coding of " + DataCategory.SYSTEM;
            }
            for (Coding coding : code.getCoding()) {
                DataCategory dc =
                        DataCategory.SYSTEM.equals(coding.getSystem())
                                ? DataCategory.ofCode(coding.getCode())
                                : null;
                if (dc == null) {
                    return "codes must be data categories of "
                            + DataCategory.SYSTEM
                            + ": activity, body, cycle, sleep or vitals";
                }
                categories |= dc.bit();
            }
        }
        if (categories == 0) {
            categories = DataCategory.ALL_BUT_CYCLE; // cycle data needs a permit that names it
        }
        List<String> actors = new ArrayList<>();
        if (p.getActor().size() > MAX_ACTORS) {
            return "at most " + MAX_ACTORS + " actors per permit";
        }
        for (provisionActorComponent actor : p.getActor()) {
            String ref = actor.getReference().getReference();
            if (!actor.hasRole() || !isActor(ref)) {
                return "each actor needs a role and a reference Practitioner/{id} or Organization/{id}";
            }
            actors.add(ref);
        }
        if (disclose && actors.isEmpty()) {
            return "an access or disclose permit must name its actors (Practitioner/{id} or Organization/{id})";
        }
        if (!disclose && !actors.isEmpty()) {
            return "a collect permit is for this service: name actors only on access or disclose permits";
        }
        long[] own = period(p.getPeriod());
        if (own == null) {
            return "provision.period needs valid dates with start before end";
        }
        long from = Math.max(own[0], rootPeriod[0]);
        long to = Math.min(own[1], rootPeriod[1]);
        if (from >= to) {
            return null; // never in force: valid, but grants nothing
        }
        if (collect) {
            grants.add(new ConsentGrant(Action.COLLECT, categories, null, from, to));
        }
        if (disclose) {
            for (String a : actors.stream().distinct().toList()) {
                grants.add(new ConsentGrant(Action.DISCLOSE, categories, a, from, to));
            }
        }
        return null;
    }

    private static boolean unsupported(ProvisionComponent p) {
        return p.hasData()
                || p.hasDataPeriod()
                || p.hasClass_()
                || p.hasPurpose()
                || p.hasSecurityLabel();
    }

    /** {Long.MIN_VALUE, Long.MAX_VALUE} for no period, null for a bad one. */
    private long[] period(Period period) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        if (period.hasStart()) {
            long[] r = range(period.getStartElement());
            if (r == null) {
                return null;
            }
            from = r[0];
        }
        if (period.hasEnd()) {
            long[] r = range(period.getEndElement());
            if (r == null) {
                return null;
            }
            to = r[1]; // the end's precision is included: an end of 2026-12-31 covers that
            // whole day
        }
        return from < to ? new long[] {from, to} : null;
    }

    private long[] range(BaseDateTimeType t) {
        String s = t.getValueAsString();
        return s == null ? null : FhirDates.range(s, zone);
    }

    private String patientId(Reference patient) {
        String ref = patient.getReference();
        if (ref != null) {
            if (patient.hasIdentifier() || !ref.startsWith("Patient/")) {
                return null;
            }
            String id = ref.substring("Patient/".length());
            return SearchParams.isFhirId(id) ? id : null;
        }
        if (patient.hasIdentifier()
                && Nik.SYSTEM.equals(patient.getIdentifier().getSystem())
                && Nik.isValid(patient.getIdentifier().getValue())) {
            return pseudonymizer.patientId(patient.getIdentifier().getValue());
        }
        return null;
    }

    private static boolean isActor(String ref) {
        if (ref == null) {
            return false;
        }
        int slash = ref.indexOf('/');
        if (slash < 0) {
            return false;
        }
        String type = ref.substring(0, slash);
        return (type.equals("Practitioner") || type.equals("Organization"))
                && SearchParams.isFhirId(ref.substring(slash + 1));
    }

    private static boolean hasCoding(CodeableConcept cc, String system, String code) {
        for (Coding c : cc.getCoding()) {
            if (system.equals(c.getSystem()) && code.equals(c.getCode())) {
                return true;
            }
        }
        return false;
    }

    /** The checked resource and what it compiles to, or the reason it was refused (422). */
    record Result(Consent resource, CompiledConsent consent, String problem) {
        static Result problem(String message) {
            return new Result(null, null, message);
        }
    }
}

package org.jkn.telemetry.gateway.consent;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Reference;
import org.jkn.telemetry.gateway.fhir.SearchParams;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.identity.Nik;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.consent.ConsentGrant;

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
 *       with {@code action}s of {@value ProvisionRules#ACTION_SYSTEM} ({@code collect}; {@code
 *       access} or {@code disclose}), optional {@code code}s of {@value DataCategory#SYSTEM} (none:
 *       every category but cycle), {@code actor}s ({@code Practitioner/{id}} or {@code
 *       Organization/{id}}, required for access/disclose, refused on a collect-only permit) and an
 *       optional {@code period}.
 * </ul>
 *
 * The provisions are checked by {@link ProvisionRules}. Thread-safe (stateless apart from the
 * pseudonymizer and zone).
 */
final class ConsentRules {

    static final String SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope";

    private final Pseudonymizer pseudonymizer;
    private final ProvisionRules provisions;

    ConsentRules(Pseudonymizer pseudonymizer, ZoneId zone) {
        this.pseudonymizer = pseudonymizer;
        this.provisions = new ProvisionRules(zone);
    }

    /**
     * Checks and compiles a parsed Consent; on success the patient reference is normalized in
     * place.
     */
    Result check(Consent c) {
        String problem = resourceProblem(c);
        if (problem != null) {
            return Result.problem(problem);
        }
        String patientId = patientId(c.getPatient());
        if (patientId == null) {
            return Result.problem(
                    "patient must be a reference Patient/{id} or an identifier "
                            + Nik.SYSTEM
                            + "|{NIK}");
        }
        c.setPatient(new Reference("Patient/" + patientId));

        List<ConsentGrant> grants = new ArrayList<>();
        problem = provisions.check(c, grants);
        if (problem != null) {
            return Result.problem(problem);
        }
        boolean active = c.getStatus() == Consent.ConsentState.ACTIVE;
        return new Result(
                c,
                new CompiledConsent(patientId, c.getStatus().toCode(), active ? grants : List.of()),
                null);
    }

    /** What is wrong with the Consent's own elements, or null when they are as accepted here. */
    private static String resourceProblem(Consent c) {
        if (c.hasContained()) {
            return "contained resources are not supported in a Consent";
        }
        if (c.hasModifierExtension() || c.getProvision().hasModifierExtension()) {
            return "modifier extensions are not supported: they would change what the consent means";
        }
        if (c.getStatus() == null || c.getStatus() == Consent.ConsentState.NULL) {
            return "status is required (active, inactive, rejected, entered-in-error, draft or proposed)";
        }
        if (!hasCoding(c.getScope(), SCOPE_SYSTEM, "patient-privacy")) {
            return "scope must be " + SCOPE_SYSTEM + "|patient-privacy";
        }
        if (c.getCategory().isEmpty()) {
            return "at least one category is required, e.g. http://loinc.org|59284-0";
        }
        if (!c.hasPolicyRule() && !c.hasPolicy()) {
            return "policyRule or policy is required (R4 ppc-1), e.g. "
                    + "http://terminology.hl7.org/CodeSystem/v3-ActCode|OPTIN";
        }
        return null;
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

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
import org.jkn.telemetry.gateway.fhir.FhirDates;
import org.jkn.telemetry.gateway.fhir.SearchParams;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.store.consent.ConsentGrant;
import org.jkn.telemetry.store.consent.ConsentGrant.Action;

/**
 * The provisions of a Consent, as {@link ConsentRules} describes them: a root deny with at most a
 * period, and nested permits, each compiled to grants (one for collect, one per actor for access or
 * disclose) in force where its period and the root's overlap. Thread-safe (stateless apart from the
 * zone).
 */
final class ProvisionRules {

    static final String ACTION_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentaction";
    static final int MAX_PERMITS = 64;
    static final int MAX_ACTORS = 64;
    static final int MAX_CODES = 16;

    private final ZoneId zone;

    ProvisionRules(ZoneId zone) {
        this.zone = zone;
    }

    /**
     * Checks the root provision and its permits, compiling the permits into {@code grants}; returns
     * the problem, or null.
     */
    String check(Consent c, List<ConsentGrant> grants) {
        ProvisionComponent root = c.getProvision();
        if (!c.hasProvision() || root.getType() != ConsentProvisionType.DENY) {
            return "provision.type must be deny, with what is allowed as nested permit provisions";
        }
        if (root.hasActor() || root.hasAction() || root.hasCode() || unsupported(root)) {
            return "the root provision takes only type deny, a period and the nested permits";
        }
        long[] rootPeriod = period(root.getPeriod());
        if (rootPeriod == null) {
            return "provision.period needs valid dates with start before end";
        }
        if (root.getProvision().size() > MAX_PERMITS) {
            return "at most " + MAX_PERMITS + " permit provisions";
        }
        for (ProvisionComponent p : root.getProvision()) {
            String problem = permit(p, rootPeriod, grants);
            if (problem != null) {
                return problem;
            }
        }
        return null;
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
        Permit permit = new Permit();
        String problem = actions(p, permit);
        if (problem == null) {
            problem = categories(p, permit);
        }
        if (problem == null) {
            problem = actors(p, permit);
        }
        if (problem != null) {
            return problem;
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
        if (permit.collect) {
            grants.add(new ConsentGrant(Action.COLLECT, permit.categories, null, from, to));
        }
        if (permit.disclose) {
            for (String a : permit.actors.stream().distinct().toList()) {
                grants.add(new ConsentGrant(Action.DISCLOSE, permit.categories, a, from, to));
            }
        }
        return null;
    }

    /** What one permit allows, filled in as it is checked. */
    private static final class Permit {
        boolean collect;
        boolean disclose;
        int categories;
        final List<String> actors = new ArrayList<>();
    }

    private static String actions(ProvisionComponent p, Permit permit) {
        if (!p.hasAction()) {
            return "each permit needs an action: collect, access or disclose";
        }
        for (CodeableConcept a : p.getAction()) {
            if (a.getCoding().isEmpty()) {
                return "each action needs a coding of " + ACTION_SYSTEM;
            }
            for (Coding coding : a.getCoding()) {
                if (!ACTION_SYSTEM.equals(coding.getSystem())) {
                    return "actions must be codings of " + ACTION_SYSTEM;
                }
                switch (String.valueOf(coding.getCode())) {
                    case "collect" -> permit.collect = true;
                    case "access", "disclose" -> permit.disclose = true;
                    default -> {
                        return "supported actions are collect, access and disclose";
                    }
                }
            }
        }
        return null;
    }

    private static String categories(ProvisionComponent p, Permit permit) {
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
                permit.categories |= dc.bit();
            }
        }
        if (permit.categories == 0) {
            permit.categories =
                    DataCategory.ALL_BUT_CYCLE; // cycle data needs a permit that names it
        }
        return null;
    }

    private static String actors(ProvisionComponent p, Permit permit) {
        if (p.getActor().size() > MAX_ACTORS) {
            return "at most " + MAX_ACTORS + " actors per permit";
        }
        for (provisionActorComponent actor : p.getActor()) {
            String ref = actor.getReference().getReference();
            if (!actor.hasRole() || !isActor(ref)) {
                return "each actor needs a role and a reference Practitioner/{id} or Organization/{id}";
            }
            permit.actors.add(ref);
        }
        if (permit.disclose && permit.actors.isEmpty()) {
            return "an access or disclose permit must name its actors (Practitioner/{id} or Organization/{id})";
        }
        if (!permit.disclose && !permit.actors.isEmpty()) {
            return "a collect permit is for this service: name actors only on access or disclose permits";
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
            // the end's precision is included: an end of 2026-12-31 covers that whole day
            to = r[1];
        }
        return from < to ? new long[] {from, to} : null;
    }

    private long[] range(BaseDateTimeType t) {
        String s = t.getValueAsString();
        return s == null ? null : FhirDates.range(s, zone);
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
}

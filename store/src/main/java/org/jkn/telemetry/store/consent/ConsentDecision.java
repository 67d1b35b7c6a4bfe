package org.jkn.telemetry.store.consent;

import java.util.List;

/**
 * One patient's compiled consent: every grant of the patient's active Consents. Answers are {@code
 * DataCategory} bit sets; no grant means nothing is allowed (the default is deny, and only a permit
 * naming {@code cycle} ever sets the cycle bit).
 *
 * <p>Immutable and thread-safe. The questions cost one pass over the grants (a handful) and
 * allocate nothing: they run per batch on the ingest hot path.
 */
public final class ConsentDecision {

    /** A patient without any consent. */
    public static final ConsentDecision NONE = new ConsentDecision(List.of());

    private final ConsentGrant[] grants;

    public ConsentDecision(List<ConsentGrant> grants) {
        this.grants = grants.toArray(new ConsentGrant[0]);
    }

    /** The categories whose collection is permitted at {@code nowMicros}. */
    public int collectable(long nowMicros) {
        int bits = 0;
        for (ConsentGrant g : grants) {
            if (g.action() == ConsentGrant.Action.COLLECT && g.inForceAt(nowMicros)) {
                bits |= g.categories();
            }
        }
        return bits;
    }

    /**
     * The categories that may be disclosed at {@code nowMicros} to a clinician identified as {@code
     * fhirUser} ({@code Practitioner/{id}}) or belonging to {@code organization} ({@code
     * Organization/{id}}); either may be null. Zero means no permit at all.
     */
    public int disclosable(long nowMicros, String fhirUser, String organization) {
        int bits = 0;
        for (ConsentGrant g : grants) {
            if (g.action() == ConsentGrant.Action.DISCLOSE
                    && g.inForceAt(nowMicros)
                    && (g.actor().equals(fhirUser) || g.actor().equals(organization))) {
                bits |= g.categories();
            }
        }
        return bits;
    }

    public List<ConsentGrant> grants() {
        return List.of(grants);
    }
}

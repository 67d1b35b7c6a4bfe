package org.jkn.telemetry.gateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.jkn.telemetry.normalizer.catalog.DataCategory;

/** FHIR Consent bodies in the one shape the server accepts (see docs/consent.md), for tests. */
public final class Consents {

    public static final String ACTION_SYSTEM =
            "http://terminology.hl7.org/CodeSystem/consentaction";

    private Consents() {}

    /** An active Consent of the patient (a pseudonym) with these permits. */
    public static JsonObject consent(String patientId, JsonObject... permits) {
        return new JsonObject()
                .put("resourceType", "Consent")
                .put("status", "active")
                .put(
                        "scope",
                        concept(
                                "http://terminology.hl7.org/CodeSystem/consentscope",
                                "patient-privacy"))
                .put("category", new JsonArray().add(concept("http://loinc.org", "59284-0")))
                .put("patient", new JsonObject().put("reference", "Patient/" + patientId))
                .put(
                        "policyRule",
                        concept("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN"))
                .put(
                        "provision",
                        new JsonObject()
                                .put("type", "deny")
                                .put(
                                        "provision",
                                        new JsonArray(java.util.List.of((Object[]) permits))));
    }

    /** A permit to collect these categories; none given: a permit without codes. */
    public static JsonObject collect(DataCategory... categories) {
        return permit("collect", categories);
    }

    /**
     * A permit to disclose these categories to one actor, {@code Practitioner/{id}} or {@code
     * Organization/{id}}.
     */
    public static JsonObject disclose(String actor, DataCategory... categories) {
        JsonObject p = permit("disclose", categories);
        p.put(
                "actor",
                new JsonArray()
                        .add(
                                new JsonObject()
                                        .put(
                                                "role",
                                                concept(
                                                        "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                                                        "IRCP"))
                                        .put(
                                                "reference",
                                                new JsonObject().put("reference", actor))));
        return p;
    }

    public static JsonObject permit(String action, DataCategory... categories) {
        JsonObject p =
                new JsonObject()
                        .put("type", "permit")
                        .put("action", new JsonArray().add(concept(ACTION_SYSTEM, action)));
        if (categories.length > 0) {
            JsonArray codes = new JsonArray();
            for (DataCategory c : categories) {
                codes.add(concept(DataCategory.SYSTEM, c.code()));
            }
            p.put("code", codes);
        }
        return p;
    }

    /** Collection of every category, cycle named explicitly. */
    public static JsonObject collectEverything(String patientId) {
        return consent(patientId, collect(DataCategory.values()));
    }

    public static JsonObject concept(String system, String code) {
        return new JsonObject()
                .put(
                        "coding",
                        new JsonArray()
                                .add(new JsonObject().put("system", system).put("code", code)));
    }
}

package org.jkn.telemetry.gateway.consent;

import static org.jkn.telemetry.gateway.Consents.collect;
import static org.jkn.telemetry.gateway.Consents.consent;
import static org.jkn.telemetry.gateway.Consents.disclose;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What a clinician sees of a patient's Observations is what the patient's consent discloses to that
 * clinician or their organization, through real HTTP with real tokens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisclosureTest {

    private static final String PRACTITIONER = "Practitioner/dr-ani";
    private static final String ORGANIZATION = "Organization/rs-cipto";

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900081";

    static final String PATIENT_ID = GatewayFixture.patientId(NIK);
    GatewayFixture gw;
    String clinician;

    /** Observation id by the category of the reading. */
    final Map<String, String> ids = new TreeMap<>();

    final List<String> consentIds = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK); // the fixture patient consents to collecting everything
        clinician =
                gw.tokens()
                        .clinician(
                                PRACTITIONER,
                                ORGANIZATION,
                                DevTokens.CLINICIAN_SCOPES,
                                DevTokens.DEFAULT_TTL);
        String batch =
                "{\"patient\":\""
                        + NIK
                        + "\",\"device\":{\"id\":\"phone-1\"},\"readings\":["
                        + "{\"id\":\"steps\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T09:00:00+07:00\",\"value\":1200},"
                        + "{\"id\":\"hr1\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":72},"
                        + "{\"id\":\"hr2\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:10:00+07:00\",\"value\":74},"
                        + "{\"id\":\"hr3\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:20:00+07:00\",\"value\":76},"
                        + "{\"id\":\"flow\",\"type\":\"menstruation_flow\",\"time\":\"2026-11-22T08:00:00+07:00\",\"flow\":\"light\"},"
                        + "{\"id\":\"weight\",\"type\":\"weight\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":70}]}";
        assertEquals(6, json(gw.postBatch(batch)).getInteger("accepted"));
        Poll.until("all stored", () -> gw.observationCount() == 6);
        for (Object e : gw.observations("").getJsonArray("entry")) {
            JsonObject res = ((JsonObject) e).getJsonObject("resource");
            ids.put(res.getJsonObject("code").getString("text"), res.getString("id"));
        }
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    /** Each test starts from the collection consent alone: disclosure consents are removed. */
    @AfterEach
    void withdrawDisclosures() throws Exception {
        for (String id : consentIds) {
            assertEquals(204, gw.delete("/fhir/Consent/" + id, gw.adminToken()).statusCode());
        }
        consentIds.clear();
    }

    private String permit(JsonObject... permits) throws Exception {
        HttpResponse<String> r = gw.postConsent(consent(PATIENT_ID, permits));
        assertEquals(201, r.statusCode(), r.body());
        String id = json(r).getString("id");
        consentIds.add(id);
        return id;
    }

    private HttpResponse<String> search(String token, String extra) throws Exception {
        return gw.get("/fhir/Observation?patient=" + PATIENT_ID + extra, null, token);
    }

    private static List<String> texts(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        List<String> out = new ArrayList<>();
        for (Object e : json(r).getJsonArray("entry", new JsonArray())) {
            out.add(
                    ((JsonObject) e)
                            .getJsonObject("resource")
                            .getJsonObject("code")
                            .getString("text"));
        }
        return out;
    }

    private static void assertForbiddenOutcome(HttpResponse<String> r) {
        assertEquals(403, r.statusCode(), r.body());
        JsonObject oo = json(r);
        assertEquals("OperationOutcome", oo.getString("resourceType"));
        assertEquals("forbidden", oo.getJsonArray("issue").getJsonObject(0).getString("code"));
    }

    @Test
    void aClinicianWithoutAnyPermitGets403AndReadsByIdAnswerLikeAbsent() throws Exception {
        assertForbiddenOutcome(search(clinician, ""));
        assertForbiddenOutcome(search(clinician, "&code=8867-4"));
        assertEquals(
                404,
                gw.get("/fhir/Observation/" + ids.get("Heart rate"), null, clinician).statusCode());
    }

    @Test
    void aVitalsPermitToTheOrganizationShowsOnlyVitalsWithRightTotalsAndPages() throws Exception {
        permit(disclose(ORGANIZATION, DataCategory.VITALS));
        assertEquals(
                List.of("Heart rate", "Heart rate", "Heart rate"), texts(search(clinician, "")));
        assertEquals(3, json(search(clinician, "")).getInteger("total"));

        JsonObject page = json(search(clinician, "&_count=2&_sort=date"));
        assertEquals(
                2,
                page.getJsonArray("entry").size(),
                "the filter is in SQL: the first page is full");
        String next = null;
        for (Object l : page.getJsonArray("link")) {
            if ("next".equals(((JsonObject) l).getString("relation"))) {
                next = ((JsonObject) l).getString("url");
            }
        }
        assertNotNull(next);
        assertEquals(
                List.of("Heart rate"),
                texts(gw.get(next.substring(next.indexOf("/fhir/")), null, clinician)));

        assertEquals(
                List.of(),
                texts(search(clinician, "&code=55423-8")),
                "steps exist but are not disclosed");
        assertEquals(
                200,
                gw.get("/fhir/Observation/" + ids.get("Heart rate"), null, clinician).statusCode());
        assertEquals(
                404,
                gw.get(
                                "/fhir/Observation/"
                                        + ids.get("Number of steps in unspecified time Pedometer"),
                                null,
                                clinician)
                        .statusCode());
    }

    @Test
    void aPermitToAnotherPractitionerGivesThisOne403() throws Exception {
        permit(disclose("Practitioner/dr-budi", DataCategory.VITALS, DataCategory.ACTIVITY));
        assertForbiddenOutcome(search(clinician, ""));
        String budi =
                gw.tokens()
                        .clinician(
                                "Practitioner/dr-budi",
                                null,
                                DevTokens.CLINICIAN_SCOPES,
                                DevTokens.DEFAULT_TTL);
        assertEquals(
                4,
                texts(search(budi, "")).size(),
                "dr-budi, named in the permit, sees vitals and activity");
    }

    @Test
    void aCodeLessDisclosurePermitNeverShowsCycleData() throws Exception {
        permit(disclose(PRACTITIONER));
        List<String> seen = texts(search(clinician, ""));
        assertEquals(5, seen.size(), seen.toString());
        assertTrue(
                !seen.contains("Menstruation flow")
                        && !seen.contains("Quantity of menstrual blood loss"),
                seen.toString());
        permit(disclose(PRACTITIONER, DataCategory.CYCLE));
        assertEquals(6, texts(search(clinician, "")).size(), "once cycle is named");
    }

    @Test
    void withdrawalTakesEffectForTheNextReadWithoutARestart() throws Exception {
        String id = permit(disclose(ORGANIZATION, DataCategory.VITALS));
        assertEquals(3, texts(search(clinician, "")).size());
        JsonObject inactive =
                consent(PATIENT_ID, disclose(ORGANIZATION, DataCategory.VITALS))
                        .put("status", "inactive");
        assertEquals(200, gw.putConsent(id, inactive).statusCode());
        assertForbiddenOutcome(search(clinician, ""));
        assertEquals(
                404,
                gw.get("/fhir/Observation/" + ids.get("Heart rate"), null, clinician).statusCode());
    }

    @Test
    void aCollectPermitDisclosesNothingAndThePatientSeesEverything() throws Exception {
        permit(collect(DataCategory.VITALS));
        assertForbiddenOutcome(search(clinician, ""));
        assertEquals(6, texts(search(gw.defaultToken(), "")).size());
    }

    @Test
    void anAdminReadsNoHealthData() throws Exception {
        permit(disclose(ORGANIZATION, DataCategory.VITALS));
        assertEquals(403, search(gw.adminToken(), "").statusCode());
    }
}

package org.jkn.telemetry.gateway.consent;

import static org.jkn.telemetry.gateway.Consents.collect;
import static org.jkn.telemetry.gateway.Consents.consent;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** What is stored is what the patient consents to collecting, per category, through real HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsentCollectionTest {

    private static final Pseudonymizer PSEUDONYMS = new Pseudonymizer(GatewayFixture.KEY);

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900071";

    GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.sharedWithoutConsent(NIK);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    /**
     * One reading of each group (activity, vitals, cycle, body, sleep, cycle), plus an implausible
     * one.
     */
    private static String mixedBatch(String nik, String prefix) {
        return "{\"patient\":\""
                + nik
                + "\",\"device\":{\"id\":\"phone-1\"},\"readings\":["
                + "{\"id\":\""
                + prefix
                + "steps\",\"type\":\"steps\",\"start\":\"2026-11-22T08:00:00+07:00\",\"end\":\"2026-11-22T09:00:00+07:00\",\"value\":1200},"
                + "{\"id\":\""
                + prefix
                + "hr\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":72},"
                + "{\"id\":\""
                + prefix
                + "flow\",\"type\":\"menstruation_flow\",\"time\":\"2026-11-22T08:00:00+07:00\",\"flow\":\"light\"},"
                + "{\"id\":\""
                + prefix
                + "bad\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:01:00+07:00\",\"value\":9000},"
                + "{\"id\":\""
                + prefix
                + "weight\",\"type\":\"weight\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":70},"
                + "{\"id\":\""
                + prefix
                + "sleep\",\"type\":\"sleep_session\",\"start\":\"2026-11-21T22:00:00+07:00\",\"end\":\"2026-11-22T06:00:00+07:00\"},"
                + "{\"id\":\""
                + prefix
                + "sex\",\"type\":\"sexual_activity\",\"time\":\"2026-11-22T07:00:00+07:00\"}"
                + "]}";
    }

    /** Posts the batch as the patient it names would, with that patient's token. */
    private JsonObject post(String body) throws Exception {
        String nik = new JsonObject(body).getString("patient");
        HttpResponse<String> r =
                gw.post(
                        "/v1/readings",
                        "application/json",
                        body.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        gw.patientToken(nik));
        assertEquals(202, r.statusCode(), r.body());
        return json(r);
    }

    /** reading id -> reason of each rejection */
    private static List<String> rejected(JsonObject answer) {
        List<String> out = new ArrayList<>();
        for (Object o : answer.getJsonArray("rejected")) {
            JsonObject j = (JsonObject) o;
            out.add(j.getInteger("index") + ":" + j.getString("id") + ":" + j.getString("reason"));
        }
        return out;
    }

    private List<String> storedTypes(String nik) throws Exception {
        HttpResponse<String> r =
                gw.get(
                        "/fhir/Observation?patient="
                                + PSEUDONYMS.patientId(nik)
                                + "&_count=100&_sort=date",
                        null,
                        gw.patientToken(nik));
        assertEquals(200, r.statusCode(), r.body());
        List<String> codes = new ArrayList<>();
        for (Object e : json(r).getJsonArray("entry", new JsonArray())) {
            codes.add(
                    ((JsonObject) e)
                            .getJsonObject("resource")
                            .getJsonObject("code")
                            .getString("text"));
        }
        return codes;
    }

    private void awaitDrained() throws InterruptedException {
        Poll.until("journal drained", () -> gw.gateway().journal().pendingReadings() == 0);
    }

    private String consentFor(String nik, JsonObject... permits) throws Exception {
        HttpResponse<String> r =
                gw.postConsent(consent(PSEUDONYMS.patientId(nik), permits), gw.patientToken(nik));
        assertEquals(201, r.statusCode(), r.body());
        return json(r).getString("id");
    }

    @Test
    void withoutConsentEveryReadingIsRejectedAsConsentRequiredAndNothingIsStored()
            throws Exception {
        String nik = "3171014101900011";
        double before = gw.metric("telemetry_readings_rejected_total{reason=\"consent-required\"}");
        JsonObject a = post(mixedBatch(nik, "n-"));
        assertEquals(0, a.getInteger("accepted"));
        assertEquals(
                List.of(
                        "0:n-steps:consent-required",
                        "1:n-hr:consent-required",
                        "2:n-flow:consent-required",
                        "3:n-bad:implausible-value",
                        "4:n-weight:consent-required",
                        "5:n-sleep:consent-required",
                        "6:n-sex:consent-required"),
                rejected(a));
        assertEquals(
                before + 6,
                gw.metric("telemetry_readings_rejected_total{reason=\"consent-required\"}"));
        awaitDrained();
        assertEquals(List.of(), storedTypes(nik));
    }

    @Test
    void aVitalsOnlyPermitStoresOnlyVitals() throws Exception {
        String nik = "3171014101900012";
        consentFor(nik, collect(DataCategory.VITALS));
        JsonObject a = post(mixedBatch(nik, "v-"));
        assertEquals(1, a.getInteger("accepted"));
        assertEquals(
                List.of(
                        "0:v-steps:consent-required",
                        "2:v-flow:consent-required",
                        "3:v-bad:implausible-value",
                        "4:v-weight:consent-required",
                        "5:v-sleep:consent-required",
                        "6:v-sex:consent-required"),
                rejected(a));
        awaitDrained();
        assertEquals(List.of("Heart rate"), storedTypes(nik));
    }

    @Test
    void aPermitWithoutCodesCoversEverythingButCycle() throws Exception {
        String nik = "3171014101900013";
        consentFor(nik, collect());
        JsonObject a = post(mixedBatch(nik, "c-"));
        assertEquals(4, a.getInteger("accepted"));
        assertEquals(
                List.of(
                        "2:c-flow:consent-required",
                        "3:c-bad:implausible-value",
                        "6:c-sex:consent-required"),
                rejected(a));
        awaitDrained();
        assertEquals(4, storedTypes(nik).size());
    }

    @Test
    void cycleDataIsStoredOnlyWithAPermitThatNamesCycle() throws Exception {
        String nik = "3171014101900014";
        consentFor(nik, collect(DataCategory.CYCLE));
        JsonObject a = post(mixedBatch(nik, "y-"));
        assertEquals(2, a.getInteger("accepted"));
        awaitDrained();
        List<String> stored = storedTypes(nik);
        assertTrue(stored.contains("Sexual activity") && stored.size() == 2, stored.toString());
    }

    @Test
    void withdrawalTakesEffectForTheNextUploadWithoutARestart() throws Exception {
        String nik = "3171014101900015";
        String patient = PSEUDONYMS.patientId(nik);
        String id = consentFor(nik, collect(DataCategory.VITALS));
        assertEquals(1, post(mixedBatch(nik, "w1-")).getInteger("accepted"));

        HttpResponse<String> withdrawn =
                gw.putConsent(
                        id,
                        consent(patient, collect(DataCategory.VITALS)).put("status", "inactive"),
                        gw.patientToken(nik));
        assertEquals(200, withdrawn.statusCode(), withdrawn.body());
        JsonObject after = post(mixedBatch(nik, "w2-"));
        assertEquals(0, after.getInteger("accepted"));
        assertTrue(rejected(after).contains("1:w2-hr:consent-required"));

        assertEquals(
                200,
                gw.putConsent(
                                id,
                                consent(patient, collect(DataCategory.VITALS)),
                                gw.patientToken(nik))
                        .statusCode(),
                "given again");
        assertEquals(1, post(mixedBatch(nik, "w3-")).getInteger("accepted"));

        assertEquals(
                200,
                gw.putConsent(
                                id,
                                consent(patient, collect(DataCategory.SLEEP)),
                                gw.patientToken(nik))
                        .statusCode(),
                "vitals provision removed");
        JsonObject sleepOnly = post(mixedBatch(nik, "w4-"));
        assertEquals(1, sleepOnly.getInteger("accepted"));
        assertTrue(rejected(sleepOnly).contains("1:w4-hr:consent-required"));

        assertEquals(
                204,
                gw.delete("/fhir/Consent/" + id, gw.patientToken(nik)).statusCode(),
                "withdrawn by deleting");
        assertEquals(0, post(mixedBatch(nik, "w5-")).getInteger("accepted"), "deleted");
        awaitDrained();
        assertEquals(3, storedTypes(nik).size(), "w1 and w3 heart rates and the w4 sleep session");
    }

    @Test
    void aPermitIsInForceOnlyWithinItsPeriod() throws Exception {
        String nik = "3171014101900016";
        JsonObject expired =
                collect(DataCategory.VITALS)
                        .put(
                                "period",
                                new JsonObject()
                                        .put("start", "2020-01-01")
                                        .put("end", "2020-12-31"));
        JsonObject current =
                collect(DataCategory.ACTIVITY)
                        .put("period", new JsonObject().put("start", "2020-01-01T00:00:00Z"));
        consentFor(nik, expired, current);
        JsonObject a = post(mixedBatch(nik, "p-"));
        assertEquals(1, a.getInteger("accepted"), a.encode());
        assertTrue(rejected(a).contains("1:p-hr:consent-required"));
    }

    @Test
    void theFixturesDefaultConsentCoversEveryCategoryCycleIncluded() throws Exception {
        String id = gw.consentToCollectingEverything(NIK);
        JsonObject a = post(mixedBatch(NIK, "f-"));
        assertEquals(6, a.getInteger("accepted"));
        assertEquals(204, gw.delete("/fhir/Consent/" + id, gw.adminToken()).statusCode());
        assertEquals(0, post(mixedBatch(NIK, "g-")).getInteger("accepted"));
    }
}

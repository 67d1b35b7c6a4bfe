package org.jkn.telemetry.gateway.consent;

import static org.jkn.telemetry.gateway.Consents.collect;
import static org.jkn.telemetry.gateway.Consents.consent;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Who may write and read Consents: the patient for their own, an admin for anyone; nobody else. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsentAuthorizationTest {

    private static final String OTHER_NIK = "3171020101900062";
    private static final String OTHER = new Pseudonymizer(GatewayFixture.KEY).patientId(OTHER_NIK);

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900061";

    static final String PATIENT_ID = GatewayFixture.patientId(NIK);
    GatewayFixture gw;
    String othersConsent;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        othersConsent = gw.consentToCollectingEverything(OTHER_NIK);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @Test
    void aPatientCannotWriteOrReadAnotherPatientsConsents() throws Exception {
        HttpResponse<String> forOther = gw.postConsent(consent(OTHER, collect()));
        assertEquals(403, forOther.statusCode(), forOther.body());
        assertEquals("OperationOutcome", json(forOther).getString("resourceType"));
        assertEquals(
                403,
                gw.postConsent(
                                consent(PATIENT_ID, collect())
                                        .put(
                                                "patient",
                                                new io.vertx.core.json.JsonObject()
                                                        .put(
                                                                "identifier",
                                                                new io.vertx.core.json.JsonObject()
                                                                        .put(
                                                                                "system",
                                                                                "https://fhir.kemkes.go.id/id/nik")
                                                                        .put("value", OTHER_NIK))))
                        .statusCode(),
                "nor by the other's NIK");
        assertEquals(
                404,
                gw.get("/fhir/Consent/" + othersConsent).statusCode(),
                "another patient's consent is as if absent");
        assertEquals(403, gw.get("/fhir/Consent?patient=" + OTHER).statusCode());
        assertEquals(403, gw.putConsent(othersConsent, consent(OTHER, collect())).statusCode());
        assertEquals(
                404, gw.putConsent(othersConsent, consent(PATIENT_ID, collect())).statusCode());
        assertEquals(404, gw.delete("/fhir/Consent/" + othersConsent).statusCode());
        assertEquals(
                200,
                gw.get("/fhir/Consent/" + othersConsent, null, gw.adminToken()).statusCode(),
                "it is still there");
    }

    @Test
    void clinicianTokensMayNeitherWriteNorReadConsents() throws Exception {
        String clinician = gw.clinicianToken();
        assertEquals(403, gw.postConsent(consent(PATIENT_ID, collect()), clinician).statusCode());
        assertEquals(
                403, gw.get("/fhir/Consent?patient=" + PATIENT_ID, null, clinician).statusCode());
        assertEquals(403, gw.get("/fhir/Consent/" + othersConsent, null, clinician).statusCode());
    }

    @Test
    void withoutATokenOrTheScopeNothingHappens() throws Exception {
        assertEquals(401, gw.postConsent(consent(PATIENT_ID, collect()), null).statusCode());
        assertEquals(401, gw.get("/fhir/Consent?patient=" + PATIENT_ID, null, null).statusCode());
        String readOnly =
                gw.tokens().patient(PATIENT_ID, "patient/Observation.rs", DevTokens.DEFAULT_TTL);
        assertEquals(403, gw.postConsent(consent(PATIENT_ID, collect()), readOnly).statusCode());
        String consentReader =
                gw.tokens().patient(PATIENT_ID, "patient/Consent.r", DevTokens.DEFAULT_TTL);
        assertEquals(
                403, gw.postConsent(consent(PATIENT_ID, collect()), consentReader).statusCode());
        assertEquals(
                403,
                gw.get("/fhir/Consent?patient=" + PATIENT_ID, null, consentReader).statusCode(),
                "search needs s");
        String consentSearcher =
                gw.tokens().patient(PATIENT_ID, "patient/Consent.s", DevTokens.DEFAULT_TTL);
        assertEquals(
                200,
                gw.get("/fhir/Consent?patient=" + PATIENT_ID, null, consentSearcher).statusCode());
        String id = json(gw.postConsent(consent(PATIENT_ID, collect()))).getString("id");
        assertEquals(
                403,
                gw.delete("/fhir/Consent/" + id, consentReader).statusCode(),
                "delete needs d");
        assertEquals(
                204,
                gw.delete("/fhir/Consent/" + id).statusCode(),
                "the default patient token may withdraw by deleting");
    }

    @Test
    void anAdminManagesAnyPatientsConsents() throws Exception {
        HttpResponse<String> r =
                gw.postConsent(consent(OTHER, collect(DataCategory.SLEEP)), gw.adminToken());
        assertEquals(201, r.statusCode(), r.body());
        String id = json(r).getString("id");
        assertEquals(
                200,
                gw.putConsent(id, consent(OTHER, collect(DataCategory.BODY)), gw.adminToken())
                        .statusCode());
        assertEquals(204, gw.delete("/fhir/Consent/" + id, gw.adminToken()).statusCode());
    }
}

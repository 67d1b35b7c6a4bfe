package org.jkn.telemetry.gateway.auth;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.jkn.telemetry.gateway.Consents;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What each kind of valid token may do, over real HTTP: patients only their own data (IDOR attempts
 * are refused), clinicians read, admins manage devices but read no health data, and a scope grants
 * exactly what it says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AccessTest {

    static final String OTHER_NIK = "3171020101900012";
    static final String OTHER_ID = new Pseudonymizer(GatewayFixture.KEY).patientId(OTHER_NIK);

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900011";

    static final String PATIENT_ID = GatewayFixture.patientId(NIK);
    static final String EXAMPLE = GatewayFixture.example(NIK);
    GatewayFixture gw;
    String otherToken;
    String otherObservationId;
    String ownObservationId;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        otherToken = gw.patientToken(OTHER_NIK);
        // the other patient lets this service collect their data and shows it to the fixture
        // clinician's organization
        assertEquals(
                201,
                gw.postConsent(
                                Consents.consent(
                                        OTHER_ID,
                                        Consents.collect(DataCategory.values()),
                                        Consents.disclose("Organization/rs-45")),
                                otherToken)
                        .statusCode());
        assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
        assertEquals(202, upload(EXAMPLE.replace(NIK, OTHER_NIK), otherToken).statusCode());
        Poll.until(
                "both stored",
                () -> gw.observationCount() == 4 && count(OTHER_ID, otherToken) == 4);
        ownObservationId = firstId(PATIENT_ID, gw.defaultToken());
        otherObservationId = firstId(OTHER_ID, otherToken);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private HttpResponse<String> upload(String batch, String token) throws Exception {
        return gw.post(
                "/v1/readings", "application/json", batch.getBytes(StandardCharsets.UTF_8), token);
    }

    private int count(String patientId, String token) {
        try {
            JsonArray e =
                    json(gw.get("/fhir/Observation?patient=" + patientId, null, token))
                            .getJsonArray("entry");
            return e == null ? 0 : e.size();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String firstId(String patientId, String token) throws Exception {
        return json(gw.get("/fhir/Observation?patient=" + patientId, null, token))
                .getJsonArray("entry")
                .getJsonObject(0)
                .getJsonObject("resource")
                .getString("id");
    }

    private String patient(String scope) {
        return gw.tokens().patient(PATIENT_ID, scope, DevTokens.DEFAULT_TTL);
    }

    private static void assertForbidden(HttpResponse<String> r, String code) {
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(
                r.headers()
                        .firstValue("WWW-Authenticate")
                        .orElse("")
                        .contains("error=\"insufficient_scope\""));
        JsonObject body = new JsonObject(r.body());
        if ("OperationOutcome".equals(body.getString("resourceType"))) {
            assertEquals(
                    "forbidden", body.getJsonArray("issue").getJsonObject(0).getString("code"));
        } else {
            assertEquals(code, body.getJsonObject("error").getString("code"));
        }
    }

    @Test
    void withoutATokenOnlyMetadataHealthAndMetricsAnswer() throws Exception {
        for (String path :
                new String[] {
                    "/fhir/Observation?patient=" + PATIENT_ID,
                    "/fhir/Observation/" + ownObservationId,
                    "/fhir/Patient/" + PATIENT_ID,
                    "/v1/devices/dev-1",
                    "/fhir/Encounter"
                }) {
            HttpResponse<String> r = gw.get(path, null, null);
            assertEquals(401, r.statusCode(), path);
            assertEquals(
                    "Bearer realm=\"telemetry\"",
                    r.headers().firstValue("WWW-Authenticate").orElse(""));
        }
        HttpResponse<String> upload = upload(EXAMPLE, null);
        assertEquals(401, upload.statusCode());
        assertEquals("token-missing", json(upload).getJsonObject("error").getString("code"));
        JsonObject security =
                json(gw.get("/fhir/metadata", null, null))
                        .getJsonArray("rest")
                        .getJsonObject(0)
                        .getJsonObject("security");
        assertEquals(
                "SMART-on-FHIR",
                security.getJsonArray("service")
                        .getJsonObject(0)
                        .getJsonArray("coding")
                        .getJsonObject(0)
                        .getString("code"));
        assertEquals(200, gw.get("/fhir/metadata?_format=xml", null, null).statusCode());
        assertEquals(200, gw.get("/health", null, null).statusCode());
        assertEquals(200, gw.get("/metrics", null, null).statusCode());
        assertEquals(
                401,
                gw.get("/fhir/metadata/../Observation?patient=" + PATIENT_ID, null, null)
                        .statusCode(),
                "no way around through dot segments");
    }

    @Test
    void aPatientUploadsOnlyForThemselves() throws Exception {
        HttpResponse<String> r =
                upload(EXAMPLE.replace(NIK, OTHER_NIK).replace("\"a", "\"idor"), gw.defaultToken());
        assertForbidden(r, "patient-mismatch");
        HttpResponse<String> noPatient =
                upload(EXAMPLE.replace("\"patient\": \"" + NIK + "\",", ""), gw.defaultToken());
        assertEquals(400, noPatient.statusCode(), "an app's batch still names its patient");
        assertEquals("patient-missing", json(noPatient).getJsonObject("error").getString("code"));
        Poll.until("the journal is drained", () -> gw.gateway().journal().pendingReadings() == 0);
        assertEquals(4, count(OTHER_ID, otherToken), "nothing was stored for the other patient");
    }

    @Test
    void readOnlyAndForeignScopedTokensCannotUpload() throws Exception {
        for (String scope :
                new String[] {
                    "patient/Observation.rs", "patient/Observation.read", "patient/Patient.c",
                    "user/Observation.c", "patient/Observation.rs?category=vital-signs",
                            "patient/Observation.cr?x=1",
                    "patient/Observation.rc", "openid fhirUser", ""
                }) {
            assertForbidden(upload(EXAMPLE, patient(scope)), "insufficient-scope");
        }
        assertEquals(
                202,
                upload(EXAMPLE, patient("patient/Observation.write")).statusCode(),
                "SMART v1 .write includes create");
        assertEquals(202, upload(EXAMPLE, patient("patient/Observation.c")).statusCode());
        assertEquals(202, upload(EXAMPLE, patient("patient/*.cruds")).statusCode());
        assertForbidden(upload(EXAMPLE, gw.clinicianToken()), "insufficient-scope");
        assertForbidden(upload(EXAMPLE, gw.adminToken()), "insufficient-scope");
    }

    @Test
    void aPatientSearchesOnlyTheirOwnData() throws Exception {
        String own = gw.defaultToken();
        assertEquals(
                200, gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, own).statusCode());
        assertEquals(
                200,
                gw.get("/fhir/Observation?subject=Patient/" + PATIENT_ID, null, own).statusCode());
        assertForbidden(gw.get("/fhir/Observation?patient=" + OTHER_ID, null, own), null);
        assertForbidden(gw.get("/fhir/Observation?subject=Patient/" + OTHER_ID, null, own), null);
        assertForbidden(gw.get("/fhir/Observation", null, own), null);
        assertForbidden(gw.get("/fhir/Observation?code=8867-4", null, own), null);
        assertForbidden(
                gw.get(
                        "/fhir/Observation?patient=" + PATIENT_ID + "&patient=" + OTHER_ID,
                        null,
                        own),
                null);
        assertForbidden(
                gw.get(
                        "/fhir/Observation?patient=" + PATIENT_ID + "&subject=" + OTHER_ID,
                        null,
                        own),
                null);
        assertForbidden(
                gw.get("/fhir/Observation?patient=" + PATIENT_ID + "," + OTHER_ID, null, own),
                null);
        assertForbidden(
                gw.get(
                        "/fhir/Observation?patient="
                                + URLEncoder.encode(
                                        PATIENT_ID + "' or '1'='1", StandardCharsets.UTF_8),
                        null,
                        own),
                null);
        assertForbidden(
                gw.get(
                        "/fhir/Observation?patient=" + PATIENT_ID,
                        null,
                        patient("patient/Observation.c")),
                null);
        assertEquals(
                200,
                gw.get(
                                "/fhir/Observation?patient=" + PATIENT_ID,
                                null,
                                patient("patient/Observation.read"))
                        .statusCode(),
                "SMART v1 .read includes search");
    }

    @Test
    void aPatientReadingAnotherPatientsResourceGetsNotFound() throws Exception {
        String own = gw.defaultToken();
        assertEquals(200, gw.get("/fhir/Observation/" + ownObservationId, null, own).statusCode());
        HttpResponse<String> other = gw.get("/fhir/Observation/" + otherObservationId, null, own);
        assertEquals(404, other.statusCode());
        HttpResponse<String> missing =
                gw.get("/fhir/Observation/" + "f".repeat(otherObservationId.length()), null, own);
        assertEquals(
                missing.statusCode(),
                other.statusCode(),
                "indistinguishable from an id that does not exist");
        assertEquals(
                json(missing).getJsonArray("issue").getJsonObject(0).getString("diagnostics"),
                json(other).getJsonArray("issue").getJsonObject(0).getString("diagnostics"));
        assertEquals(
                200,
                gw.get("/fhir/Observation/" + otherObservationId, null, otherToken).statusCode());
        assertEquals(200, gw.get("/fhir/Patient/" + PATIENT_ID, null, own).statusCode());
        assertEquals(404, gw.get("/fhir/Patient/" + OTHER_ID, null, own).statusCode());
    }

    @Test
    void aPatientCannotAskWhetherAnotherNikIsAParticipant() throws Exception {
        String nik = URLEncoder.encode("https://fhir.kemkes.go.id/id/nik|", StandardCharsets.UTF_8);
        HttpResponse<String> own =
                gw.get("/fhir/Patient?identifier=" + nik + NIK, null, gw.defaultToken());
        assertEquals(1, json(own).getInteger("total"));
        assertForbidden(
                gw.get("/fhir/Patient?identifier=" + nik + OTHER_NIK, null, gw.defaultToken()),
                null);
        assertForbidden(
                gw.get(
                        "/fhir/Patient?identifier=" + nik + "3171011508850009",
                        null,
                        gw.defaultToken()),
                null);
        assertEquals(
                1,
                json(gw.get(
                                "/fhir/Patient?identifier=" + nik + OTHER_NIK,
                                null,
                                gw.clinicianToken()))
                        .getInteger("total"));
    }

    @Test
    void aClinicianReadsButAnAdminReadsNoHealthData() throws Exception {
        String clinician = gw.clinicianToken();
        assertEquals(
                200, gw.get("/fhir/Observation?patient=" + OTHER_ID, null, clinician).statusCode());
        assertEquals(
                200,
                gw.get("/fhir/Observation/" + otherObservationId, null, clinician).statusCode());
        assertEquals(200, gw.get("/fhir/Patient/" + OTHER_ID, null, clinician).statusCode());
        String noRead =
                gw.tokens()
                        .clinician(
                                "Practitioner/7", null, "user/Patient.rs", DevTokens.DEFAULT_TTL);
        assertForbidden(gw.get("/fhir/Observation?patient=" + OTHER_ID, null, noRead), null);
        String patientScoped =
                gw.tokens()
                        .mint(
                                gw.tokens()
                                        .claims(
                                                "Practitioner/7",
                                                "patient/Observation.rs",
                                                DevTokens.DEFAULT_TTL)
                                        .put("fhirUser", "Practitioner/7")
                                        .put("patient", OTHER_ID));
        assertForbidden(gw.get("/fhir/Observation?patient=" + OTHER_ID, null, patientScoped), null);
        String admin = gw.adminToken();
        assertForbidden(gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, admin), null);
        assertForbidden(gw.get("/fhir/Observation/" + ownObservationId, null, admin), null);
        assertForbidden(gw.get("/fhir/Patient/" + PATIENT_ID, null, admin), null);
    }

    @Test
    void devicesAreManagedByAdminsAndByPatientsForTheirOwn() throws Exception {
        String own = gw.defaultToken();
        String forOther =
                new JsonObject()
                        .put("patient", OTHER_NIK)
                        .put("manufacturer", "Acme")
                        .put("model", "Band 5")
                        .put("serial", "SN-IDOR")
                        .encode();
        assertForbidden(
                gw.post(
                        "/v1/devices",
                        "application/json",
                        forOther.getBytes(StandardCharsets.UTF_8),
                        own),
                "patient-mismatch");
        assertForbidden(
                gw.post(
                        "/v1/devices",
                        "application/json",
                        forOther.getBytes(StandardCharsets.UTF_8),
                        gw.clinicianToken()),
                "insufficient-scope");
        assertForbidden(
                gw.post(
                        "/v1/devices",
                        "application/json",
                        forOther.getBytes(StandardCharsets.UTF_8),
                        patient("patient/Observation.rs")),
                "insufficient-scope");

        HttpResponse<String> othersDevice =
                gw.post(
                        "/v1/devices",
                        "application/json",
                        forOther.getBytes(StandardCharsets.UTF_8),
                        gw.adminToken());
        assertEquals(201, othersDevice.statusCode());
        String otherId = json(othersDevice).getString("id");
        assertEquals(
                404,
                gw.delete("/v1/devices/" + otherId, own).statusCode(),
                "another patient's device is not revealed");
        assertForbidden(
                gw.delete("/v1/devices/" + otherId, gw.clinicianToken()), "insufficient-scope");

        String mine = forOther.replace(OTHER_NIK, NIK).replace("SN-IDOR", "SN-MINE");
        HttpResponse<String> ownDevice =
                gw.post(
                        "/v1/devices",
                        "application/json",
                        mine.getBytes(StandardCharsets.UTF_8),
                        own);
        assertEquals(201, ownDevice.statusCode(), "a patient pairs their own device");
        assertEquals(
                204, gw.delete("/v1/devices/" + json(ownDevice).getString("id"), own).statusCode());
        assertEquals(
                204,
                gw.delete("/v1/devices/" + otherId, gw.adminToken()).statusCode(),
                "still there for an admin to revoke");
    }

    @Test
    void refusalsNeverEchoIdentifiers() throws Exception {
        HttpResponse<String> r =
                gw.get("/fhir/Observation?patient=" + OTHER_ID, null, gw.defaultToken());
        assertFalse(r.body().contains(OTHER_ID) || r.body().contains(PATIENT_ID), r.body());
        HttpResponse<String> u = upload(EXAMPLE.replace(NIK, OTHER_NIK), gw.defaultToken());
        assertFalse(u.body().contains(OTHER_NIK) || u.body().contains(NIK), u.body());
    }
}

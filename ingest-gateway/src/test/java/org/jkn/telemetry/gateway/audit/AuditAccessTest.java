package org.jkn.telemetry.gateway.audit;

import static org.jkn.telemetry.gateway.Consents.consent;
import static org.jkn.telemetry.gateway.Consents.disclose;
import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.NIK;
import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.jkn.telemetry.gateway.audit.AuditTrailTest.OTHER_ID;
import static org.jkn.telemetry.gateway.audit.AuditTrailTest.OTHER_NIK;
import static org.jkn.telemetry.gateway.audit.AuditTrailTest.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.normalizer.catalog.DataCategory;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who sees which AuditEvents, with real tokens over real HTTP: a patient their own trail only, with
 * the clinicians who looked and the refused attempts; an administrator any; clinicians none.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditAccessTest {

    @TempDir static Path dataDir;
    GatewayFixture gw;
    String patient;
    String other;
    String clinician;
    String admin;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.start(dataDir);
        patient = gw.patientToken(NIK);
        other = gw.patientToken(OTHER_NIK);
        clinician = gw.clinicianToken();
        admin = gw.adminToken();
        assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
        gw.consentToCollectingEverything(OTHER_NIK);
        // both patients disclose everything to the fixture's clinician
        assertEquals(
                201,
                gw.postConsent(
                                consent(
                                        PATIENT_ID,
                                        disclose("Practitioner/test-1", DataCategory.values())),
                                patient)
                        .statusCode());
        assertEquals(
                201,
                gw.postConsent(
                                consent(
                                        OTHER_ID,
                                        disclose("Practitioner/test-1", DataCategory.values())),
                                other)
                        .statusCode());
        assertEquals(
                202,
                gw.post(
                                "/v1/readings",
                                "application/json",
                                EXAMPLE.replace(NIK, OTHER_NIK).getBytes(),
                                other)
                        .statusCode());
        Poll.until(
                "examples stored",
                () -> gw.gateway().journal().pendingReadings() == 0 && gw.observationCount() == 4);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private JsonArray trail(String patientId, String token) throws Exception {
        HttpResponse<String> r =
                gw.get("/fhir/AuditEvent?patient=" + patientId + "&_count=100", null, token);
        assertEquals(200, r.statusCode(), r.body());
        return entries(r);
    }

    private static JsonObject resource(JsonArray entries, int i) {
        return entries.getJsonObject(i).getJsonObject("resource");
    }

    private long rows(String where) throws Exception {
        return Sql.count(
                gw.gateway().database().dataSource(),
                "select count(*) from audit_events where " + where);
    }

    @Test
    void aClinicianSearchShowsUpInThePatientsTrailWithWhoAndWhichOrganization() throws Exception {
        assertEquals(
                200,
                gw.get("/fhir/Observation?patient=" + PATIENT_ID + "&code=85354-9", null, clinician)
                        .statusCode());
        JsonObject ae = resource(trail(PATIENT_ID, patient), 0);
        assertEquals("search-type", ae.getJsonArray("subtype").getJsonObject(0).getString("code"));
        assertEquals("0", ae.getString("outcome"));
        JsonArray agents = ae.getJsonArray("agent");
        JsonObject who = agents.getJsonObject(0).getJsonObject("who");
        assertEquals("Practitioner/test-1", who.getString("reference"));
        assertEquals("clinician", agents.getJsonObject(0).getJsonObject("type").getString("text"));
        assertTrue(agents.getJsonObject(0).getBoolean("requestor"));
        assertEquals(
                "Organization/rs-45",
                agents.getJsonObject(1).getJsonObject("who").getString("reference"));
        assertEquals(
                "Patient/" + PATIENT_ID,
                ae.getJsonArray("entity")
                        .getJsonObject(0)
                        .getJsonObject("what")
                        .getString("reference"));
    }

    @Test
    void aPatientsOwnSearchesAndReadsAreInTheirTrailAndTheirLooksAreNot() throws Exception {
        JsonObject obs =
                gw.observations("&code=8867-4")
                        .getJsonArray("entry")
                        .getJsonObject(0)
                        .getJsonObject("resource");
        assertEquals(
                200,
                gw.get("/fhir/Observation/" + obs.getString("id"), null, patient).statusCode());
        JsonObject read = resource(trail(PATIENT_ID, patient), 0);
        assertEquals("read", read.getJsonArray("subtype").getJsonObject(0).getString("code"));
        assertEquals(
                "Observation/" + obs.getString("id"),
                read.getJsonArray("entity")
                        .getJsonObject(1)
                        .getJsonObject("what")
                        .getString("reference"));
        assertEquals(
                "Patient/" + PATIENT_ID,
                read.getJsonArray("agent")
                        .getJsonObject(0)
                        .getJsonObject("who")
                        .getString("reference"));

        long looks = rows("resource_type = 'AuditEvent' and actor_kind = 'patient'");
        trail(PATIENT_ID, patient);
        assertEquals(
                200,
                gw.get("/fhir/AuditEvent?_count=5", null, patient).statusCode(),
                "without patient=: their own");
        assertEquals(
                200,
                gw.get("/fhir/AuditEvent/" + read.getString("id"), null, patient).statusCode());
        assertEquals(
                looks,
                rows("resource_type = 'AuditEvent' and actor_kind = 'patient'"),
                "a patient's own looks flood nothing");
    }

    @Test
    void aPatientCannotListOrReadAnotherPatientsEvents() throws Exception {
        assertEquals(
                200, gw.get("/fhir/Observation?patient=" + OTHER_ID, null, other).statusCode());
        String othersEvent = resource(trail(OTHER_ID, other), 0).getString("id");

        HttpResponse<String> list = gw.get("/fhir/AuditEvent?patient=" + OTHER_ID, null, patient);
        assertEquals(403, list.statusCode());
        assertEquals("OperationOutcome", json(list).getString("resourceType"));
        assertEquals(
                403,
                gw.get("/fhir/AuditEvent?patient=Patient/" + OTHER_ID, null, patient).statusCode());
        assertEquals(
                404,
                gw.get("/fhir/AuditEvent/" + othersEvent, null, patient).statusCode(),
                "as absent, not forbidden");
        for (Object e : trail(PATIENT_ID, patient)) {
            JsonObject ae = ((JsonObject) e).getJsonObject("resource");
            assertFalse(
                    ae.encode().contains(OTHER_ID) && !"4".equals(ae.getString("outcome")),
                    ae.encode());
        }
        Poll.until(
                "the attempt is in the other patient's trail",
                () -> {
                    try {
                        return rows(
                                        "patient_id = '"
                                                + OTHER_ID
                                                + "' and resource_type = 'AuditEvent' and outcome = 4 "
                                                + "and outcome_reason = 'patient-mismatch' and actor_fhir_user = 'Patient/"
                                                + PATIENT_ID
                                                + "'")
                                == 2;
                    } catch (Exception ex) {
                        throw new AssertionError(ex);
                    }
                });
    }

    @Test
    void cliniciansCannotUseTheTrailAndAdministratorsSeeAnyWithTheirLookRecorded()
            throws Exception {
        assertEquals(
                403,
                gw.get("/fhir/AuditEvent?patient=" + PATIENT_ID, null, clinician).statusCode());
        assertEquals(403, gw.get("/fhir/AuditEvent?_count=1", null, clinician).statusCode());
        assertEquals(
                401, gw.get("/fhir/AuditEvent?patient=" + PATIENT_ID, null, null).statusCode());

        assertEquals(
                200, gw.get("/fhir/Observation?patient=" + OTHER_ID, null, clinician).statusCode());
        long looks = rows("resource_type = 'AuditEvent' and actor_kind = 'admin'");
        assertFalse(trail(OTHER_ID, admin).isEmpty());
        HttpResponse<String> all = gw.get("/fhir/AuditEvent?_count=1000", null, admin);
        assertEquals(200, all.statusCode());
        JsonArray everyone = entries(all);
        assertTrue(everyone.encode().contains(PATIENT_ID) && everyone.encode().contains(OTHER_ID));
        assertEquals(
                200,
                gw.get("/fhir/AuditEvent/" + resource(everyone, 0).getString("id"), null, admin)
                        .statusCode());
        assertEquals(
                looks + 3,
                rows("resource_type = 'AuditEvent' and actor_kind = 'admin'"),
                "one record per look, before it is answered");
    }

    @Test
    void consentChangesAndConsentRefusalsAreInThePatientsTrail() throws Exception {
        HttpResponse<String> created =
                gw.postConsent(
                        consent(PATIENT_ID, disclose("Organization/rs-99", DataCategory.VITALS)),
                        patient);
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).getString("id");
        assertEquals(
                1,
                rows(
                        "patient_id = '"
                                + PATIENT_ID
                                + "' and resource_type = 'Consent' and interaction = 'create' "
                                + "and action = 'C' and resource_id = '"
                                + id
                                + "' and actor_kind = 'patient'"),
                "recorded before the 201");
        HttpResponse<String> updated =
                gw.putConsent(
                        id,
                        consent(PATIENT_ID, disclose("Organization/rs-99", DataCategory.BODY)),
                        patient);
        assertEquals(200, updated.statusCode(), updated.body());
        assertEquals(204, gw.delete("/fhir/Consent/" + id, admin).statusCode());
        assertEquals(
                1, rows("resource_id = '" + id + "' and interaction = 'update' and action = 'U'"));
        assertEquals(
                1,
                rows(
                        "resource_id = '"
                                + id
                                + "' and interaction = 'delete' and action = 'D' and actor_kind = 'admin'"));
        JsonArray trail = trail(PATIENT_ID, patient);
        assertEquals(
                "delete",
                resource(trail, 0).getJsonArray("subtype").getJsonObject(0).getString("code"));
        assertEquals(
                "Consent/" + id,
                resource(trail, 0)
                        .getJsonArray("entity")
                        .getJsonObject(1)
                        .getJsonObject("what")
                        .getString("reference"));

        // a clinician the patient disclosed nothing to: refused by consent, recorded before the 403
        String stranger =
                gw.tokens()
                        .clinician(
                                "Practitioner/stranger",
                                "Organization/elsewhere",
                                DevTokens.CLINICIAN_SCOPES,
                                DevTokens.DEFAULT_TTL);
        assertEquals(
                403,
                gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, stranger).statusCode());
        assertEquals(
                1,
                rows(
                        "patient_id = '"
                                + PATIENT_ID
                                + "' and outcome = 4 and outcome_reason = 'consent-required' "
                                + "and actor_fhir_user = 'Practitioner/stranger' and actor_org = 'Organization/elsewhere'"));
        // the recorder writes refusals just after their answer; a later refusal, handed to it after
        // this one, is the barrier: once it is in, a second record of this one would be too
        long refusals = rows("patient_id = '" + PATIENT_ID + "' and outcome = 4");
        assertEquals(
                401, gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, null).statusCode());
        Poll.until(
                "a later refusal is recorded",
                () -> rows("patient_id = '" + PATIENT_ID + "' and outcome = 4") > refusals);
        assertEquals(
                1,
                rows("actor_fhir_user = 'Practitioner/stranger'"),
                "recorded once, not again after the answer");
    }

    @Test
    void refusedAttemptsOnAPatientsDataAreInTheirTrail() throws Exception {
        String obsOfOther =
                gw.observations("&code=8867-4")
                        .getJsonArray("entry")
                        .getJsonObject(0)
                        .getJsonObject("resource")
                        .getString("id");
        // the same reading key under the other patient has another id: find it as the other patient
        HttpResponse<String> theirs =
                gw.get("/fhir/Observation?patient=" + OTHER_ID + "&code=8867-4", null, other);
        String othersObs =
                json(theirs)
                        .getJsonArray("entry")
                        .getJsonObject(0)
                        .getJsonObject("resource")
                        .getString("id");
        assertFalse(othersObs.equals(obsOfOther));

        assertEquals(
                403, gw.get("/fhir/Observation?patient=" + OTHER_ID, null, patient).statusCode());
        assertEquals(404, gw.get("/fhir/Observation/" + othersObs, null, patient).statusCode());
        assertEquals(404, gw.get("/fhir/Patient/" + OTHER_ID, null, patient).statusCode());
        assertEquals(401, gw.get("/fhir/Observation?patient=" + OTHER_ID, null, null).statusCode());
        assertEquals(
                401,
                gw.get("/fhir/Observation?patient=" + OTHER_ID, null, "not.a.token").statusCode());

        // the read was recorded before its 404; the others just after their answers
        assertEquals(
                1,
                rows(
                        "patient_id = '"
                                + OTHER_ID
                                + "' and outcome = 4 and resource_type = 'Observation' "
                                + "and interaction = 'read' and resource_id = '"
                                + othersObs
                                + "' and outcome_reason = 'patient-mismatch'"));
        Poll.until(
                "the refused search, Patient read and token-less searches",
                () -> {
                    try {
                        return rows(
                                                "patient_id = '"
                                                        + OTHER_ID
                                                        + "' and outcome = 4 and actor_kind = 'anonymous' and outcome_reason = 'token-refused'")
                                        == 2
                                && rows(
                                                "patient_id = '"
                                                        + OTHER_ID
                                                        + "' and outcome = 4 and resource_type = 'Patient' and interaction = 'read'")
                                        == 1
                                && rows(
                                                "patient_id = '"
                                                        + OTHER_ID
                                                        + "' and outcome = 4 and resource_type = 'Observation' "
                                                        + "and interaction = 'search-type' and actor_kind = 'patient'")
                                        == 1;
                    } catch (Exception ex) {
                        throw new AssertionError(ex);
                    }
                });

        JsonArray seen = trail(OTHER_ID, other);
        int refused = 0;
        for (Object e : seen) {
            JsonObject ae = ((JsonObject) e).getJsonObject("resource");
            if (!"4".equals(ae.getString("outcome"))) {
                continue;
            }
            refused++;
            assertFalse(ae.getString("outcomeDesc").isBlank());
            JsonObject who = ae.getJsonArray("agent").getJsonObject(0).getJsonObject("who");
            assertNull(
                    who.getString("reference"),
                    "another patient's identity is not shown: " + ae.encode());
            assertNull(who.getJsonObject("identifier"));
        }
        assertTrue(refused >= 5, "refusals listed: " + refused);
    }

    @Test
    void aConsentChangeOrAnErasureWhoseRecordCannotBeWrittenDoesNotHappen() throws Exception {
        HttpResponse<String> created =
                gw.postConsent(
                        consent(OTHER_ID, disclose("Organization/kept", DataCategory.SLEEP)),
                        other);
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).getString("id");
        long recorded = rows("patient_id = '" + OTHER_ID + "'");
        try (Connection c = gw.gateway().database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(
                    "create function refuse_audit() returns trigger language plpgsql as $$ begin "
                            + "raise exception 'audit storage unavailable' using errcode = '53100'; end $$");
            s.execute(
                    "create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()");
        }
        try {
            assertEquals(
                    503,
                    gw.postConsent(
                                    consent(
                                            OTHER_ID,
                                            disclose("Organization/new", DataCategory.BODY)),
                                    other)
                            .statusCode());
            assertEquals(
                    503,
                    gw.putConsent(
                                    id,
                                    consent(
                                            OTHER_ID,
                                            disclose("Organization/kept", DataCategory.CYCLE)),
                                    other)
                            .statusCode());
            assertEquals(503, gw.delete("/fhir/Consent/" + id, other).statusCode());
            assertEquals(
                    503,
                    gw.get("/fhir/Consent/" + id, null, other).statusCode(),
                    "no read without its record either");
            assertEquals(
                    503, gw.get("/fhir/Consent?patient=" + OTHER_ID, null, other).statusCode());
            HttpResponse<String> erasure = gw.delete("/fhir/Patient/" + OTHER_ID, admin);
            assertEquals(503, erasure.statusCode(), erasure.body());
            assertEquals("OperationOutcome", json(erasure).getString("resourceType"));
        } finally {
            try (Connection c = gw.gateway().database().dataSource().getConnection();
                    Statement s = c.createStatement()) {
                s.execute("drop trigger refuse_audit on audit_events");
                s.execute("drop function refuse_audit()");
            }
        }
        assertEquals(
                recorded, rows("patient_id = '" + OTHER_ID + "'"), "no record: and so no change");
        HttpResponse<String> kept = gw.get("/fhir/Consent/" + id, null, other);
        assertEquals(200, kept.statusCode(), "the delete was rolled back");
        assertEquals(
                "1",
                json(kept).getJsonObject("meta").getString("versionId"),
                "the update was rolled back");
        assertTrue(kept.body().contains("sleep") && !kept.body().contains("cycle"), kept.body());
        HttpResponse<String> all = gw.get("/fhir/Consent?patient=" + OTHER_ID, null, other);
        assertFalse(all.body().contains("Organization/new"), "the create was rolled back");
        assertEquals(
                200,
                gw.get("/fhir/Patient/" + OTHER_ID, null, other).statusCode(),
                "the erasure was rolled back");
        assertEquals(
                1,
                entries(
                                gw.get(
                                        "/fhir/Observation?patient=" + OTHER_ID + "&code=8867-4",
                                        null,
                                        other))
                        .size(),
                "the readings are readable: their keys were not destroyed");
        assertEquals(204, gw.delete("/fhir/Consent/" + id, other).statusCode());
    }

    @Test
    void consentReadsAndSearchesAreInThePatientsTrailRefusalsIncluded() throws Exception {
        HttpResponse<String> created =
                gw.postConsent(
                        consent(PATIENT_ID, disclose("Organization/looked-at", DataCategory.BODY)),
                        patient);
        assertEquals(201, created.statusCode(), created.body());
        String id = json(created).getString("id");
        String mine = "patient_id = '" + PATIENT_ID + "' and resource_type = 'Consent' and ";

        assertEquals(200, gw.get("/fhir/Consent/" + id, null, patient).statusCode());
        assertEquals(
                1,
                rows(
                        mine
                                + "interaction = 'read' and outcome = 0 and resource_id = '"
                                + id
                                + "' and actor_kind = 'patient'"),
                "recorded before the 200");
        long searches = rows(mine + "interaction = 'search-type'");
        assertEquals(
                200, gw.get("/fhir/Consent?patient=" + PATIENT_ID, null, patient).statusCode());
        assertEquals(searches + 1, rows(mine + "interaction = 'search-type' and outcome = 0"));

        assertEquals(
                404,
                gw.get("/fhir/Consent/" + id, null, other).statusCode(),
                "another patient's Consent is answered as absent");
        assertEquals(
                1,
                rows(
                        mine
                                + "interaction = 'read' and outcome = 4 and outcome_reason = 'patient-mismatch' "
                                + "and resource_id = '"
                                + id
                                + "'"),
                "and the attempt is in the owner's trail");
        assertEquals(204, gw.delete("/fhir/Consent/" + id, patient).statusCode());
    }
}

package org.jkn.telemetry.gateway.audit;

import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.NIK;
import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads and searches of health data through real HTTP leave AuditEvents in the real database,
 * committed before the response, holding no NIK and no value; without its record nothing is served.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditTrailTest {

    static final String OTHER_NIK = "3273024506900002";
    static final String OTHER_ID = new Pseudonymizer(GatewayFixture.KEY).patientId(OTHER_NIK);

    @TempDir static Path dataDir;
    GatewayFixture gw;
    DataSource db;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.start(dataDir);
        db = gw.gateway().database().dataSource();
        assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
        gw.consentToCollectingEverything(OTHER_NIK);
        assertEquals(
                202,
                gw.post(
                                "/v1/readings",
                                "application/json",
                                EXAMPLE.replace(NIK, OTHER_NIK).getBytes(StandardCharsets.UTF_8),
                                gw.patientToken(OTHER_NIK))
                        .statusCode());
        Poll.until(
                "examples stored",
                () -> gw.gateway().journal().pendingReadings() == 0 && gw.observationCount() == 4);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    long rows(String where) throws Exception {
        return Sql.count(db, "select count(*) from audit_events where " + where);
    }

    @Test
    void searchIsRecordedBeforeItsResponseIsSent() throws Exception {
        String mine =
                "patient_id = '"
                        + PATIENT_ID
                        + "' and resource_type = 'Observation' and interaction = 'search-type'";
        long before = rows(mine);
        HttpResponse<String> r =
                gw.get(
                        "/fhir/Observation?patient="
                                + PATIENT_ID
                                + "&code=8867-4&date=ge2026-11-22");
        assertEquals(200, r.statusCode());
        // no waiting: the row is committed before the first byte of the response
        assertEquals(before + 1, rows(mine));
        assertEquals(
                1,
                rows(
                        mine
                                + " and action = 'E' and outcome = 0 and query = 'Observation?code=8867-4,40443-4&date=ge2026-11-22"
                                + "&_sort=-date&_count=50&_offset=0'"));
    }

    @Test
    void readIsRecordedWithTheObservationAndItsPatient() throws Exception {
        JsonObject obs =
                gw.observations("&code=85354-9")
                        .getJsonArray("entry")
                        .getJsonObject(0)
                        .getJsonObject("resource");
        String id = obs.getString("id");
        assertEquals(0, rows("resource_id = '" + id + "'"));
        assertEquals(200, gw.get("/fhir/Observation/" + id).statusCode());
        assertEquals(
                1,
                rows(
                        "resource_id = '"
                                + id
                                + "' and patient_id = '"
                                + PATIENT_ID
                                + "' and interaction = 'read' and action = 'R' and outcome = 0"));
        long all = rows("true");
        assertEquals(
                404, gw.get("/fhir/Observation/hodtns64g0-000000000000000000000000").statusCode());
        assertEquals(
                all,
                rows("true"),
                "a read that finds nothing discloses nothing and names no patient");
    }

    @Test
    void patientReadsAndSearchesAreRecordedUnderThePseudonym() throws Exception {
        long before = rows("patient_id = '" + OTHER_ID + "' and resource_type = 'Patient'");
        String clinician = gw.clinicianToken();
        assertEquals(
                200,
                gw.get(
                                "/fhir/Patient?identifier="
                                        + enc("https://fhir.kemkes.go.id/id/nik|" + OTHER_NIK),
                                null,
                                clinician)
                        .statusCode());
        assertEquals(200, gw.get("/fhir/Patient/" + OTHER_ID, null, clinician).statusCode());
        assertEquals(
                before + 2, rows("patient_id = '" + OTHER_ID + "' and resource_type = 'Patient'"));
        assertEquals(
                1,
                rows(
                        "patient_id = '"
                                + OTHER_ID
                                + "' and interaction = 'read' and resource_id = '"
                                + OTHER_ID
                                + "'"));
    }

    @Test
    void theTrailHoldsNoNikAndNoValue() throws Exception {
        // a NIK typed where an id or a code belongs must not reach the trail either, whoever asks
        for (String token :
                new String[] {gw.clinicianToken(), gw.defaultToken(), gw.adminToken(), null}) {
            gw.get("/fhir/Observation?patient=" + NIK + "&code=" + NIK, null, token);
            gw.get("/fhir/Observation?patient=" + PATIENT_ID + "&code=" + NIK, null, token);
            gw.get("/fhir/Patient/" + NIK, null, token);
            gw.get("/fhir/AuditEvent?patient=" + NIK, null, token);
            gw.get(
                    "/fhir/Patient?identifier=" + enc("https://fhir.kemkes.go.id/id/nik|" + NIK),
                    null,
                    token);
            gw.get(
                    "/fhir/Patient?identifier="
                            + enc("https://fhir.kemkes.go.id/id/nik|" + OTHER_NIK),
                    null,
                    token);
            gw.get("/fhir/Observation?patient=" + PATIENT_ID, null, token);
            gw.get("/fhir/Observation?patient=" + OTHER_ID, null, token);
        }
        // refusals are recorded just after their answer; the last one sent (no token, the other
        // patient) is the barrier: once it is in, the ones handed over before it are too
        Poll.until(
                "the last refusal is recorded",
                () ->
                        rows(
                                        "patient_id = '"
                                                + OTHER_ID
                                                + "' and outcome = 4 and outcome_reason = 'token-refused'")
                                >= 1);
        assertTrue(rows("true") >= 5);
        Set<String> values = Set.of("72", "1200", "121", "79", "97", "73", "1201", "122", "98");
        List<String> leaks = new ArrayList<>();
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select * from audit_events")) {
            ResultSetMetaData md = r.getMetaData();
            while (r.next()) {
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    String v = r.getString(i);
                    if (v == null) {
                        continue;
                    }
                    if (v.contains(NIK) || v.contains(OTHER_NIK)) {
                        leaks.add(md.getColumnName(i) + ": a NIK");
                    }
                    if (md.getColumnName(i).equals("query")
                            || md.getColumnName(i).equals("outcome_reason")) {
                        for (String token : v.split("[^A-Za-z0-9.]+")) {
                            if (values.contains(token)) {
                                leaks.add(md.getColumnName(i) + ": " + v);
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), leaks);
        assertTrue(
                rows("patient_id is null and resource_type = 'Observation'") >= 1,
                "the search for a NIK-shaped patient is recorded, without naming anyone");
    }

    @Test
    void withoutItsAuditRecordNothingIsServed() throws Exception {
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute(
                    "create function refuse_audit() returns trigger language plpgsql as $$ begin "
                            + "raise exception 'audit storage unavailable' using errcode = '53100'; end $$");
            s.execute(
                    "create trigger refuse_audit before insert on audit_events for each row execute function refuse_audit()");
        }
        try {
            HttpResponse<String> search = gw.get("/fhir/Observation?patient=" + PATIENT_ID);
            assertEquals(503, search.statusCode());
            assertEquals("OperationOutcome", json(search).getString("resourceType"));
            assertFalse(search.body().contains("8867-4"), search.body());
            assertEquals(
                    503,
                    gw.get("/fhir/Observation?patient=" + PATIENT_ID + "&_count=0").statusCode(),
                    "even an empty page is refused: the search itself is what is recorded");
            assertEquals(503, gw.get("/fhir/Patient/" + PATIENT_ID).statusCode());
            // the operations commit their record while they read, and still answer only after it
            HttpResponse<String> lastn =
                    gw.get("/fhir/Observation/$lastn?category=vital-signs&patient=" + PATIENT_ID);
            assertEquals(503, lastn.statusCode(), lastn.body());
            assertFalse(lastn.body().contains("8867-4"), lastn.body());
            assertEquals(
                    503,
                    gw.get(
                                    "/fhir/Observation/$stats?subject="
                                            + PATIENT_ID
                                            + "&code=8867-4&duration=24&statistic=average")
                            .statusCode());
        } finally {
            try (Connection c = db.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("drop trigger refuse_audit on audit_events");
                s.execute("drop function refuse_audit()");
            }
        }
        assertEquals(200, gw.get("/fhir/Observation?patient=" + PATIENT_ID).statusCode());
        assertEquals(
                200,
                gw.get("/fhir/Observation/$lastn?category=vital-signs&patient=" + PATIENT_ID)
                        .statusCode());
        assertEquals(
                200,
                gw.get(
                                "/fhir/Observation/$stats?subject="
                                        + PATIENT_ID
                                        + "&code=8867-4&duration=24&statistic=average")
                        .statusCode());
    }

    static JsonArray entries(HttpResponse<String> r) {
        JsonArray e = json(r).getJsonArray("entry");
        return e == null ? new JsonArray() : e;
    }
}

package org.jkn.telemetry.gateway.audit;

import static org.jkn.telemetry.gateway.audit.AuditTrailTest.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;

/** An erasure is recorded, and the patient's trail outlives the patient: it is the proof. */
class AuditErasureTest {

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900041";

    static final String PATIENT_ID = GatewayFixture.patientId(NIK);
    static final String EXAMPLE = GatewayFixture.example(NIK);

    private static long rows(GatewayFixture gw) throws Exception {
        return Sql.count(
                gw.gateway().database().dataSource(),
                "select count(*) from audit_events where patient_id = ?",
                PATIENT_ID);
    }

    @Test
    void theErasureAndEverythingBeforeItStayInTheTrail() throws Exception {
        try (GatewayFixture gw = GatewayFixture.shared(NIK)) {
            assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
            Poll.until("example stored", () -> gw.observationCount() == 4);
            long before = rows(gw);

            HttpResponse<String> erased =
                    gw.delete("/fhir/Patient/" + PATIENT_ID, gw.defaultToken());
            assertEquals(200, erased.statusCode(), erased.body());
            assertEquals(before + 1, rows(gw), "recorded before the answer, nothing removed");

            HttpResponse<String> r =
                    gw.get("/fhir/AuditEvent?patient=" + PATIENT_ID, null, gw.adminToken());
            assertEquals(200, r.statusCode());
            JsonArray trail = entries(r);
            JsonObject erasure = trail.getJsonObject(0).getJsonObject("resource");
            assertEquals(
                    "delete", erasure.getJsonArray("subtype").getJsonObject(0).getString("code"));
            assertEquals("D", erasure.getString("action"));
            assertEquals("0", erasure.getString("outcome"));
            assertEquals(
                    "Patient/" + PATIENT_ID,
                    erasure.getJsonArray("entity")
                            .getJsonObject(0)
                            .getJsonObject("what")
                            .getString("reference"));
            assertEquals(
                    before + 1, trail.size(), "the searches before the erasure are still listed");
        }
    }
}

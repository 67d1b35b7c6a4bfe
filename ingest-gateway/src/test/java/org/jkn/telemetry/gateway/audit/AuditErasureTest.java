package org.jkn.telemetry.gateway.audit;

import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.jkn.telemetry.gateway.GatewayFixture.await;
import static org.jkn.telemetry.gateway.audit.AuditTrailTest.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An erasure is recorded, and the patient's trail outlives the patient: it is the proof. */
class AuditErasureTest {

    @TempDir Path dataDir;

    private static long rows(GatewayFixture gw) throws Exception {
        try (Connection c = gw.gateway().database().dataSource().getConnection();
                PreparedStatement ps =
                        c.prepareStatement(
                                "select count(*) from audit_events where patient_id = ?")) {
            ps.setString(1, PATIENT_ID);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void theErasureAndEverythingBeforeItStayInTheTrail() throws Exception {
        try (GatewayFixture gw = GatewayFixture.start(dataDir)) {
            assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
            await("example stored", () -> gw.observationCount() == 4);
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

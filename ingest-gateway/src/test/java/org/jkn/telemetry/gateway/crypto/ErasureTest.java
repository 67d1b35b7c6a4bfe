package org.jkn.telemetry.gateway.crypto;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.store.crypto.ErasureSweeper;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Erasure by crypto-shredding through real HTTP, and nonces across a restart of the service. */
class ErasureTest {

    @TempDir Path dir;

    @Test
    void erasedPatientsReadingsAreUnreadableAtOnceDeletedByTheJobAndNewReadingsStillWork()
            throws Exception {
        String nik = "3273015507910321";
        String pid = EncryptionAtRestTest.patientId(nik);
        try (GatewayFixture g = GatewayFixture.start(dir)) {
            g.consentToCollectingEverything(nik);
            g.defaultToken(g.patientToken(nik));
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        202,
                        g.postBatch(EncryptionAtRestTest.batch(nik, "e" + i + "-")).statusCode());
            }
            Poll.until("six readings are readable", () -> entries(g, pid).size() == 6);
            String id = entries(g, pid).getJsonObject(0).getJsonObject("resource").getString("id");
            DataSource db = g.gateway().database().dataSource();

            assertEquals(
                    403,
                    g.delete("/fhir/Patient/" + pid, g.patientToken("3273015507910654"))
                            .statusCode(),
                    "another patient may not erase this one");
            assertEquals(
                    403,
                    g.delete("/fhir/Patient/" + pid, g.clinicianToken()).statusCode(),
                    "nor a clinician");
            assertEquals(6, entries(g, pid).size());
            HttpResponse<String> erased = g.delete("/fhir/Patient/" + pid, g.patientToken(nik));
            assertEquals(200, erased.statusCode(), erased.body());
            assertEquals("OperationOutcome", json(erased).getString("resourceType"));

            assertEquals(
                    0, entries(g, pid).size(), "no reading is readable once DELETE has answered");
            assertEquals(404, g.get("/fhir/Observation/" + id).statusCode());
            assertEquals(410, g.get("/fhir/Patient/" + pid).statusCode());
            assertEquals(
                    200,
                    g.delete("/fhir/Patient/" + pid, g.adminToken()).statusCode(),
                    "an admin may, and deleting again succeeds");
            assertEquals(
                    404,
                    g.delete(
                                    "/fhir/Patient/"
                                            + EncryptionAtRestTest.patientId("3273015507910654"),
                                    g.adminToken())
                            .statusCode());
            assertEquals(
                    6,
                    count(
                            db,
                            "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = '"
                                    + pid
                                    + "'"),
                    "rows wait for the job");
            assertEquals(
                    0,
                    count(
                            db,
                            "select count(*) from data_keys where patient_id = '"
                                    + pid
                                    + "' and wrapped is not null"));

            assertEquals(
                    0,
                    count(db, "select count(*) from consents where patient_id = '" + pid + "'"),
                    "consents are erased too");
            String refused = g.postBatch(EncryptionAtRestTest.batch(nik, "after-")).body();
            assertTrue(
                    refused.contains("consent-required"),
                    "an erased patient has consented to nothing: " + refused);
            g.consentToCollectingEverything(nik);
            assertEquals(202, g.postBatch(EncryptionAtRestTest.batch(nik, "after-")).statusCode());
            Poll.until(
                    "readings sent after the erasure are readable",
                    () -> entries(g, pid).size() == 2);
            assertEquals(
                    2,
                    count(
                            db,
                            "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = '"
                                    + pid
                                    + "' and key_version = 2"),
                    "new readings use a new key version");

            long deleted = new ErasureSweeper(db, 4).sweep(100);
            assertEquals(6, deleted, "in batches of 4: 4 then 2");
            assertEquals(
                    2,
                    count(
                            db,
                            "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = '"
                                    + pid
                                    + "'"));
            assertEquals(
                    1,
                    count(
                            db,
                            "select count(*) from erasures where patient_id = '"
                                    + pid
                                    + "' and rows_deleted_at is not null"));
            assertEquals(2, entries(g, pid).size());
            assertTrue(g.get("/metrics").body().contains("telemetry_erasures_total 2.0"));
        }
    }

    @Test
    void noNonceRepeatsAcrossManySealsAndARestart() throws Exception {
        String nik = "3273015507910222";
        String pid = EncryptionAtRestTest.patientId(nik);
        Map<String, String> sealedByNonce = new HashMap<>();
        Set<String> prefixes = new HashSet<>();
        for (int run = 0; run < 2; run++) {
            try (GatewayFixture g = GatewayFixture.start(dir)) {
                if (run == 0) {
                    g.consentToCollectingEverything(nik);
                }
                g.defaultToken(g.patientToken(nik));
                for (int i = 0; i < 10; i++) {
                    assertEquals(
                            202,
                            g.postBatch(EncryptionAtRestTest.batch(nik, "n" + run + "-" + i + "-"))
                                    .statusCode());
                }
                int expected = 20 * (run + 1);
                DataSource db = g.gateway().database().dataSource();
                Poll.until(
                        "readings stored",
                        () -> {
                            try {
                                return count(
                                                db,
                                                "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = '"
                                                        + pid
                                                        + "'")
                                        == expected;
                            } catch (SQLException e) {
                                return false;
                            }
                        });
                // a block is sealed again whenever readings merge into it: a nonce may be seen
                // again only with the same bytes
                try (Connection c = db.getConnection();
                        Statement s = c.createStatement();
                        ResultSet r =
                                s.executeQuery(
                                        "select encode(substring(sealed from 1 for 12), 'hex'), md5(sealed) from reading_blocks")) {
                    while (r.next()) {
                        String before = sealedByNonce.putIfAbsent(r.getString(1), r.getString(2));
                        assertTrue(
                                before == null || before.equals(r.getString(2)), "nonce repeated");
                        prefixes.add(r.getString(1).substring(0, 8));
                    }
                }
                assertEquals(run + 1, prefixes.size(), "each start has its own fixed field");
            }
        }
    }

    static JsonArray entries(GatewayFixture g, String pid) {
        try {
            JsonObject b = json(g.get("/fhir/Observation?patient=" + pid + "&_count=100"));
            return b.getJsonArray("entry") == null ? new JsonArray() : b.getJsonArray("entry");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static long count(DataSource db, String sql) throws SQLException {
        return Sql.count(db, sql);
    }
}

package org.jkn.telemetry.gateway.ops;

import static org.jkn.telemetry.gateway.GatewayFixture.checked;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The database refuses the fixture patient's blocks (a trigger raising a check violation, as a
 * constraint would): the batch is still acknowledged, its record becomes a dead letter, health and
 * metrics show it, and an admin lists, replays and purges it over HTTP.
 */
class DeadLettersApiTest {

    @TempDir static Path dataDir;

    private static GatewayFixture gw;

    @BeforeAll
    static void start() throws Exception {
        gw = GatewayFixture.start(dataDir);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void aRefusedBatchIsDeadLetteredShownReplayedAfterTheFixAndPurged() throws Exception {
        sql(
                "create function refuse_all() returns trigger language plpgsql as $$ begin"
                        + " raise exception 'refused' using errcode = '23514', constraint = 'refuse_all';"
                        + " end $$;"
                        + " create trigger refuse_all before insert or update on reading_blocks"
                        + " for each row execute function refuse_all()");
        assertEquals(202, gw.postBatch(GatewayFixture.EXAMPLE).statusCode());
        Poll.until("the batch is dead-lettered", () -> list().getLong("records") == 1);

        JsonObject page = list();
        assertEquals(4, page.getLong("readings"));
        JsonObject letter = page.getJsonArray("deadLetters").getJsonObject(0);
        assertEquals("db-refused", letter.getString("reason"));
        assertEquals("23514", letter.getString("sqlState"));
        assertTrue(letter.getBoolean("replayable"));
        assertFalse(page.encode().contains("watch-7f3a"), "no device, reading or patient is shown");
        assertFalse(page.encode().contains(GatewayFixture.PATIENT_ID));

        JsonObject health = json(gw.get("/health"));
        assertEquals("UP", health.getString("status"), "the drainer went on: the service is up");
        assertEquals(1, health.getJsonObject("deadLetters").getLong("records"));
        assertTrue(
                gw.get("/metrics")
                        .body()
                        .contains("telemetry_dead_letters_total{reason=\"db-refused\"} 1.0"));

        long id = letter.getLong("id");
        HttpResponse<String> again = admin("POST", "/v1/admin/dead-letters/" + id + "/replay");
        assertEquals(409, again.statusCode(), again.body());
        assertEquals("still-refused", json(again).getJsonObject("error").getString("code"));
        assertEquals(
                2, list().getJsonArray("deadLetters").getJsonObject(0).getInteger("timesSeen"));

        sql("drop trigger refuse_all on reading_blocks");
        HttpResponse<String> replayed = admin("POST", "/v1/admin/dead-letters/" + id + "/replay");
        assertEquals(200, replayed.statusCode(), replayed.body());
        assertEquals(4, gw.observationCount(), "the replayed readings are served");
        assertEquals(0, list().getLong("records"));
        assertEquals(404, admin("DELETE", "/v1/admin/dead-letters/" + id).statusCode());
        assertEquals(0, json(admin("DELETE", "/v1/admin/dead-letters")).getInteger("purged"));
    }

    @Test
    void onlyAnAdminSeesDeadLetters() throws Exception {
        for (String token :
                new String[] {gw.patientToken(GatewayFixture.NIK), gw.clinicianToken()}) {
            HttpResponse<String> r = gw.get("/v1/admin/dead-letters", "application/json", token);
            assertEquals(403, r.statusCode(), r.body());
        }
        assertEquals(401, gw.get("/v1/admin/dead-letters", "application/json", null).statusCode());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "abc",
                "-1",
                "0",
                "1.5",
                "99999999999999999999",
                "1%3Bdrop%20table%20x",
                "%00",
                "1e3"
            })
    void hostileIdsAreNotFoundWithoutATrace(String id) throws Exception {
        for (HttpResponse<String> r :
                new HttpResponse[] {
                    admin("POST", "/v1/admin/dead-letters/" + id + "/replay"),
                    admin("DELETE", "/v1/admin/dead-letters/" + id)
                }) {
            checked(r);
            assertEquals(404, r.statusCode(), r.body());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"count=0", "count=1001", "count=-5", "after=x", "after=-1", "count=1e2"})
    void hostilePagingIsABadRequest(String query) throws Exception {
        HttpResponse<String> r =
                checked(
                        gw.get(
                                "/v1/admin/dead-letters?" + query,
                                "application/json",
                                gw.adminToken()));
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("bad-parameter", json(r).getJsonObject("error").getString("code"));
    }

    private static JsonObject list() {
        try {
            HttpResponse<String> r =
                    gw.get("/v1/admin/dead-letters", "application/json", gw.adminToken());
            assertEquals(200, r.statusCode(), r.body());
            JsonObject body = json(r);
            assertTrue(body.getValue("deadLetters") instanceof JsonArray);
            return body;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> admin(String method, String path) throws Exception {
        return gw.send(
                HttpRequest.newBuilder(gw.uri(path))
                        .method(method, HttpRequest.BodyPublishers.noBody()),
                gw.adminToken());
    }

    private static void sql(String sql) throws Exception {
        try (Connection c = gw.gateway().database().dataSource().getConnection();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}

package org.jkn.telemetry.gateway.http;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestApiTest {

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900101";

    static final String EXAMPLE = GatewayFixture.example(NIK);
    GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        for (String nik :
                new String[] {"3171014101900003", "3171014101900004", "3171014101900005"}) {
            gw.consentToCollectingEverything(nik);
        }
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private static String reading(String id, String type, String time, double value) {
        return "{\"id\":\""
                + id
                + "\",\"type\":\""
                + type
                + "\",\"time\":\""
                + time
                + "\",\"value\":"
                + value
                + "}";
    }

    /** Posts with that patient's own token. */
    private HttpResponse<String> postBatchAs(String nik, String batch) throws Exception {
        return gw.post(
                "/v1/readings",
                "application/json",
                batch.getBytes(StandardCharsets.UTF_8),
                gw.patientToken(nik));
    }

    private static String batch(String patient, String... readings) {
        return "{\"patient\":\""
                + patient
                + "\",\"device\":{\"id\":\"phone-1\"},\"readings\":["
                + String.join(",", readings)
                + "]}";
    }

    @Test
    @Order(1)
    void exampleBatchIsAcceptedAndReadableAsFhir() throws Exception {
        HttpResponse<String> r = gw.postBatch(EXAMPLE);
        assertEquals(202, r.statusCode(), r.body());
        assertEquals(4, json(r).getInteger("accepted"));
        assertEquals(0, json(r).getJsonArray("rejected").size());
        Poll.until("four observations", () -> gw.observationCount() == 4);
    }

    @Test
    @Order(2)
    void sameBatchTwiceIsStoredOnce() throws Exception {
        Poll.until("first copy stored", () -> gw.observationCount() >= 4);
        // the gateway is shared: count from here, once nothing sent before is left to drain
        Poll.until("journal drained", () -> gw.gateway().journal().pendingReadings() == 0);
        double duplicates = gw.metric("telemetry_readings_duplicates_total");
        HttpResponse<String> again = gw.postBatch(EXAMPLE);
        assertEquals(202, again.statusCode());
        assertEquals(
                4,
                json(again).getInteger("accepted"),
                "a retry is acknowledged like the first send");
        Poll.until("retry drained", () -> gw.gateway().journal().pendingReadings() == 0);
        assertEquals(4, gw.observationCount());
        assertEquals(duplicates + 4, gw.metric("telemetry_readings_duplicates_total"));
    }

    @Test
    void badReadingsAreListedAndTheRestIsKept() throws Exception {
        String p = "3171014101900003";
        HttpResponse<String> r =
                postBatchAs(
                        p,
                        batch(
                                p,
                                reading("ok", "heart_rate", "2026-11-22T08:00:00+07:00", 64),
                                reading("absurd", "heart_rate", "2026-11-22T08:00:00+07:00", 4000),
                                reading("future", "heart_rate", "2099-11-22T08:00:00+07:00", 64),
                                reading("unknown", "telepathy", "2026-11-22T08:00:00+07:00", 1),
                                "{\"id\":\"typed\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":\"sixty\"}",
                                "{\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":60}",
                                "42"));
        assertEquals(202, r.statusCode(), r.body());
        JsonObject body = json(r);
        assertEquals(1, body.getInteger("accepted"));
        JsonArray rejected = body.getJsonArray("rejected");
        assertEquals(6, rejected.size(), rejected.encodePrettily());
        String[] reasons = {
            "implausible-value",
            "time-in-future",
            "unknown-type",
            "wrong-type",
            "missing-field",
            "not-an-object"
        };
        for (int i = 0; i < reasons.length; i++) {
            JsonObject rej = rejected.getJsonObject(i);
            assertEquals(i + 1, rej.getInteger("index"));
            assertEquals(reasons[i], rej.getString("reason"));
            assertNotNull(rej.getString("message"));
        }
        assertEquals("absurd", rejected.getJsonObject(0).getString("id"));
    }

    @Test
    void notABatchGets400WithACode() throws Exception {
        String[][] cases = {
            {"{\"patient\": \"" + NIK + "\", \"readings\": [", "malformed-json"},
            {"[]", "not-a-batch"},
            {"{\"device\":{\"id\":\"d\"},\"readings\":[]}", "patient-missing"},
            {
                "{\"patient\":\"12345\",\"device\":{\"id\":\"d\"},\"readings\":[]}",
                "patient-invalid"
            },
            {"{\"patient\":\"" + NIK + "\",\"readings\":[]}", "device-missing"},
            {
                "{\"patient\":\""
                        + NIK
                        + "\",\"device\":{\"id\":\"d\"},\"readings\":\"all of them\"}",
                "readings-missing"
            },
            {"", "malformed-json"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = gw.postBatch(c[0]);
            assertEquals(400, r.statusCode(), c[0]);
            assertEquals(c[1], json(r).getJsonObject("error").getString("code"), c[0]);
            assertTrue(
                    r.headers()
                            .firstValue("Content-Type")
                            .orElse("")
                            .startsWith("application/json"));
        }
    }

    @Test
    void otherMediaTypesGet415() throws Exception {
        HttpResponse<String> r =
                gw.post("/v1/readings", "text/plain", EXAMPLE.getBytes(StandardCharsets.UTF_8));
        assertEquals(415, r.statusCode());
        assertEquals("unsupported-media-type", json(r).getJsonObject("error").getString("code"));
        assertEquals(
                415,
                gw.post("/v1/readings", null, EXAMPLE.getBytes(StandardCharsets.UTF_8))
                        .statusCode());
    }

    @Test
    void fiftyMegabyteBodyGets413AndTheServerKeepsServing() throws Exception {
        String tooLarge = "telemetry_batches_refused_total{reason=\"body-too-large\"}";
        double refused = gw.metric(tooLarge);
        byte[] huge = new byte[50 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        try {
            HttpResponse<String> r = gw.post("/v1/readings", "application/json", huge);
            assertEquals(413, r.statusCode(), r.body());
            assertEquals("body-too-large", json(r).getJsonObject("error").getString("code"));
        } catch (java.io.IOException e) {
            // The server may close the connection before the client finished uploading 50 MB; the
            // refusal itself is then checked by the raw-socket test below.
        }
        assertEquals(
                413,
                RawHttp.statusOfOversizedUpload(
                        gw.gateway().port(), 50L * 1024 * 1024, gw.defaultToken()));
        String p = "3171014101900004";
        HttpResponse<String> ok =
                postBatchAs(
                        p,
                        batch(p, reading("after", "heart_rate", "2026-11-22T08:00:00+07:00", 70)));
        assertEquals(202, ok.statusCode());
        assertTrue(gw.metric(tooLarge) > refused);
    }

    @Test
    void manyReadingsInOneBatchAreAllAccepted() throws Exception {
        StringBuilder sb = new StringBuilder();
        OffsetDateTime t0 = OffsetDateTime.of(2026, 11, 22, 0, 0, 0, 0, ZoneOffset.ofHours(7));
        int n = 5000;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(reading("hr-" + i, "heart_rate", t0.plusSeconds(i).toString(), 60 + i % 40));
        }
        HttpResponse<String> r =
                postBatchAs("3171014101900005", batch("3171014101900005", sb.toString()));
        assertEquals(202, r.statusCode());
        assertEquals(n, json(r).getInteger("accepted"));
    }

    @Test
    void unknownRoutesAndMethodsAnswerWithoutStackTraces() throws Exception {
        assertEquals(404, gw.get("/v1/nothing-here").statusCode());
        assertEquals(405, gw.get("/v1/readings").statusCode());
    }
}

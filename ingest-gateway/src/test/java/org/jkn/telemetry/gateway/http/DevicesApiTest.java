package org.jkn.telemetry.gateway.http;

import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The device registry's HTTP API over real HTTP, with hostile bodies and ids. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DevicesApiTest {

    static final String GOOD =
            "{\"patient\":\"3171011508850001\",\"manufacturer\":\"Acme\",\"model\":\"Band 5\",\"serial\":\"SN-1\"}";

    GatewayFixture gw;

    @BeforeAll
    void start() throws Exception {
        // the one class on the shared gateway whose patient is the fixture's default: it stores no
        // readings, it only registers devices
        gw = GatewayFixture.shared(GatewayFixture.NIK);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private HttpResponse<String> register(String body) throws Exception {
        return gw.post("/v1/devices", "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> delete(String rawPath) throws Exception {
        return gw.send(
                HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + gw.gateway().port() + rawPath))
                        .timeout(Duration.ofSeconds(30))
                        .DELETE(),
                gw.adminToken());
    }

    private long registered() throws SQLException {
        return query("select count(*) from registered_devices", null);
    }

    private long query(String sql, String arg) throws SQLException {
        DataSource ds = gw.gateway().database().dataSource();
        return arg == null ? Sql.count(ds, sql) : Sql.count(ds, sql, arg);
    }

    private String text(String sql, String arg) throws SQLException {
        try (Connection c = gw.gateway().database().dataSource().getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, arg);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private static String code(HttpResponse<String> r) {
        return json(r).getJsonObject("error").getString("code");
    }

    @Test
    void registrationAnswersOnceWithIdAndSecretAndRevocationIsIdempotent() throws Exception {
        HttpResponse<String> r = register(GOOD);
        assertEquals(201, r.statusCode(), r.body());
        JsonObject body = json(r);
        String id = body.getString("id");
        assertTrue(id.matches("dev-[0-9a-f]{32}"), id);
        assertEquals(43, body.getString("secret").length());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        assertEquals("/v1/devices/" + id, r.headers().firstValue("Location").orElse(""));
        assertEquals(
                0,
                query(
                        "select count(*) from registered_devices where patient_id = ?",
                        "3171011508850001"),
                "the NIK is not what is stored");
        assertEquals(
                GatewayFixture.PATIENT_ID,
                text(
                        "select patient_id from registered_devices where id = ? and revoked_at is null",
                        id),
                "the patient's pseudonym is");

        assertEquals(204, delete("/v1/devices/" + id).statusCode());
        assertEquals(
                1,
                query(
                        "select count(*) from registered_devices where id = ? and revoked_at is not null",
                        id));
        assertEquals(204, delete("/v1/devices/" + id).statusCode(), "revoking twice is harmless");
        HttpResponse<String> unknown = delete("/v1/devices/dev-00000000000000000000000000000000");
        assertEquals(404, unknown.statusCode());
        assertEquals("device-unknown", code(unknown));
    }

    @Test
    void hostileRegistrationsAreRefusedWithACodeAndRegisterNothing() throws Exception {
        String[][] cases = {
            {"{", "malformed-json"},
            {"", "malformed-json"},
            {"{\"patient\":\"3171011508850001\",}", "malformed-json"},
            {"[".repeat(2000) + "]".repeat(2000), "malformed-json"},
            {"[1,2]", "not-an-object"},
            {"\"text\"", "not-an-object"},
            {"{\"manufacturer\":\"Acme\",\"model\":\"B\",\"serial\":\"S\"}", "patient-missing"},
            {GOOD.replace("3171011508850001", "3171011508850000"), "patient-invalid"},
            {GOOD.replace("\"3171011508850001\"", "3171011508850001"), "patient-invalid"},
            {GOOD.replace("3171011508850001", "31710115088500011"), "patient-invalid"},
            {GOOD.replace("3171011508850001", "' OR 1=1 --"), "patient-invalid"},
            {GOOD.replace("\"Acme\"", "null"), "manufacturer-invalid"},
            {GOOD.replace("\"Acme\"", "\"\""), "manufacturer-invalid"},
            {GOOD.replace("\"Band 5\"", "\"" + "m".repeat(129) + "\""), "model-invalid"},
            {GOOD.replace("\"Band 5\"", "{\"nested\":true}"), "model-invalid"},
            {GOOD.replace("\"SN-1\"", "\"SN\\u0000\\n1\""), "serial-invalid"},
            {GOOD.replace("\"SN-1\"", "12345"), "serial-invalid"},
            {GOOD.replace(",\"serial\":\"SN-1\"", ""), "serial-invalid"},
        };
        long before = registered();
        for (String[] c : cases) {
            HttpResponse<String> r = register(c[0]);
            assertEquals(400, r.statusCode(), c[0].length() > 200 ? c[1] : c[0]);
            assertEquals(c[1], code(r), c[0].length() > 200 ? c[1] : c[0]);
        }
        HttpResponse<String> huge = register(GOOD.replace("SN-1", "S".repeat(5000)));
        assertEquals(413, huge.statusCode());
        assertEquals("body-too-large", code(huge));
        assertEquals(
                415,
                gw.post("/v1/devices", "text/plain", GOOD.getBytes(StandardCharsets.UTF_8))
                        .statusCode());
        assertEquals(before, registered(), "nothing of a refused registration is kept");
        assertEquals(201, register(GOOD).statusCode(), "and the endpoint still works");
    }

    @Test
    void hostileIdsAreUnknownAndRevokeNothing() throws Exception {
        String id = json(register(GOOD)).getString("id");
        String[] ids = {
            "' or '1'='1",
            "dev-1; delete from registered_devices; --",
            "%",
            "x".repeat(5000),
            "DEV-" + id.substring(4),
            id + "%00",
            "\u0000",
            "é",
            id.substring(0, id.length() - 1),
        };
        for (String bad : ids) {
            HttpResponse<String> r =
                    delete(
                            "/v1/devices/"
                                    + URLEncoder.encode(bad, StandardCharsets.UTF_8)
                                            .replace("+", "%20"));
            assertEquals(404, r.statusCode(), bad.length() > 50 ? "long id" : bad);
        }
        assertEquals(
                0,
                query(
                        "select count(*) from registered_devices where revoked_at is not null and id = ?",
                        id),
                "no hostile id revoked the real device");
        assertTrue(registered() >= 1);
    }
}

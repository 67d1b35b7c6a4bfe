package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.jkn.telemetry.gateway.GatewayFixture;

/**
 * Devices registered and revoked through the real HTTP API (as an admin), and the batches they
 * send.
 */
final class Devices {

    /** A registered device's credentials and topics. */
    record Device(String id, String secret) {
        String readings() {
            return "devices/" + id + "/readings";
        }

        String responses() {
            return "devices/" + id + "/responses";
        }

        String status() {
            return "devices/" + id + "/status";
        }
    }

    /** A patient no device of these tests is registered to, and no other test class uses. */
    static final String OTHER_NIK = "3171020101900112";

    private static final AtomicInteger SERIALS = new AtomicInteger();

    private Devices() {}

    /** A device of the fixture's patient. */
    static Device register(GatewayFixture gw) throws Exception {
        return register(gw, gw.nik());
    }

    static Device register(GatewayFixture gw, String nik) throws Exception {
        String body =
                new JsonObject()
                        .put("patient", nik)
                        .put("manufacturer", "Acme")
                        .put("model", "Band 5")
                        .put("serial", "SN-" + SERIALS.incrementAndGet())
                        .encode();
        HttpResponse<String> r =
                gw.post(
                        "/v1/devices",
                        "application/json",
                        body.getBytes(StandardCharsets.UTF_8),
                        gw.adminToken());
        assertEquals(201, r.statusCode(), r.body());
        JsonObject j = new JsonObject(r.body());
        return new Device(j.getString("id"), j.getString("secret"));
    }

    static void revoke(GatewayFixture gw, Device d) throws Exception {
        assertEquals(204, gw.delete("/v1/devices/" + d.id(), gw.adminToken()).statusCode());
    }

    /**
     * A batch of heart rates with the given reading ids and no patient or device: both come from
     * the registration.
     */
    static byte[] batch(String... readingIds) {
        return batchFor(null, readingIds);
    }

    /** The same, naming a patient (a NIK) explicitly. */
    static byte[] batchFor(String nik, String... readingIds) {
        StringBuilder b = new StringBuilder("{");
        if (nik != null) {
            b.append("\"patient\":\"").append(nik).append("\",");
        }
        b.append("\"readings\":[");
        for (int i = 0; i < readingIds.length; i++) {
            b.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"")
                    .append(readingIds[i])
                    .append("\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T08:")
                    .append(String.format("%02d", i % 60))
                    .append(":00+07:00\",\"value\":")
                    .append(60 + i % 40)
                    .append("}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }
}

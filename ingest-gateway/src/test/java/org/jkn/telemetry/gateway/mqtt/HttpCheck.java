package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;

/** Checks through the FHIR API, the way a clinician would look. */
final class HttpCheck {

    private HttpCheck() {}

    static void noObservationsFor(GatewayFixture gw, String nik) throws Exception {
        String patient = new Pseudonymizer(GatewayFixture.KEY).patientId(nik);
        JsonObject bundle =
                new JsonObject(
                        gw.get("/fhir/Observation?patient=" + patient, null, gw.patientToken(nik))
                                .body());
        assertEquals(0, bundle.getInteger("total", 0), "nothing was stored for that patient");
    }
}

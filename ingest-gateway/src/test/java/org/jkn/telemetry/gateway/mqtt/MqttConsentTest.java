package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.Test;

/**
 * The MQTT path goes through the same consent check as HTTP: per reading, the rest of the publish
 * kept.
 */
class MqttConsentTest {

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900131";

    static final String PATIENT_ID = GatewayFixture.patientId(NIK);

    @Test
    void readingsWithoutConsentAreRejectedOneByOneAndTheConsentedOnesStored() throws Exception {
        try (GatewayFixture gw = GatewayFixture.sharedWithoutConsent(NIK)) {
            Devices.Device device = Devices.register(gw);
            String batch =
                    "{\"readings\":[{\"id\":\"mq-hr\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T09:00:00+07:00\",\"value\":64},"
                            + "{\"id\":\"mq-flow\",\"type\":\"menstruation_flow\",\"time\":\"2026-11-22T09:00:00+07:00\",\"flow\":\"light\"}]}";
            try (PahoV5 v5 = PahoV5.create(gw.gateway().mqtt().port(), "v5-consent")) {
                v5.connect(device);
                IMqttToken sub = v5.client.subscribe(new MqttSubscription(device.responses(), 1));
                sub.waitForCompletion(PahoV5.WAIT_MILLIS);
                MqttProperties props = new MqttProperties();
                props.setResponseTopic(device.responses());

                assertEquals(
                        0,
                        v5.publish(
                                device.readings(),
                                batch.getBytes(StandardCharsets.UTF_8),
                                1,
                                props),
                        "the publish itself is acknowledged: its readings are answered one by one");
                JsonObject none = response(v5);
                assertEquals(0, none.getInteger("accepted"));
                assertEquals(
                        "consent-required",
                        none.getJsonArray("rejected").getJsonObject(0).getString("reason"));
                assertEquals(
                        "consent-required",
                        none.getJsonArray("rejected").getJsonObject(1).getString("reason"));

                assertEquals(
                        201,
                        gw.postConsent(
                                        org.jkn.telemetry.gateway.Consents.consent(
                                                PATIENT_ID,
                                                org.jkn.telemetry.gateway.Consents.collect()))
                                .statusCode());
                assertEquals(
                        0,
                        v5.publish(
                                device.readings(),
                                batch.getBytes(StandardCharsets.UTF_8),
                                1,
                                props));
                JsonObject some = response(v5);
                assertEquals(
                        1,
                        some.getInteger("accepted"),
                        "heart rate now; cycle data still needs a permit naming it");
                assertEquals(
                        "mq-flow", some.getJsonArray("rejected").getJsonObject(0).getString("id"));
            }
            Poll.until("heart rate stored", () -> gw.observationCount() == 1);
        }
    }

    private static JsonObject response(PahoV5 v5) throws InterruptedException {
        MqttMessage m = v5.received.poll(5, TimeUnit.SECONDS);
        assertNotNull(m, "the outcome arrives on the responses topic");
        return new JsonObject(new String(m.getPayload(), StandardCharsets.UTF_8));
    }
}

package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Publishing readings with real Paho clients: what is stored, what is refused and how each version
 * is told.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttPublishTest {

    private static final int NOT_AUTHORIZED = 0x87;
    private static final int TOPIC_NAME_INVALID = 0x90;
    private static final int PAYLOAD_FORMAT_INVALID = 0x99;

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900111";

    GatewayFixture gw;
    int port;
    Devices.Device device;

    @BeforeAll
    void start() throws Exception {
        gw = GatewayFixture.shared(NIK);
        port = gw.gateway().mqtt().port();
        device = Devices.register(gw);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    private void awaitStored(String... readingIds) {
        Poll.until(
                "readings " + String.join(",", readingIds) + " in FHIR",
                () -> gw.stored(device.id(), readingIds));
    }

    private void awaitDrained() throws InterruptedException {
        Poll.until("journal drained", () -> gw.gateway().journal().pendingReadings() == 0);
    }

    @Test
    void v5QoS1PublishIsAcknowledgedAndReadableAsFhir() throws Exception {
        try (PahoV5 c = PahoV5.create(port, "v5-qos1")) {
            c.connect(device);
            assertEquals(0, c.publish(device.readings(), Devices.batch("v5q1-a", "v5q1-b"), 1));
        }
        awaitStored("v5q1-a", "v5q1-b");
    }

    @Test
    void v3QoS1PublishIsAcknowledgedAndReadableAsFhir() throws Exception {
        try (PahoV3 c = PahoV3.create(port, "v3-qos1")) {
            c.connect(device);
            IMqttDeliveryToken t =
                    c.publish(device.readings(), Devices.batch("v3q1-a", "v3q1-b", "v3q1-c"), 1);
            t.waitForCompletion(PahoV3.WAIT_MILLIS);
            assertTrue(t.isComplete());
        }
        awaitStored("v3q1-a", "v3q1-b", "v3q1-c");
    }

    @Test
    void qos0PublishesAreStoredToo() throws Exception {
        try (PahoV5 v5 = PahoV5.create(port, "v5-qos0");
                PahoV3 v3 = PahoV3.create(port, "v3-qos0")) {
            v5.connect(device);
            v3.connect(device);
            v5.publish(device.readings(), Devices.batch("v5q0"), 0);
            v3.publish(device.readings(), Devices.batch("v3q0"), 0)
                    .waitForCompletion(PahoV3.WAIT_MILLIS);
            awaitStored("v5q0", "v3q0");
        }
    }

    @Test
    void aPayloadNamingTheRegisteredPatientIsAcceptedAndAnotherPatientIsRefused() throws Exception {
        double mismatches =
                gw.metric("telemetry_batches_refused_total{reason=\"patient-mismatch\"}");
        try (PahoV5 v5 = PahoV5.create(port, "v5-patient")) {
            v5.connect(device);
            assertEquals(
                    0, v5.publish(device.readings(), Devices.batchFor(NIK, "same-patient"), 1));
            assertEquals(
                    NOT_AUTHORIZED,
                    v5.publish(
                            device.readings(),
                            Devices.batchFor(Devices.OTHER_NIK, "other-patient"),
                            1));
            assertEquals(
                    0,
                    v5.publish(device.readings(), Devices.batch("after-refusal"), 1),
                    "the connection goes on");
        }
        try (PahoV3 v3 = PahoV3.create(port, "v3-patient")) {
            v3.connect(device);
            v3.publish(
                    device.readings(), Devices.batchFor(Devices.OTHER_NIK, "other-patient-v3"), 1);
            assertNotNull(
                    v3.lost.get(5, TimeUnit.SECONDS),
                    "MQTT 3.1.1 cannot say no: the connection is closed (§3.3.5)");
        }
        awaitStored("same-patient", "after-refusal");
        awaitDrained();
        assertFalse(gw.stored(device.id(), "other-patient"));
        assertEquals(
                mismatches + 2,
                gw.metric("telemetry_batches_refused_total{reason=\"patient-mismatch\"}"));
        HttpCheck.noObservationsFor(gw, Devices.OTHER_NIK);
    }

    @Test
    void aPayloadNamingAnotherDeviceIsRefused() throws Exception {
        String payload =
                "{\"device\":{\"id\":\"someone-else\"},\"readings\":[{\"id\":\"dm\",\"type\":\"heart_rate\","
                        + "\"time\":\"2026-11-22T08:00:00+07:00\",\"value\":70}]}";
        String own = payload.replace("someone-else", device.id()).replace("\"dm\"", "\"dm-own\"");
        try (PahoV5 v5 = PahoV5.create(port, "v5-device")) {
            v5.connect(device);
            assertEquals(
                    NOT_AUTHORIZED,
                    v5.publish(device.readings(), payload.getBytes(StandardCharsets.UTF_8), 1));
            assertEquals(0, v5.publish(device.readings(), own.getBytes(StandardCharsets.UTF_8), 1));
        }
        awaitStored("dm-own");
        awaitDrained();
        assertFalse(gw.stored(device.id(), "dm"));
    }

    @Test
    void somethingThatIsNotABatchIsRefusedAsPayloadFormatInvalidAndAcknowledgedOn311()
            throws Exception {
        double malformed = gw.metric("telemetry_batches_refused_total{reason=\"malformed-json\"}");
        try (PahoV5 v5 = PahoV5.create(port, "v5-garbage");
                PahoV3 v3 = PahoV3.create(port, "v3-garbage")) {
            v5.connect(device);
            v3.connect(device);
            assertEquals(
                    PAYLOAD_FORMAT_INVALID,
                    v5.publish(device.readings(), "{not json".getBytes(StandardCharsets.UTF_8), 1));
            IMqttDeliveryToken t =
                    v3.publish(device.readings(), "{not json".getBytes(StandardCharsets.UTF_8), 1);
            t.waitForCompletion(PahoV3.WAIT_MILLIS);
            assertTrue(
                    t.isComplete(),
                    "3.1.1 acknowledges so the device stops resending what can never be stored");
            assertTrue(v3.client.isConnected());
        }
        assertEquals(
                malformed + 2,
                gw.metric("telemetry_batches_refused_total{reason=\"malformed-json\"}"));
    }

    @Test
    void perReadingRejectionsAreCountedAndReportedOnTheResponseTopic() throws Exception {
        double implausible =
                gw.metric("telemetry_readings_rejected_total{reason=\"implausible-value\"}");
        String batch =
                "{\"readings\":[{\"id\":\"rt-ok\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T09:00:00+07:00\",\"value\":64},"
                        + "{\"id\":\"rt-bad\",\"type\":\"heart_rate\",\"time\":\"2026-11-22T09:01:00+07:00\",\"value\":900}]}";
        try (PahoV5 v5 = PahoV5.create(port, "v5-responses")) {
            v5.connect(device);
            IMqttToken sub = v5.client.subscribe(new MqttSubscription(device.responses(), 1));
            sub.waitForCompletion(PahoV5.WAIT_MILLIS);
            assertEquals(
                    0, sub.getReasonCodes()[0], "granted QoS 0: responses are sent at most once");
            MqttProperties props = new MqttProperties();
            props.setResponseTopic(device.responses());
            props.setCorrelationData(new byte[] {7, 7, 7});
            assertEquals(
                    0,
                    v5.publish(
                            device.readings(), batch.getBytes(StandardCharsets.UTF_8), 1, props));
            MqttMessage response = v5.received.poll(5, TimeUnit.SECONDS);
            assertNotNull(response, "the outcome arrives on the responses topic");
            assertArrayEquals(new byte[] {7, 7, 7}, response.getProperties().getCorrelationData());
            JsonObject body =
                    new JsonObject(new String(response.getPayload(), StandardCharsets.UTF_8));
            assertEquals(1, body.getInteger("accepted"));
            assertEquals(
                    "implausible-value",
                    body.getJsonArray("rejected").getJsonObject(0).getString("reason"));
            assertEquals("rt-bad", body.getJsonArray("rejected").getJsonObject(0).getString("id"));

            props.setResponseTopic(Devices.register(gw).responses());
            assertEquals(
                    NOT_AUTHORIZED,
                    v5.publish(device.readings(), Devices.batch("rt-elsewhere"), 1, props),
                    "responses go to the device's own topic only");
        }
        awaitStored("rt-ok");
        assertEquals(
                implausible + 1,
                gw.metric("telemetry_readings_rejected_total{reason=\"implausible-value\"}"));
    }

    @Test
    void subscriptionsOtherThanTheOwnResponsesTopicAreRefused() throws Exception {
        Devices.Device other = Devices.register(gw);
        try (PahoV5 v5 = PahoV5.create(port, "v5-sub");
                PahoV3 v3 = PahoV3.create(port, "v3-sub")) {
            v5.connect(device);
            for (String filter :
                    new String[] {
                        other.responses(),
                        device.readings(),
                        "devices/+/readings",
                        "#",
                        "$share/g/devices/+/readings"
                    }) {
                IMqttToken t = v5.client.subscribe(new MqttSubscription(filter, 1));
                t.waitForCompletion(PahoV5.WAIT_MILLIS);
                assertEquals(NOT_AUTHORIZED, t.getReasonCodes()[0], filter);
            }
            v3.connect(device);
            org.eclipse.paho.client.mqttv3.IMqttToken t3 =
                    v3.client.subscribe(device.responses(), 1);
            t3.waitForCompletion(PahoV3.WAIT_MILLIS);
            assertEquals(
                    0x80,
                    t3.getGrantedQos()[0],
                    "3.1.1 has no Response Topic, so nothing to subscribe to");
        }
    }

    @Test
    void publishingOutsideTheOwnTopicIsRefused() throws Exception {
        Devices.Device other = Devices.register(gw);
        try (PahoV5 v5 = PahoV5.create(port, "v5-topics")) {
            v5.connect(device);
            assertEquals(NOT_AUTHORIZED, v5.publish(other.readings(), Devices.batch("foreign"), 1));
            assertEquals(
                    NOT_AUTHORIZED,
                    v5.publish(device.responses(), Devices.batch("own-responses"), 1));
            assertEquals(
                    TOPIC_NAME_INVALID,
                    v5.publish("$share/g/" + device.readings(), Devices.batch("share"), 1));
            assertEquals(TOPIC_NAME_INVALID, v5.publish("$SYS/readings", Devices.batch("sys"), 1));
            assertEquals(
                    0,
                    v5.publish(device.readings(), Devices.batch("own-after"), 1),
                    "refusals cost nothing else");
            v5.publish(other.readings(), Devices.batch("foreign-qos0"), 0);
            assertEquals(
                    NOT_AUTHORIZED,
                    v5.disconnected.get(5, TimeUnit.SECONDS).getReturnCode(),
                    "a refused QoS 0 publish has no PUBACK, so the refusal comes as DISCONNECT");
        }
        try (PahoV3 v3 = PahoV3.create(port, "v3-topics")) {
            v3.connect(device);
            v3.publish(other.readings(), Devices.batch("foreign-v3"), 1);
            assertNotNull(
                    v3.lost.get(5, TimeUnit.SECONDS), "3.1.1: the connection is closed (§3.3.5)");
        }
        awaitStored("own-after");
        awaitDrained();
        for (String id :
                new String[] {
                    "foreign", "own-responses", "share", "sys", "foreign-qos0", "foreign-v3"
                }) {
            assertFalse(gw.stored(device.id(), id), id);
        }
    }
}

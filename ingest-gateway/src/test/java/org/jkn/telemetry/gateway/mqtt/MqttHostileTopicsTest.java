package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile topic names, Wills, QoS and CONNECT fields over raw sockets: MQTT 5 is told the reason
 * the spec gives, 3.1.1 is closed, and a bystander is served afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHostileTopicsTest {

    @TempDir static Path dataDir;
    GatewayFixture gw;
    int port;
    Devices.Device device;
    Devices.Device other;
    Devices.Device bystanderDevice;
    Bystander bystander;

    @BeforeAll
    void start() throws Exception {
        Map<ConfigKey, String> config = GatewayFixture.config(dataDir);
        // closed sockets leave the session table a moment later; the limit itself is
        // MqttLimitsTest's
        config.put(ConfigKey.MQTT_MAX_CONNECTIONS_PER_DEVICE, "16");
        gw = GatewayFixture.start(config);
        port = gw.gateway().mqtt().port();
        device = Devices.register(gw);
        other = Devices.register(gw);
        bystanderDevice = Devices.register(gw);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @BeforeEach
    void connectBystander() throws Exception {
        bystander = new Bystander(port, bystanderDevice);
    }

    @AfterEach
    void bystanderIsStillServed(TestInfo test) throws Exception {
        bystander.assertServed("bystander-" + test.getTestMethod().orElseThrow().getName());
        bystander.close();
    }

    private MqttWire connected(int version) throws Exception {
        return MqttWire.connected(port, version, "topics", device, 60);
    }

    /**
     * Sends the PUBLISH: MQTT 5 must get DISCONNECT with {@code reason} then the close; 3.1.1 just
     * the close.
     */
    private void assertDisconnected(int version, byte[] publish, int reason, String what)
            throws Exception {
        try (MqttWire w = connected(version)) {
            w.send(publish);
            MqttWire.Packet p = w.read();
            if (version == 5 && reason != 0) {
                assertNotNull(p, what + ": MQTT 5 is told why");
                assertEquals(MqttWire.DISCONNECT, p.type(), what);
                assertEquals(reason, p.disconnectReason(), what);
                p = w.read();
            }
            assertNull(p, what + ": closed, nothing acknowledged (level " + version + ")");
        }
    }

    private static byte[] readingsTopicWith(Devices.Device d, byte[] middle) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("devices/" + d.id() + "/read").getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(middle);
        b.writeBytes("ings".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    @Test
    void aZeroLengthTopicIsAProtocolError() throws Exception {
        // CVE-2021-34432 class; MQTT 5 §3.3.2.3.4: empty without a Topic Alias
        for (int version : new int[] {4, 5}) {
            assertDisconnected(
                    version,
                    MqttWire.publishRawTopic(version, new byte[0], 1, 1, Devices.batch("empty")),
                    0x82,
                    "empty topic");
        }
    }

    @Test
    void invalidUtf8OrNulInATopicIsAMalformedPacket() throws Exception {
        // CVE-2017-7653 class; MQTT 5 §1.5.4
        byte[][] middles = {
            {(byte) 0xC3, 0x28}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF}, {0x00}
        };
        for (int version : new int[] {4, 5}) {
            for (byte[] middle : middles) {
                assertDisconnected(
                        version,
                        MqttWire.publishRawTopic(
                                version,
                                readingsTopicWith(device, middle),
                                1,
                                1,
                                Devices.batch("utf8")),
                        0x81,
                        "ill-formed topic");
            }
        }
    }

    @Test
    void wildcardsInAPublishTopicCloseTheConnection() throws Exception {
        // [MQTT-3.3.2-2]: the decoder refuses the packet itself, so no reason code reaches the
        // client
        for (int version : new int[] {4, 5}) {
            for (String topic :
                    new String[] {
                        "devices/+/readings", "devices/#", "#", "devices/" + device.id() + "/+"
                    }) {
                assertDisconnected(
                        version,
                        MqttWire.publish(version, topic, 1, 1, Devices.batch("wild")),
                        0,
                        topic);
            }
        }
    }

    @Test
    void sharedAndServerTopicsAreRefused() throws Exception {
        String[] topics = {
            "$share/g/" + device.readings(),
            "$share/g/devices/+/readings".replace("+", device.id()),
            "$SYS/uptime"
        };
        for (String topic : topics) {
            try (MqttWire w = connected(5)) {
                w.send(MqttWire.publish(5, topic, 1, 9, Devices.batch("reserved")));
                MqttWire.Packet ack = w.read();
                assertEquals(MqttWire.PUBACK, ack.type(), topic);
                assertEquals(0x90, ack.pubAckReason(), topic + ": topic name invalid");
            }
            assertDisconnected(
                    4, MqttWire.publish(4, topic, 1, 9, Devices.batch("reserved")), 0, topic);
        }
    }

    @Test
    void anotherDevicesTopicIsNotAuthorized() throws Exception {
        try (MqttWire w = connected(5)) {
            w.send(MqttWire.publish(5, other.readings(), 1, 3, Devices.batch("foreign")));
            MqttWire.Packet ack = w.read();
            assertEquals(3, ack.packetId());
            assertEquals(0x87, ack.pubAckReason());
        }
        assertDisconnected(
                5,
                MqttWire.publish(5, other.readings(), 0, 0, Devices.batch("foreign")),
                0x87,
                "QoS 0 to another device");
        assertDisconnected(
                4,
                MqttWire.publish(4, other.readings(), 1, 3, Devices.batch("foreign")),
                0,
                "3.1.1 to another device");
    }

    @Test
    void qos2IsRefusedAsMaximumQosOne() throws Exception {
        for (int version : new int[] {4, 5}) {
            assertDisconnected(
                    version,
                    MqttWire.publish(version, device.readings(), 2, 1, Devices.batch("qos2")),
                    0x9B,
                    "QoS 2");
        }
    }

    @Test
    void aTopicAliasIsRefusedSinceNoneWasOffered() throws Exception {
        byte[] alias = {0x23, 0x00, 0x01};
        byte[] topic = device.readings().getBytes(StandardCharsets.US_ASCII);
        assertDisconnected(
                5,
                MqttWire.publish(5, topic, 1, 1, alias, Devices.batch("alias")),
                0x94,
                "topic alias with a name");
        assertDisconnected(
                5,
                MqttWire.publish(5, new byte[0], 1, 1, alias, Devices.batch("alias")),
                0x94,
                "topic alias alone");
    }

    @Test
    void aWillAimedAtAForbiddenTopicIsRefusedAtConnect() throws Exception {
        // EMQX #8978, mochi-mqtt #503 class: the Will is checked when it is registered
        String[][] cases = {
            {other.status(), "135"},
            {other.readings(), "135"},
            {device.readings(), "135"},
            {"alerts/all", "135"},
            {"$SYS/broker/clients", "144"},
            {"devices/+/status", "144"},
            {"#", "144"},
        };
        for (String[] c : cases) {
            for (int version : new int[] {4, 5}) {
                try (MqttWire w = new MqttWire(port)) {
                    w.send(
                            MqttWire.connect(
                                    version, "will", device.id(), device.secret(), 60, c[0]));
                    MqttWire.Packet connack = w.read();
                    assertNotNull(connack, "Will on " + c[0] + " is answered");
                    assertEquals(
                            version == 5 ? Integer.parseInt(c[1]) : 5,
                            connack.connackCode(),
                            "Will on " + c[0]);
                    assertTrue(w.closedByServer());
                }
            }
        }
        for (int version : new int[] {4, 5}) {
            try (MqttWire w = new MqttWire(port)) {
                // vertx-mqtt 5.1.1 refuses an empty Will topic itself, with 0x82 even to 3.1.1
                // clients
                w.send(
                        MqttWire.connect(
                                version, "will-empty", device.id(), device.secret(), 60, ""));
                assertEquals(0x82, w.read().connackCode());
                assertTrue(w.closedByServer());
            }
        }
        try (MqttWire w = new MqttWire(port)) {
            w.send(
                    MqttWire.connect(
                            5, "will-qos2", device.id(), device.secret(), 60, device.status(), 2));
            assertEquals(
                    0x9B, w.read().connackCode(), "a Will above Maximum QoS 1 (MQTT 5 §3.2.2.3.4)");
        }
        try (MqttWire w = new MqttWire(port)) {
            w.send(
                    MqttWire.connect(
                            5, "will-ok", device.id(), device.secret(), 60, device.status()));
            assertEquals(0, w.read().connackCode(), "the device's own status topic is fine");
        }
    }

    @Test
    void overlongClientIdsAndEnhancedAuthenticationAreRefused() throws Exception {
        for (int version : new int[] {4, 5}) {
            try (MqttWire w = new MqttWire(port)) {
                w.send(
                        MqttWire.connect(
                                version, "c".repeat(129), device.id(), device.secret(), 60));
                assertEquals(
                        version == 5 ? 0x85 : 2,
                        w.read().connackCode(),
                        "client id over 128 characters");
                assertTrue(w.closedByServer());
            }
        }
        try (MqttWire w = new MqttWire(port)) {
            byte[] method = MqttWire.string("SCRAM-SHA-256");
            byte[] props = new byte[method.length + 1];
            props[0] = 0x15;
            System.arraycopy(method, 0, props, 1, method.length);
            w.send(MqttWire.connect5WithProperties("scram", device.id(), device.secret(), props));
            assertEquals(0x8C, w.read().connackCode(), "bad authentication method");
            assertTrue(w.closedByServer());
        }
    }
}

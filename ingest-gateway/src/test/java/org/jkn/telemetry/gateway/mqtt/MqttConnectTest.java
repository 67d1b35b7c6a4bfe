package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * CONNECT with real Paho clients: who gets in, with which CONNACK codes, and revocation of live
 * connections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttConnectTest {

    private static final int V3_BAD_USER_OR_PASSWORD = 4;
    private static final int V3_NOT_AUTHORIZED = 5;
    private static final int V5_BAD_USER_OR_PASSWORD = 0x86;
    private static final int V5_NOT_AUTHORIZED = 0x87;

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900121";

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

    @Test
    void registeredDeviceConnectsWithV5AndLearnsTheServerLimits() throws Exception {
        try (PahoV5 c = PahoV5.create(port, "limits")) {
            IMqttToken t = c.connect(device);
            MqttProperties p = t.getResponseProperties();
            assertEquals(16, p.getReceiveMaximum());
            assertEquals(1, p.getMaximumQoS());
            assertEquals(262_144L, p.getMaximumPacketSize());
            assertEquals(0L, p.getSessionExpiryInterval());
            assertTrue(c.client.isConnected());
        }
    }

    @Test
    void registeredDeviceConnectsWithV3() throws Exception {
        try (PahoV3 c = PahoV3.create(port, "v3")) {
            assertEquals(0, c.connect(PahoV3.options(device.id(), device.secret())));
            assertTrue(c.client.isConnected());
        }
    }

    @Test
    void emptyClientIdIsAssignedOne() throws Exception {
        try (PahoV5 c = PahoV5.create(port, "")) {
            IMqttToken t = c.connect(device);
            assertTrue(t.getResponseProperties().getAssignedClientIdentifier().startsWith("auto-"));
        }
    }

    @Test
    void wrongSecretAndUnknownDeviceAreBadUsernameOrPassword() throws Exception {
        String[][] creds = {
            {device.id(), device.secret() + "x"},
            {"dev-00000000000000000000000000000000", device.secret()}
        };
        for (String[] c : creds) {
            try (PahoV5 v5 = PahoV5.create(port, "bad-v5");
                    PahoV3 v3 = PahoV3.create(port, "bad-v3")) {
                assertEquals(V5_BAD_USER_OR_PASSWORD, v5.connect(PahoV5.options(c[0], c[1])), c[0]);
                assertEquals(V3_BAD_USER_OR_PASSWORD, v3.connect(PahoV3.options(c[0], c[1])), c[0]);
            }
        }
    }

    @Test
    void hostileOrMissingCredentialsAreRefusedAndCostNothingElse() throws Exception {
        String[][] creds = {
            {device.id(), ""},
            {device.id(), null},
            {null, null},
            {"' or 1=1 --", device.secret()},
            {"devices/+/readings", "x"},
            {"#", "x"},
            {"x".repeat(20_000), device.secret()},
            {device.id().toUpperCase(), device.secret()},
        };
        double refusedBefore =
                gw.metric("telemetry_mqtt_connects_refused_total{reason=\"bad-credentials\"}");
        for (String[] c : creds) {
            for (int version : new int[] {4, 5}) {
                try (MqttWire w = new MqttWire(port)) {
                    w.send(MqttWire.connect(version, "hostile", c[0], c[1], 30));
                    MqttWire.Packet connack = w.read();
                    assertEquals(MqttWire.CONNACK, connack.type());
                    assertEquals(
                            version == 5 ? V5_BAD_USER_OR_PASSWORD : V3_BAD_USER_OR_PASSWORD,
                            connack.connackCode(),
                            c[0] == null
                                    ? "no username"
                                    : c[0].substring(0, Math.min(40, c[0].length())));
                    assertTrue(w.closedByServer(), "a refusing CONNACK closes the connection");
                }
            }
        }
        assertEquals(
                refusedBefore + 2 * creds.length,
                gw.metric("telemetry_mqtt_connects_refused_total{reason=\"bad-credentials\"}"),
                "operators can see refused logins");
        try (PahoV5 c = PahoV5.create(port, "after-bad")) {
            c.connect(device);
            assertTrue(c.client.isConnected(), "refusals cost nothing else");
            assertTrue(gw.metric("telemetry_mqtt_connections") >= 1);
        }
    }

    @Test
    void mqtt31AndUnknownProtocolLevelsAreRefused() throws Exception {
        // level 3 is sent as MQTT 3.1 ("MQIsdp"), which the decoder accepts and this server does
        // not
        for (int level : new int[] {3, 6}) {
            try (MqttWire w = new MqttWire(port)) {
                w.send(MqttWire.connect(level, "old", device.id(), device.secret(), 30));
                MqttWire.Packet p = w.read();
                assertEquals(MqttWire.CONNACK, p.type());
                assertEquals(
                        1, p.connackCode(), "0x01 unacceptable protocol version, level " + level);
                assertTrue(w.closedByServer());
            }
        }
    }

    @Test
    void revocationDropsLiveConnectionsAndRefusesNewOnes() throws Exception {
        Devices.Device d = Devices.register(gw);
        try (PahoV5 v5 = PahoV5.create(port, "revoked-v5");
                PahoV3 v3 = PahoV3.create(port, "revoked-v3")) {
            v5.connect(d);
            v3.connect(d);
            Devices.revoke(gw, d);
            MqttDisconnectResponse r = v5.disconnected.get(5, TimeUnit.SECONDS);
            assertEquals(V5_NOT_AUTHORIZED, r.getReturnCode());
            assertTrue(
                    gw.metric("telemetry_mqtt_disconnects_total{reason=\"not-authorized\"}") >= 1);
            assertNotNull(v3.lost.get(5, TimeUnit.SECONDS), "the 3.1.1 connection is closed");
        }
        try (PahoV5 v5 = PahoV5.create(port, "revoked-v5");
                PahoV3 v3 = PahoV3.create(port, "revoked-v3")) {
            assertEquals(V5_NOT_AUTHORIZED, v5.connect(PahoV5.options(d.id(), d.secret())));
            assertEquals(V3_NOT_AUTHORIZED, v3.connect(PahoV3.options(d.id(), d.secret())));
            assertEquals(
                    V5_BAD_USER_OR_PASSWORD,
                    v5.connect(PahoV5.options(d.id(), "guess")),
                    "a wrong secret does not learn that the device was revoked");
        }
    }

    @Test
    void aWillIsAllowedOnlyOnTheDevicesOwnStatusTopic() throws Exception {
        Devices.Device other = Devices.register(gw);
        try (PahoV5 v5 = PahoV5.create(port, "will-v5");
                PahoV3 v3 = PahoV3.create(port, "will-v3")) {
            MqttConnectionOptions o5 = PahoV5.options(device.id(), device.secret());
            o5.setWill(other.status(), new MqttMessage("offline".getBytes(StandardCharsets.UTF_8)));
            assertEquals(V5_NOT_AUTHORIZED, v5.connect(o5));
            MqttConnectOptions o3 = PahoV3.options(device.id(), device.secret());
            o3.setWill(other.status(), "offline".getBytes(StandardCharsets.UTF_8), 1, false);
            assertEquals(V3_NOT_AUTHORIZED, v3.connect(o3));
        }
        try (PahoV5 v5 = PahoV5.create(port, "will-ok")) {
            MqttConnectionOptions o5 = PahoV5.options(device.id(), device.secret());
            o5.setWill(
                    device.status(), new MqttMessage("offline".getBytes(StandardCharsets.UTF_8)));
            assertEquals(0, v5.connect(o5));
        }
    }
}

package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS listener, with a certificate made for the test: devices publish through it, the rest
 * cannot talk to it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttTlsTest {

    @TempDir static Path dir;
    GatewayFixture gw;
    SelfSignedCertificate certificate;
    SSLContext trusting;
    int tlsPort;
    Devices.Device device;

    @BeforeAll
    void start() throws Exception {
        certificate = SelfSignedCertificate.create(dir);
        trusting = certificate.trustingContext();
        Map<ConfigKey, String> config = GatewayFixture.config(dir.resolve("gateway"));
        config.put(ConfigKey.MQTT_TLS_CERT, certificate.cert.toString());
        config.put(ConfigKey.MQTT_TLS_KEY, certificate.key.toString());
        config.put(ConfigKey.MQTT_TLS_PORT, "0");
        gw = GatewayFixture.start(config);
        tlsPort = gw.gateway().mqtt().tlsPort();
        device = Devices.register(gw);
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    @Test
    void bothListenersAreOpen() {
        assertTrue(tlsPort > 0);
        assertTrue(gw.gateway().mqtt().port() > 0);
        assertNotEquals(tlsPort, gw.gateway().mqtt().port());
    }

    @Test
    void v5AndV3DevicesPublishOverTls() throws Exception {
        try (PahoV5 v5 = PahoV5.create("ssl://127.0.0.1:" + tlsPort, "tls-v5");
                PahoV3 v3 = PahoV3.create("ssl://127.0.0.1:" + tlsPort, "tls-v3")) {
            MqttConnectionOptions o5 = PahoV5.options(device.id(), device.secret());
            o5.setSocketFactory(trusting.getSocketFactory());
            assertEquals(0, v5.connect(o5));
            assertEquals(0, v5.publish(device.readings(), Devices.batch("tls-1"), 1));
            MqttConnectOptions o3 = PahoV3.options(device.id(), device.secret());
            o3.setSocketFactory(trusting.getSocketFactory());
            assertEquals(0, v3.connect(o3));
            v3.publish(device.readings(), Devices.batch("tls-2"), 1)
                    .waitForCompletion(PahoV3.WAIT_MILLIS);
        }
        Poll.until("readings sent over TLS stored", () -> gw.observationCount() >= 2);
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateNeverGetsToConnect() throws Exception {
        try (PahoV5 v5 = PahoV5.create("ssl://127.0.0.1:" + tlsPort, "untrusting")) {
            assertEquals(
                    -1,
                    v5.connect(PahoV5.options(device.id(), device.secret())),
                    "a TLS failure, not a CONNACK");
            assertTrue(!v5.client.isConnected());
        }
    }

    @Test
    void plainMqttOnTheTlsPortIsNotUnderstood() throws Exception {
        try (MqttWire w = new MqttWire(tlsPort)) {
            w.send(MqttWire.connect(5, "plain", device.id(), device.secret(), 60));
            w.timeout(5000);
            assertTrue(w.closedByServer(), "no CONNACK in clear text");
        }
    }

    @Test
    void thePacketGuardWorksBehindTls() throws Exception {
        SSLSocket socket =
                (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", tlsPort);
        socket.startHandshake();
        try (MqttWire w = new MqttWire(socket)) {
            w.send(MqttWire.connect(5, "tls-guard", device.id(), device.secret(), 60));
            assertEquals(0, w.read().connackCode());
            w.send(new byte[] {0x32, (byte) 0xFF, (byte) 0xFF, 0x7F}); // a 2 MB PUBLISH announced
            MqttWire.Packet p = w.read();
            assertEquals(MqttWire.DISCONNECT, p.type());
            assertEquals(0x95, p.disconnectReason());
            assertNull(w.read());
        }
    }
}

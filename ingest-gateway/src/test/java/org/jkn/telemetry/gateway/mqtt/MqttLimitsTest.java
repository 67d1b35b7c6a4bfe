package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configured limits, each at and just past its edge: packet size, in-flight, keep-alive,
 * takeover, connections.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttLimitsTest {

    static final int MAX_PACKET = 1024;
    static final int RECEIVE_MAXIMUM = 4;
    static final int PUBLISHES_PER_SECOND = 50;

    @TempDir static Path dataDir;
    GatewayFixture gw;
    int port;
    Devices.Device device;

    @BeforeAll
    void start() throws Exception {
        Map<ConfigKey, String> config = GatewayFixture.config(dataDir);
        config.put(ConfigKey.MQTT_MAX_PACKET_BYTES, Integer.toString(MAX_PACKET));
        config.put(ConfigKey.MQTT_RECEIVE_MAXIMUM, Integer.toString(RECEIVE_MAXIMUM));
        config.put(ConfigKey.MQTT_CONNECT_TIMEOUT, "PT1S");
        config.put(ConfigKey.MQTT_MAX_CONNECTIONS_PER_DEVICE, "2");
        config.put(ConfigKey.MQTT_MAX_PUBLISHES_PER_SECOND, Integer.toString(PUBLISHES_PER_SECOND));
        gw = GatewayFixture.start(config);
        port = gw.gateway().mqtt().port();
        device = Devices.register(gw);
        try (PahoV5 warm = PahoV5.create(port, "warm-cache")) {
            warm.connect(device);
        }
    }

    @AfterAll
    void stop() {
        gw.close();
    }

    /**
     * A QoS 1 PUBLISH of a valid batch, padded with JSON whitespace to exactly {@code size} bytes
     * on the wire.
     */
    private byte[] publishOfSize(int version, int size, int packetId, String readingId) {
        byte[] batch = Devices.batch(readingId);
        int pad = 0;
        byte[] packet;
        do {
            byte[] payload =
                    (new String(batch, StandardCharsets.UTF_8) + " ".repeat(pad))
                            .getBytes(StandardCharsets.UTF_8);
            packet = MqttWire.publish(version, device.readings(), 1, packetId, payload);
            pad += size - packet.length;
        } while (packet.length != size);
        return packet;
    }

    private MqttWire connected(int version, String clientId) throws Exception {
        return MqttWire.connected(port, version, clientId, device, 30);
    }

    private void assertServerStillServes() throws Exception {
        try (MqttWire w = connected(5, "still-serving")) {
            w.send(MqttWire.pingreq());
            assertEquals(MqttWire.PINGRESP, w.read().type());
        }
    }

    @Test
    void aPacketOfExactlyTheMaximumIsAcceptedAndOneByteMoreClosesOnlyItsConnection()
            throws Exception {
        for (int version : new int[] {4, 5}) {
            try (MqttWire w = connected(version, "size-" + version)) {
                w.send(publishOfSize(version, MAX_PACKET, 1, "at-limit-" + version));
                MqttWire.Packet ack = w.read();
                assertEquals(
                        MqttWire.PUBACK,
                        ack.type(),
                        "a packet of exactly the maximum, fixed header included, is fine");
                assertEquals(0, ack.pubAckReason());
                w.send(publishOfSize(version, MAX_PACKET + 1, 2, "over-limit-" + version));
                MqttWire.Packet next = w.read();
                if (version == 5) {
                    assertNotNull(next, "MQTT 5 is told why");
                    assertEquals(MqttWire.DISCONNECT, next.type());
                    assertEquals(0x95, next.disconnectReason(), "packet too large");
                    next = w.read();
                }
                assertNull(
                        next, "the connection is closed, with no PUBACK for the oversized packet");
            }
        }
        assertServerStillServes();
    }

    @Test
    void mqtt5ClientsExceedingReceiveMaximumAreDisconnected() throws Exception {
        try (MqttWire w = connected(5, "flood-v5")) {
            List<byte[]> burst = new ArrayList<>();
            for (int i = 1; i <= RECEIVE_MAXIMUM + 1; i++) {
                burst.add(MqttWire.publish(5, device.readings(), 1, i, Devices.batch("rm-" + i)));
            }
            w.send(burst.toArray(new byte[0][]));
            MqttWire.Packet p;
            while ((p = w.read()) != null && p.type() == MqttWire.PUBACK) {
                // acknowledgements of the publishes within the limit may arrive first
            }
            assertNotNull(p);
            assertEquals(MqttWire.DISCONNECT, p.type());
            assertEquals(0x93, p.disconnectReason(), "receive maximum exceeded (MQTT 5 §3.3.4)");
        }
        assertServerStillServes();
    }

    @Test
    void mqtt311ClientsSendingMoreThanTheLimitAreSlowedNotDroppedAndAcknowledgedInOrder()
            throws Exception {
        int n = RECEIVE_MAXIMUM * 5;
        try (MqttWire w = connected(4, "flood-v3")) {
            List<byte[]> burst = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                burst.add(
                        MqttWire.publish(4, device.readings(), 1, i, Devices.batch("order-" + i)));
            }
            w.send(burst.toArray(new byte[0][]));
            for (int i = 1; i <= n; i++) {
                MqttWire.Packet ack = w.read();
                assertEquals(MqttWire.PUBACK, ack.type());
                assertEquals(
                        i,
                        ack.packetId(),
                        "PUBACKs leave in the order the publishes came (MQTT 3.1.1 §4.6)");
            }
        }
    }

    @Test
    void aConnectionPublishingFasterThanTheRateIsEnded() throws Exception {
        for (int version : new int[] {4, 5}) {
            try (MqttWire w = connected(version, "rate-" + version)) {
                byte[][] flood = new byte[PUBLISHES_PER_SECOND * 2][];
                for (int i = 0; i < flood.length; i++) {
                    flood[i] =
                            MqttWire.publish(
                                    version,
                                    device.readings(),
                                    0,
                                    0,
                                    Devices.batch("flood-" + version + "-" + i));
                }
                // the publishes before the limit are each journaled first, which a loaded machine
                // can make slow: wait longer than the default for the disconnect
                w.timeout(60_000);
                w.send(flood);
                MqttWire.Packet p = w.read();
                if (version == 5) {
                    assertEquals(MqttWire.DISCONNECT, p.type());
                    assertEquals(0x96, p.disconnectReason(), "message rate too high");
                    p = w.read();
                }
                assertNull(p, "closed");
            }
        }
        assertServerStillServes();
    }

    @Test
    void aSilentConnectionIsClosedAfterOneAndAHalfKeepAlives() throws Exception {
        try (MqttWire w = new MqttWire(port)) {
            w.send(MqttWire.connect(4, "sleepy", device.id(), device.secret(), 1));
            assertEquals(0, w.read().connackCode());
            long start = System.nanoTime();
            assertTrue(w.closedByServer());
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 1000 && millis < 5000, "closed after " + millis + " ms");
        }
        try (MqttWire w = new MqttWire(port)) {
            w.send(MqttWire.connect(4, "awake", device.id(), device.secret(), 1));
            assertEquals(0, w.read().connackCode());
            for (int i = 0; i < 6; i++) { // 3 s in all, well past the 2 s a silent connection gets
                // kept sleep: the time passing between pings is what is tested
                Thread.sleep(500);
                w.send(MqttWire.pingreq());
                assertEquals(MqttWire.PINGRESP, w.read().type(), "pinging keeps it open");
            }
        }
    }

    @Test
    void aConnectionThatNeverCompletesItsConnectIsClosed() throws Exception {
        try (MqttWire silent = new MqttWire(port)) {
            long start = System.nanoTime();
            assertTrue(silent.closedByServer(), "nothing sent at all");
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5000);
        }
        byte[] connect = MqttWire.connect(5, "slow", device.id(), device.secret(), 30);
        try (MqttWire trickle = new MqttWire(port)) {
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < connect.length - 1 && !closed; i++) {
                try {
                    trickle.send(new byte[] {connect[i]});
                    // kept sleep: a client this slow is what is tested
                    Thread.sleep(100);
                } catch (java.io.IOException e) {
                    closed = true;
                }
            }
            assertTrue(
                    closed || trickle.closedByServer(),
                    "a CONNECT trickling in byte by byte is cut off");
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 5000);
        }
        assertServerStillServes();
    }

    @Test
    void theSameClientIdTakesOverTheOlderConnection() throws Exception {
        try (PahoV5 first = PahoV5.create(port, "watch");
                PahoV5 second = PahoV5.create(port, "watch")) {
            first.connect(device);
            second.connect(device);
            assertEquals(
                    0x8E,
                    first.disconnected.get(5, TimeUnit.SECONDS).getReturnCode(),
                    "session taken over");
            assertEquals(0, second.publish(device.readings(), Devices.batch("after-takeover"), 1));
        }
        try (PahoV3 first = PahoV3.create(port, "watch3");
                PahoV3 second = PahoV3.create(port, "watch3")) {
            first.connect(device);
            second.connect(device);
            assertNotNull(first.lost.get(5, TimeUnit.SECONDS));
            assertTrue(second.client.isConnected());
        }
    }

    @Test
    void aDeviceHoldsAtMostItsConnectionLimit() throws Exception {
        Devices.Device d = Devices.register(gw);
        try (PahoV5 a = PahoV5.create(port, "a");
                PahoV5 b = PahoV5.create(port, "b");
                PahoV5 c = PahoV5.create(port, "c");
                PahoV3 c3 = PahoV3.create(port, "c3")) {
            a.connect(d);
            b.connect(d);
            assertEquals(0x97, c.connect(PahoV5.options(d.id(), d.secret())), "quota exceeded");
            assertEquals(
                    5, c3.connect(PahoV3.options(d.id(), d.secret())), "3.1.1: not authorized");
            try (PahoV5 other = PahoV5.create(port, "a")) {
                other.connect(device);
                assertTrue(
                        other.client.isConnected(), "the limit is per device; client ids are too");
            }
            a.client.disconnect().waitForCompletion(PahoV5.WAIT_MILLIS);
            Poll.until(
                    "a slot to free up", () -> c.connect(PahoV5.options(d.id(), d.secret())) == 0);
            IMqttToken t = c.client.publish(d.readings(), Devices.batch("after-quota"), 1, false);
            t.waitForCompletion(PahoV5.WAIT_MILLIS);
        }
    }
}

package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed framing over raw sockets, the cases behind known MQTT server CVEs: each closes only its
 * own connection, and a bystander connection and new clients are served afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MqttHostilePacketsTest {

    @TempDir static Path dataDir;
    GatewayFixture gw;
    int port;
    Devices.Device device;
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
        bystanderDevice =
                Devices.register(
                        gw); // its own device, so the hostile clients' connection limit is not its
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
        // one client id: each takes over the last
        return MqttWire.connected(port, version, "hostile", device, 60);
    }

    @Test
    void aFiveByteRemainingLengthClosesTheConnection() throws Exception {
        // CVE-2026-21888 class: a Variable Byte Integer has at most four bytes (MQTT 5 §1.5.5)
        try (MqttWire w = new MqttWire(port)) {
            w.send(new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01});
            assertTrue(w.closedByServer(), "before CONNECT");
        }
        for (int version : new int[] {4, 5}) {
            try (MqttWire w = connected(version)) {
                w.send(new byte[] {0x32, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});
                assertTrue(w.closedByServer(), "after CONNECT, MQTT level " + version);
            }
        }
    }

    @Test
    void aRemainingLengthLargerThanTheBytesSentCostsNothingWhenTheClientGoesAway()
            throws Exception {
        // CVE-2026-25627 class: declared 200 bytes, sent 20, then gone
        try (MqttWire w = new MqttWire(port)) {
            byte[] header = {0x10, (byte) 0xC8, 0x01};
            w.send(header, new byte[20]);
        }
        try (MqttWire w = connected(5)) {
            w.send(
                    MqttWire.publish(
                            5, device.readings(), 1, 1, Devices.batch("before-truncation")));
            assertEquals(MqttWire.PUBACK, w.read().type());
            byte[] whole = MqttWire.publish(5, device.readings(), 1, 2, Devices.batch("truncated"));
            w.send(java.util.Arrays.copyOf(whole, whole.length / 2));
        }
        Poll.until("the acknowledged reading stored", () -> stored("before-truncation"));
        Poll.until("journal drained", () -> gw.gateway().journal().pendingReadings() == 0);
        assertTrue(!stored("truncated"), "half a packet is never taken for a whole one");
    }

    @Test
    void aFirstPacketThatIsNotConnectClosesTheConnectionUnanswered() throws Exception {
        // CVE-2023-0809 class; MQTT 5 §3.1 [MQTT-3.1.0-1]
        byte[][] firsts = {
            MqttWire.publish(4, device.readings(), 1, 1, Devices.batch("no-connect")),
            MqttWire.pingreq(),
            MqttWire.subscribe(4, 1, device.responses()),
            MqttWire.disconnect(),
            {0x20, 0x02, 0x00, 0x00},
        };
        for (byte[] first : firsts) {
            try (MqttWire w = new MqttWire(port)) {
                w.send(first);
                assertNull(w.read(), "closed without an answer");
            }
        }
    }

    @Test
    void aConnectOneByteOverTheMaximumIsRefusedFromItsHeaderAlone() throws Exception {
        // 262,145 bytes with the fixed header (1 + 3 + 262,141): closed before the body is awaited
        try (MqttWire w = new MqttWire(port)) {
            w.send(new byte[] {0x10, (byte) 0xFD, (byte) 0xFF, 0x0F});
            w.timeout(3000);
            assertTrue(w.closedByServer());
        }
    }

    @Test
    void severalPacketsInOneWriteAreAllProcessedInOrder() throws Exception {
        // netty#16776: a decoder fix once broke buffers holding several packets
        for (int version : new int[] {4, 5}) {
            Devices.Device fresh =
                    Devices.register(
                            gw); // not cached: CONNECT waits for PBKDF2 with the rest queued
            try (MqttWire w = new MqttWire(port)) {
                w.send(
                        MqttWire.connect(version, "pipelined", fresh.id(), fresh.secret(), 60),
                        MqttWire.publish(version, fresh.readings(), 1, 1, Devices.batch("p1")),
                        MqttWire.publish(version, fresh.readings(), 0, 0, Devices.batch("p2")),
                        MqttWire.publish(version, fresh.readings(), 1, 3, Devices.batch("p3")),
                        MqttWire.pingreq(),
                        MqttWire.publish(version, fresh.readings(), 1, 5, Devices.batch("p5")));
                assertEquals(0, w.read().connackCode());
                int nextAck = 0;
                int[] expected = {1, 3, 5};
                boolean pong = false;
                for (int i = 0; i < 4; i++) {
                    MqttWire.Packet p = w.read();
                    if (p.type() == MqttWire.PINGRESP) {
                        pong = true;
                    } else {
                        assertEquals(MqttWire.PUBACK, p.type());
                        assertEquals(expected[nextAck++], p.packetId(), "in order");
                        assertEquals(0, p.pubAckReason());
                    }
                }
                assertTrue(pong);
                assertEquals(3, nextAck);
            }
            for (String r : new String[] {"p1", "p2", "p3", "p5"}) {
                Poll.until(r + " stored", () -> stored(fresh, r));
            }
        }
    }

    @Test
    void aSecondConnectIsAProtocolErrorThatClosesTheConnection() throws Exception {
        try (MqttWire w = connected(5)) {
            w.send(MqttWire.connect(5, "again", device.id(), device.secret(), 60));
            assertTrue(w.closedByServer());
        }
    }

    @Test
    void reservedTypesAndAcknowledgementsOfNothingCloseTheConnection() throws Exception {
        // type 0 is reserved; 15 is reserved in 3.1.1 and AUTH in 5 (no enhanced authentication was
        // agreed);
        // PUBACK, PUBREC, PUBREL and PUBCOMP answer flows this server never opens
        byte[][] bad = {
            {0x00, 0x00},
            {(byte) 0xF0, 0x00},
            {0x40, 0x02, 0x00, 0x01},
            {0x50, 0x02, 0x00, 0x01},
            {0x62, 0x02, 0x00, 0x01},
            {0x70, 0x02, 0x00, 0x01}
        };
        for (int version : new int[] {4, 5}) {
            for (byte[] packet : bad) {
                try (MqttWire w = connected(version)) {
                    w.send(packet);
                    assertTrue(
                            w.closedByServer(),
                            "type " + ((packet[0] & 0xFF) >> 4) + " at level " + version);
                }
            }
        }
    }

    @Test
    void randomBytesAfterConnectNeverHurtTheServer() throws Exception {
        long seed = 4417;
        Random random = new Random(seed);
        for (int i = 0; i < 50; i++) {
            byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            try (MqttWire w = connected(i % 2 == 0 ? 4 : 5)) {
                w.send(garbage);
            }
        }
        // the assertion is the bystander's, after each test: served old and new connections (seed
        // 4417 replays it)
    }

    private boolean stored(String readingId) {
        return stored(device, readingId);
    }

    private boolean stored(Devices.Device d, String readingId) {
        try {
            return gw.stored(d.id(), readingId);
        } catch (Exception e) {
            return false;
        }
    }
}

package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A well-behaved device connected before hostile clients act and checked after: proof that they
 * closed only their own connections and the server still serves, both old connections and new.
 */
final class Bystander implements AutoCloseable {

    private final int port;
    private final Devices.Device device;
    private final MqttWire wire;
    private int packetId;

    Bystander(int port, Devices.Device device) throws Exception {
        this.port = port;
        this.device = device;
        this.wire = MqttWire.connected(port, 5, "bystander", device, 60);
    }

    /** The bystander's connection still publishes, and a new connection can be made and used. */
    void assertServed(String readingId) throws Exception {
        int id = ++packetId;
        wire.send(MqttWire.publish(5, device.readings(), 1, id, Devices.batch(readingId)));
        MqttWire.Packet ack = wire.read();
        assertEquals(MqttWire.PUBACK, ack.type(), "the bystander's own connection is untouched");
        assertEquals(id, ack.packetId());
        assertEquals(0, ack.pubAckReason());
        try (MqttWire fresh = new MqttWire(port)) {
            fresh.send(
                    MqttWire.connect(4, "newcomer", device.id(), device.secret(), 60),
                    MqttWire.pingreq());
            assertEquals(0, fresh.read().connackCode(), "new connections are accepted");
            assertEquals(MqttWire.PINGRESP, fresh.read().type());
        }
    }

    @Override
    public void close() throws Exception {
        wire.close();
    }
}

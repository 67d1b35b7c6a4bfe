package org.jkn.telemetry.gateway.mqtt;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * MQTT packets built byte by byte, for what a well-behaved client library would never send, and a
 * raw connection that reads the server's answers packet by packet. Every packet builder returns the
 * exact bytes on the wire, fixed header included.
 */
final class MqttWire implements AutoCloseable {

    static final int CONNACK = 2;
    static final int PUBLISH = 3;
    static final int PUBACK = 4;
    static final int SUBACK = 9;
    static final int PINGRESP = 13;
    static final int DISCONNECT = 14;

    /** One packet read from the server: its type, flags and the bytes after the fixed header. */
    record Packet(int type, int flags, byte[] body) {
        int byteAt(int i) {
            return body[i] & 0xFF;
        }

        /** PUBACK: the packet id. */
        int packetId() {
            return (byteAt(0) << 8) | byteAt(1);
        }

        /** PUBACK (MQTT 5): the reason code, 0 when left out (§3.4.2.1). */
        int pubAckReason() {
            return body.length > 2 ? byteAt(2) : 0;
        }

        /** CONNACK: the return / reason code. */
        int connackCode() {
            return byteAt(1);
        }

        /** DISCONNECT (MQTT 5): the reason code, 0 when left out. */
        int disconnectReason() {
            return body.length > 0 ? byteAt(0) : 0;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    MqttWire(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    /** Over a socket the caller opened, e.g. a TLS one. */
    MqttWire(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /**
     * A connection that sent CONNECT (clean start) with the device's credentials and was accepted
     * with CONNACK 0.
     */
    static MqttWire connected(
            int port, int version, String clientId, Devices.Device device, int keepAlive)
            throws IOException {
        MqttWire w = new MqttWire(port);
        w.send(connect(version, clientId, device.id(), device.secret(), keepAlive));
        Packet connack = w.read();
        if (connack == null || connack.type() != CONNACK || connack.connackCode() != 0) {
            w.close();
            throw new AssertionError(
                    "CONNECT of "
                            + clientId
                            + " not accepted: "
                            + (connack == null
                                    ? "connection closed"
                                    : connack.type() != CONNACK
                                            ? "packet type " + connack.type()
                                            : "CONNACK " + connack.connackCode()));
        }
        return w;
    }

    void send(byte[]... packets) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            all.writeBytes(p);
        }
        out.write(all.toByteArray());
        out.flush();
    }

    /** The next packet, or null when the server closed the connection. */
    Packet read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int length = 0;
        int multiplier = 1;
        int b;
        do {
            b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a fixed header");
            }
            length += (b & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((b & 0x80) != 0);
        byte[] body = in.readNBytes(length);
        if (body.length < length) {
            throw new EOFException("connection closed inside a packet");
        }
        return new Packet(first >> 4, first & 0x0F, body);
    }

    /**
     * True when the server closes the connection within the socket timeout, whatever it sends
     * first.
     */
    boolean closedByServer() throws IOException {
        try {
            while (read() != null) {
                // drain until the end of the stream
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ---- packet builders ----

    static byte[] connect(
            int version, String clientId, String user, String password, int keepAlive) {
        return connect(version, clientId, user, password, keepAlive, null);
    }

    /** CONNECT, clean session / clean start, optionally with a Will at QoS 1. */
    static byte[] connect(
            int version,
            String clientId,
            String user,
            String password,
            int keepAlive,
            String willTopic) {
        return connect(version, clientId, user, password, keepAlive, willTopic, 1);
    }

    static byte[] connect(
            int version,
            String clientId,
            String user,
            String password,
            int keepAlive,
            String willTopic,
            int willQos) {
        return connect(
                version == 3 ? "MQIsdp" : "MQTT",
                version,
                clientId,
                user,
                password,
                keepAlive,
                willTopic,
                willQos,
                new byte[0]);
    }

    /** An MQTT 5 CONNECT carrying the given encoded properties. */
    static byte[] connect5WithProperties(
            String clientId, String user, String password, byte[] properties) {
        return connect("MQTT", 5, clientId, user, password, 60, null, 0, properties);
    }

    private static byte[] connect(
            String protocolName,
            int version,
            String clientId,
            String user,
            String password,
            int keepAlive,
            String willTopic,
            int willQos,
            byte[] properties) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes(string(protocolName));
        v.write(version);
        int flags = 0x02;
        if (user != null) {
            flags |= 0x80;
        }
        if (password != null) {
            flags |= 0x40;
        }
        if (willTopic != null) {
            flags |= 0x04 | (willQos << 3);
        }
        v.write(flags);
        v.write(keepAlive >> 8);
        v.write(keepAlive & 0xFF);
        if (version == 5) {
            v.write(properties.length);
            v.writeBytes(properties);
        }
        v.writeBytes(string(clientId));
        if (willTopic != null) {
            if (version == 5) {
                v.write(0);
            }
            v.writeBytes(string(willTopic));
            v.writeBytes(string("offline"));
        }
        if (user != null) {
            v.writeBytes(string(user));
        }
        if (password != null) {
            v.writeBytes(string(password));
        }
        return packet(0x10, v.toByteArray());
    }

    static byte[] publish(int version, String topic, int qos, int packetId, byte[] payload) {
        return publishRawTopic(
                version, topic.getBytes(StandardCharsets.UTF_8), qos, packetId, payload);
    }

    /** PUBLISH with the topic given as raw bytes (they need not be valid UTF-8). */
    static byte[] publishRawTopic(
            int version, byte[] topic, int qos, int packetId, byte[] payload) {
        return publish(version, topic, qos, packetId, new byte[0], payload);
    }

    /**
     * PUBLISH with MQTT 5 properties given as their encoded bytes (without the length, added here).
     */
    static byte[] publish(
            int version, byte[] topic, int qos, int packetId, byte[] properties, byte[] payload) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(topic.length >> 8);
        v.write(topic.length & 0xFF);
        v.writeBytes(topic);
        if (qos > 0) {
            v.write(packetId >> 8);
            v.write(packetId & 0xFF);
        }
        if (version == 5) {
            v.write(properties.length);
            v.writeBytes(properties);
        }
        v.writeBytes(payload);
        return packet(0x30 | (qos << 1), v.toByteArray());
    }

    static byte[] subscribe(int version, int packetId, String filter) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(packetId >> 8);
        v.write(packetId & 0xFF);
        if (version == 5) {
            v.write(0);
        }
        v.writeBytes(string(filter));
        v.write(1);
        return packet(0x82, v.toByteArray());
    }

    static byte[] pingreq() {
        return new byte[] {(byte) 0xC0, 0};
    }

    static byte[] disconnect() {
        return new byte[] {(byte) 0xE0, 0};
    }

    /** A fixed header (type and flags, then the Remaining Length) followed by the body. */
    static byte[] packet(int typeAndFlags, byte[] body) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(typeAndFlags);
        int n = body.length;
        do {
            int digit = n % 128;
            n /= 128;
            p.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        p.writeBytes(body);
        return p.toByteArray();
    }

    static byte[] string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[b.length + 2];
        out[0] = (byte) (b.length >> 8);
        out[1] = (byte) b.length;
        System.arraycopy(b, 0, out, 2, b.length);
        return out;
    }
}

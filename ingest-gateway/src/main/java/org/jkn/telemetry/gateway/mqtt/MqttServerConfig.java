package org.jkn.telemetry.gateway.mqtt;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the embedded MQTT server, validated eagerly (a bad value is refused, never clamped).
 *
 * @param host address both listeners bind
 * @param port plain listener port; 0 picks a free one; {@link #DISABLED} turns it off
 * @param tlsPort TLS listener port (0 picks a free one), used when a certificate is configured
 * @param tlsCert PEM certificate chain, or null for no TLS listener
 * @param tlsKey PEM private key, required with {@code tlsCert}
 * @param maxPacketBytes largest packet accepted, fixed header included (MQTT 5 Maximum Packet Size)
 * @param receiveMaximum unacknowledged QoS 1 publishes allowed per connection (MQTT 5 Receive
 *     Maximum)
 * @param maxConnectionsPerDevice live connections one device may hold at once
 * @param connectTimeout time from TCP connect to a complete CONNECT packet
 * @param maxPublishesPerSecond publishes one connection may send per second, in bursts of as many;
 *     0: no limit
 */
public record MqttServerConfig(
        String host,
        int port,
        int tlsPort,
        Path tlsCert,
        Path tlsKey,
        int maxPacketBytes,
        int receiveMaximum,
        int maxConnectionsPerDevice,
        Duration connectTimeout,
        int maxPublishesPerSecond) {

    public static final int DISABLED = -1;

    /** Smallest sensible limit: a CONNECT with a device id, a secret and a client id fits. */
    public static final int MIN_PACKET_BYTES = 256;

    /** MQTT's own ceiling: a 4-byte Remaining Length (268,435,455) plus a 5-byte fixed header. */
    public static final int MAX_PACKET_BYTES = 268_435_460;

    public MqttServerConfig {
        if (port < DISABLED || port > 65535) {
            throw new IllegalArgumentException(
                    "MQTT port must be 0-65535 or disabled, got " + port);
        }
        if (tlsPort < 0 || tlsPort > 65535) {
            throw new IllegalArgumentException("MQTT TLS port must be 0-65535, got " + tlsPort);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException(
                    "the MQTT TLS listener needs both a certificate and a key");
        }
        if (maxPacketBytes < MIN_PACKET_BYTES || maxPacketBytes > MAX_PACKET_BYTES) {
            throw new IllegalArgumentException(
                    "MQTT maximum packet size must be "
                            + MIN_PACKET_BYTES
                            + "-"
                            + MAX_PACKET_BYTES);
        }
        if (receiveMaximum < 1 || receiveMaximum > 65535) {
            throw new IllegalArgumentException(
                    "MQTT receive maximum must be 1-65535 (MQTT 5 §3.2.2.3.3)");
        }
        if (maxConnectionsPerDevice < 1) {
            throw new IllegalArgumentException("MQTT connections per device must be >= 1");
        }
        if (maxPublishesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "MQTT publishes per second must be >= 0 (0: no limit)");
        }
        if (connectTimeout.isNegative()
                || connectTimeout.isZero()
                || connectTimeout.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("MQTT connect timeout must be positive");
        }
    }

    public boolean plainEnabled() {
        return port != DISABLED;
    }

    public boolean tlsEnabled() {
        return tlsCert != null;
    }
}

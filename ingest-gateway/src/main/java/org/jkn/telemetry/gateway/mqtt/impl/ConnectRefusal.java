package org.jkn.telemetry.gateway.mqtt.impl;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import java.util.Locale;

/**
 * Why a CONNECT is refused, with its CONNACK code in each protocol version (MQTT 5 §3.2.2.2, MQTT
 * 3.1.1 §3.2.2.3). 3.1.1 has six codes, so several reasons share one there.
 */
enum ConnectRefusal {
    /** Unknown device, wrong secret, or no username or password. */
    BAD_CREDENTIALS(
            MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD,
            MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USER_NAME_OR_PASSWORD),
    /** An MQTT 5 Authentication Method: enhanced authentication is not offered (§4.12). */
    BAD_AUTHENTICATION_METHOD(
            MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD,
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED),
    /**
     * Right secret, revoked device; or a Will aimed at a topic that is not the device's own status
     * topic.
     */
    NOT_AUTHORIZED(
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED_5,
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED),
    /** A Will topic that is not a valid topic name (wildcards, {@code $}, empty, bad UTF-8). */
    WILL_TOPIC_INVALID(
            MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID,
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED),
    /** A Will at QoS 2, above the Maximum QoS of 1 (MQTT 5 §3.2.2.3.4). */
    QOS_NOT_SUPPORTED(
            MqttConnectReturnCode.CONNECTION_REFUSED_QOS_NOT_SUPPORTED,
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED),
    /** A client id longer than this server keeps (MQTT 5 §3.1.3.1 lets a Server limit it). */
    CLIENT_ID_INVALID(
            MqttConnectReturnCode.CONNECTION_REFUSED_CLIENT_IDENTIFIER_NOT_VALID,
            MqttConnectReturnCode.CONNECTION_REFUSED_IDENTIFIER_REJECTED),
    /** The device already holds its maximum number of connections. */
    QUOTA_EXCEEDED(
            MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED,
            MqttConnectReturnCode.CONNECTION_REFUSED_NOT_AUTHORIZED),
    /** Too many secrets are being verified at once; retrying later can help. */
    BUSY(
            MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY,
            MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE),
    /** The registry could not be asked (database away and the credentials not cached). */
    UNAVAILABLE(
            MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5,
            MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE);

    private final MqttConnectReturnCode v5;
    private final MqttConnectReturnCode v3;

    ConnectRefusal(MqttConnectReturnCode v5, MqttConnectReturnCode v3) {
        this.v5 = v5;
        this.v3 = v3;
    }

    MqttConnectReturnCode code(boolean mqtt5) {
        return mqtt5 ? v5 : v3;
    }

    /**
     * The stable code operators see in metrics: {@code bad-credentials}, {@code quota-exceeded}...
     */
    String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}

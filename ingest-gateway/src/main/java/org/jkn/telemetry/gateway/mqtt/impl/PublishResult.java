package org.jkn.telemetry.gateway.mqtt.impl;

import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import org.jkn.telemetry.normalizer.NormalizedBatch;

/**
 * What became of one PUBLISH, and how each protocol version is told. MQTT 5 carries it in the
 * PUBACK reason code (§3.4.2.1); a refused QoS 0 publish has no PUBACK, so the refusals that matter
 * end the connection with the same code in DISCONNECT (§3.14.2.1). MQTT 3.1.1 has no negative
 * acknowledgement: a publish is acknowledged, left unacknowledged, or its connection is closed
 * (§3.3.5: "either make a positive acknowledgement ... or close the Network Connection").
 */
enum PublishResult {
    /** The batch is in the journal (readings may have been rejected one by one). */
    STORED("stored", MqttPubAckReasonCode.SUCCESS, null, V3.ACK),
    /**
     * Not a batch (malformed JSON, no readings...): nothing kept, and resending cannot help. 3.1.1
     * acknowledges it so the device stops resending.
     */
    BATCH_INVALID("not-a-batch", MqttPubAckReasonCode.PAYLOAD_FORMAT_INVALID, null, V3.ACK),
    /** Another device's topic, a payload naming another patient or device, or a revoked device. */
    NOT_AUTHORIZED(
            "not-authorized",
            MqttPubAckReasonCode.NOT_AUTHORIZED,
            MqttDisconnectReasonCode.NOT_AUTHORIZED,
            V3.CLOSE),
    /** A topic reserved for the server ({@code $...}, {@code $share/...}). */
    TOPIC_NAME_INVALID(
            "topic-name-invalid",
            MqttPubAckReasonCode.TOPIC_NAME_INVALID,
            MqttDisconnectReasonCode.TOPIC_NAME_INVALID,
            V3.CLOSE),
    /**
     * The journal budget is spent: not stored, retry later. 3.1.1 gets no PUBACK and resends on
     * reconnect (§4.4).
     */
    QUOTA_EXCEEDED("journal-full", MqttPubAckReasonCode.QUOTA_EXCEEDED, null, V3.SILENT),
    /** The disk is nearly full: not stored, retry later; as {@link #QUOTA_EXCEEDED}. */
    DISK_LOW("disk-low", MqttPubAckReasonCode.QUOTA_EXCEEDED, null, V3.SILENT),
    /** The journal append failed: not stored, retry later. */
    FAILED("internal-error", MqttPubAckReasonCode.UNSPECIFIED_ERROR, null, V3.CLOSE);

    /** What MQTT 3.1.1 does in place of a reason code. */
    enum V3 {
        ACK,
        SILENT,
        CLOSE
    }

    /**
     * The stable code a device sees (Reason String, response body); batch errors use the
     * normalizer's own.
     */
    final String code;

    final MqttPubAckReasonCode pubAck;

    /** For QoS 0 under MQTT 5: the DISCONNECT reason, or null when the refusal is only counted. */
    final MqttDisconnectReasonCode qos0Disconnect;

    final V3 v3;

    PublishResult(
            String code,
            MqttPubAckReasonCode pubAck,
            MqttDisconnectReasonCode qos0Disconnect,
            V3 v3) {
        this.code = code;
        this.pubAck = pubAck;
        this.qos0Disconnect = qos0Disconnect;
        this.v3 = v3;
    }

    static PublishResult of(NormalizedBatch batch) {
        if (batch.error() == null) {
            return STORED;
        }
        return switch (batch.error()) {
            case PATIENT_MISMATCH, DEVICE_MISMATCH -> NOT_AUTHORIZED;
            default -> BATCH_INVALID;
        };
    }
}

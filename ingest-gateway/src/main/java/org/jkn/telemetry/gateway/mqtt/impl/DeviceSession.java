package org.jkn.telemetry.gateway.mqtt.impl;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Context;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import java.util.ArrayDeque;
import java.util.Locale;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.ingest.IngestRefusal;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.normalizer.BatchSource;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.normalizer.NormalizedBatch;
import org.jkn.telemetry.store.device.RegisteredDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted connection of a registered device: checks each PUBLISH against the device's own
 * topic, queues it, ingests the queue one batch at a time on a worker thread (so acknowledgements
 * leave in the order the publishes came, as MQTT 5 §4.6 requires) and acknowledges each only after
 * its batch is in the journal.
 *
 * <p>Flow control: at most {@code receiveMaximum} QoS 1 publishes may await their PUBACK; an MQTT 5
 * client sending more is disconnected with 0x93 (§3.3.4). Beyond that many queued publishes of any
 * QoS, reading from the socket pauses until the queue drains, which bounds memory for 3.1.1 clients
 * (which have no Receive Maximum) and for QoS 0 floods. With a publish rate configured, a
 * connection publishing faster is ended (MQTT 5: 0x96 Message rate too high).
 *
 * <p>Confined to its connection's Vert.x context, except {@link #revoke} and {@link #takenOver},
 * which hop onto it.
 */
final class DeviceSession {

    private static final Logger log = LoggerFactory.getLogger(DeviceSession.class);

    private record Pending(
            int messageId,
            MqttQoS qos,
            byte[] payload,
            boolean wantsResponse,
            byte[] correlation,
            PublishResult preset) {}

    private final MqttEndpoint endpoint;
    private final RegisteredDevice device;
    private final BatchSource source;
    private final String clientId;
    private final boolean v5;
    private final DeviceTopics topics;
    private final Context context;
    private final NetSocketInternal socket;
    private final BatchIngest ingest;
    private final int receiveMaximum;
    private final Metrics metrics;
    private final PublishRate rate;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Responses responses;
    private int awaitingPubAck;
    private boolean working;
    private boolean paused;
    private boolean open = true;
    private volatile boolean revoked;

    DeviceSession(
            MqttEndpoint endpoint,
            RegisteredDevice device,
            String clientId,
            Context context,
            NetSocketInternal socket,
            BatchIngest ingest,
            int receiveMaximum,
            int maxPublishesPerSecond,
            Metrics metrics) {
        this.endpoint = endpoint;
        this.device = device;
        this.source =
                new BatchSource(
                        device.patientId(),
                        new DeviceInfo(device.id(), device.manufacturer(), device.model()));
        this.clientId = clientId;
        this.v5 = endpoint.protocolVersion() == 5;
        this.topics = new DeviceTopics(device.id());
        this.context = context;
        this.socket = socket;
        this.ingest = ingest;
        this.receiveMaximum = receiveMaximum;
        this.metrics = metrics;
        this.rate =
                maxPublishesPerSecond == 0
                        ? null
                        : new PublishRate(maxPublishesPerSecond, System.nanoTime());
        this.responses = new Responses(endpoint, topics.responses());
    }

    String deviceId() {
        return device.id();
    }

    String clientId() {
        return clientId;
    }

    Responses responses() {
        return responses;
    }

    // hot path: every PUBLISH of the connection, on its event loop
    void onPublish(MqttPublishMessage m) {
        if (!open) {
            return;
        }
        MqttQoS qos = m.qosLevel();
        if (!withinLimits(qos)) {
            return;
        }
        MqttProperties props = m.properties();
        if (v5 && props.getProperty(MqttProperties.TOPIC_ALIAS) != null) {
            // CONNACK announced no Topic Alias Maximum, i.e. 0 (MQTT 5 §3.3.2.3.4)
            end(MqttDisconnectReasonCode.TOPIC_ALIAS_INVALID);
            return;
        }
        PublishResult refusal;
        switch (topics.classify(m.topicName())) {
            case OWN_READINGS -> refusal = null;
            case RESERVED -> refusal = PublishResult.TOPIC_NAME_INVALID;
            case FOREIGN, OWN_RESPONSES, OWN_STATUS -> refusal = PublishResult.NOT_AUTHORIZED;
            case MALFORMED -> {
                end(MqttDisconnectReasonCode.MALFORMED_PACKET);
                return;
            }
            default -> {
                // empty without a Topic Alias (§3.3.2.3.4), or wildcards in a topic name
                // ([MQTT-3.3.2-2])
                end(MqttDisconnectReasonCode.PROTOCOL_ERROR);
                return;
            }
        }
        String responseTopic = v5 ? Responses.responseTopic(props) : null;
        if (refusal == null && responseTopic != null && !responseTopic.equals(topics.responses())) {
            refusal = PublishResult.NOT_AUTHORIZED;
        }
        enqueue(m, qos, responseTopic != null, props, refusal);
        drain();
    }

    /**
     * False once the connection is ended for a publish over the rate, at QoS 2, or beyond Receive
     * Maximum; true otherwise, a QoS 1 publish then counted as awaiting its PUBACK.
     */
    private boolean withinLimits(MqttQoS qos) {
        if (rate != null && !rate.tryAcquire(System.nanoTime())) {
            end(MqttDisconnectReasonCode.MESSAGE_RATE_TOO_HIGH);
            return false;
        }
        if (qos == MqttQoS.EXACTLY_ONCE) {
            // CONNACK announced Maximum QoS 1 (MQTT 5 §3.2.2.3.4); 3.1.1 has no way to say so:
            // close
            end(MqttDisconnectReasonCode.QOS_NOT_SUPPORTED);
            return false;
        }
        if (qos == MqttQoS.AT_LEAST_ONCE) {
            if (v5 && awaitingPubAck >= receiveMaximum) {
                end(MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
                return false;
            }
            awaitingPubAck++;
        }
        return true;
    }

    /** Queues the publish; beyond {@code receiveMaximum} queued, stops reading the socket. */
    private void enqueue(
            MqttPublishMessage m,
            MqttQoS qos,
            boolean wantsResponse,
            MqttProperties props,
            PublishResult refusal) {
        byte[] payload = refusal == null ? m.payload().getBytes() : null;
        queue.add(
                new Pending(
                        m.messageId(),
                        qos,
                        payload,
                        wantsResponse,
                        Responses.correlation(props),
                        refusal));
        if (queue.size() > receiveMaximum && !paused) {
            paused = true;
            socket.pause();
        }
    }

    private void drain() {
        IngestRefusal refusal;
        while (!working) {
            Pending p = queue.poll();
            if (p == null) {
                return;
            }
            if (paused && queue.size() <= receiveMaximum) {
                paused = false;
                socket.resume();
            }
            if (p.preset != null) {
                finish(p, p.preset, null);
            } else if (revoked) {
                finish(p, PublishResult.NOT_AUTHORIZED, null);
            } else if ((refusal = ingest.refusal()) != null) {
                finish(
                        p,
                        refusal == IngestRefusal.DISK_LOW
                                ? PublishResult.DISK_LOW
                                : PublishResult.QUOTA_EXCEEDED,
                        null);
            } else {
                working = true;
                context.executeBlocking(
                                () -> revoked ? null : ingest.ingest(p.payload, source), false)
                        .onComplete(
                                ar -> {
                                    working = false;
                                    if (ar.failed()) {
                                        log.error(
                                                "an MQTT batch could not be journaled and was not acknowledged: {}",
                                                ar.cause().getClass().getName());
                                        finish(p, PublishResult.FAILED, null);
                                    } else if (ar.result() == null) {
                                        finish(p, PublishResult.NOT_AUTHORIZED, null);
                                    } else {
                                        finish(p, PublishResult.of(ar.result()), ar.result());
                                    }
                                    drain();
                                });
            }
        }
    }

    private void finish(Pending p, PublishResult result, NormalizedBatch batch) {
        boolean qos1 = p.qos == MqttQoS.AT_LEAST_ONCE;
        if (qos1) {
            awaitingPubAck--;
        }
        if (!open) {
            return;
        }
        if (v5 && p.wantsResponse) {
            responses.send(outcome(result, batch), p.correlation);
        }
        if (qos1 && v5) {
            endpoint.publishAcknowledge(
                    p.messageId, result.pubAck, Responses.reason(endpoint, result, batch));
        } else if (qos1 && result.v3 == PublishResult.V3.ACK) {
            endpoint.publishAcknowledge(p.messageId);
        } else if ((qos1 && result.v3 == PublishResult.V3.CLOSE)
                || (!qos1 && result.qos0Disconnect != null)) {
            end(
                    result.qos0Disconnect != null
                            ? result.qos0Disconnect
                            : MqttDisconnectReasonCode.UNSPECIFIED_ERROR);
        }
    }

    private static JsonObject outcome(PublishResult result, NormalizedBatch batch) {
        if (batch != null) {
            return batch.error() == null
                    ? BatchIngest.acceptedBody(batch)
                    : BatchIngest.errorBody(batch.error().code(), batch.errorMessage());
        }
        return BatchIngest.errorBody(
                result.code,
                switch (result) {
                    case QUOTA_EXCEEDED -> IngestRefusal.JOURNAL_FULL.message();
                    case DISK_LOW -> IngestRefusal.DISK_LOW.message();
                    case NOT_AUTHORIZED -> "this device may not publish this";
                    case TOPIC_NAME_INVALID ->
                            "topics starting with $ are the server's; publish to devices/{id}/readings";
                    default -> "the batch could not be journaled and was not kept; retry later";
                });
    }

    /**
     * Ends the connection: MQTT 5 gets DISCONNECT with the reason first (§4.13), 3.1.1 is closed.
     */
    void end(MqttDisconnectReasonCode reason) {
        if (!open) {
            return;
        }
        open = false;
        if (!endpoint.isConnected()) {
            return;
        }
        metrics.mqttDisconnected(reason.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        if (v5) {
            endpoint.disconnect(reason, MqttProperties.NO_PROPERTIES);
        } else {
            endpoint.close();
        }
    }

    /**
     * The client sent DISCONNECT or the connection closed: write nothing more; queued batches are
     * still ingested.
     */
    void closed() {
        open = false;
    }

    /**
     * The device was revoked: nothing more is ingested and the connection ends with 0x87 Not
     * authorized.
     */
    void revoke() {
        revoked = true;
        context.runOnContext(v -> end(MqttDisconnectReasonCode.NOT_AUTHORIZED));
    }

    /**
     * A new connection with the same device and client id replaced this one (MQTT 5 §3.1.4, 0x8E).
     */
    void takenOver() {
        context.runOnContext(v -> end(MqttDisconnectReasonCode.SESSION_TAKEN_OVER));
    }
}

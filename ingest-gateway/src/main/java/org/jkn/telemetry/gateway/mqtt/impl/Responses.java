package org.jkn.telemetry.gateway.mqtt.impl;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import java.util.ArrayList;
import java.util.List;
import org.jkn.telemetry.normalizer.NormalizedBatch;

/**
 * The one thing this server ever sends a device besides acknowledgements: the outcome of its own
 * publishes, MQTT 5 request/response style (§4.10). The device subscribes to {@code
 * devices/{id}/responses} and names it as Response Topic; each outcome (the JSON the HTTP API
 * answers) is published there at QoS 0 with the request's Correlation Data. Every other
 * subscription is refused: 0x87 Not authorized on MQTT 5, 0x80 Failure on 3.1.1 (which has no
 * Response Topic, so nothing would ever arrive).
 *
 * <p>Confined to the connection's context.
 */
final class Responses {

    private static final String CONTENT_TYPE = "application/json";

    private final MqttEndpoint endpoint;
    private final String topic;
    private final boolean v5;
    private final long clientMaxPacketBytes;
    private boolean subscribed;

    Responses(MqttEndpoint endpoint, String topic) {
        this.endpoint = endpoint;
        this.topic = topic;
        this.v5 = endpoint.protocolVersion() == 5;
        MqttProperties.MqttProperty<?> max =
                endpoint.connectProperties().getProperty(MqttProperties.MAXIMUM_PACKET_SIZE);
        this.clientMaxPacketBytes =
                max == null ? Long.MAX_VALUE : Integer.toUnsignedLong((Integer) max.value());
    }

    void onSubscribe(MqttSubscribeMessage s) {
        if (!v5) {
            List<MqttQoS> refused = new ArrayList<>();
            for (int i = 0; i < s.topicSubscriptions().size(); i++) {
                refused.add(MqttQoS.FAILURE);
            }
            endpoint.subscribeAcknowledge(s.messageId(), refused);
            return;
        }
        List<MqttSubAckReasonCode> codes = new ArrayList<>();
        for (MqttTopicSubscription sub : s.topicSubscriptions()) {
            if (topic.equals(sub.topicName())) {
                subscribed = true;
                // responses go out at QoS 0 whatever was asked: the Server may grant less (MQTT 5
                // §3.9.3)
                codes.add(MqttSubAckReasonCode.GRANTED_QOS0);
            } else {
                codes.add(MqttSubAckReasonCode.NOT_AUTHORIZED);
            }
        }
        endpoint.subscribeAcknowledge(s.messageId(), codes, MqttProperties.NO_PROPERTIES);
    }

    void onUnsubscribe(MqttUnsubscribeMessage u) {
        if (!v5) {
            endpoint.unsubscribeAcknowledge(u.messageId());
            return;
        }
        List<MqttUnsubAckReasonCode> codes = new ArrayList<>();
        for (String t : u.topics()) {
            boolean ours = subscribed && topic.equals(t);
            subscribed &= !ours;
            codes.add(
                    ours
                            ? MqttUnsubAckReasonCode.SUCCESS
                            : MqttUnsubAckReasonCode.NO_SUBSCRIPTION_EXISTED);
        }
        endpoint.unsubscribeAcknowledge(u.messageId(), codes, MqttProperties.NO_PROPERTIES);
    }

    /**
     * Publishes the outcome when the device subscribed, unless it exceeds the client's Maximum
     * Packet Size (§3.1.2.11.4: then it is discarded).
     */
    void send(JsonObject outcome, byte[] correlation) {
        if (!subscribed) {
            return;
        }
        Buffer payload = outcome.toBuffer();
        long size =
                5L
                        + 2
                        + topic.length()
                        + 4
                        + 3
                        + CONTENT_TYPE.length()
                        + 2
                        + (correlation == null ? 0 : 3 + correlation.length)
                        + payload.length();
        if (size > clientMaxPacketBytes) {
            return;
        }
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, CONTENT_TYPE));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.PAYLOAD_FORMAT_INDICATOR, 1));
        if (correlation != null) {
            props.add(
                    new MqttProperties.BinaryProperty(
                            MqttProperties.CORRELATION_DATA, correlation));
        }
        endpoint.publish(topic, payload, MqttQoS.AT_MOST_ONCE, false, false, 0, props);
    }

    static String responseTopic(MqttProperties props) {
        MqttProperties.MqttProperty<?> p = props.getProperty(MqttProperties.RESPONSE_TOPIC);
        return p == null ? null : (String) p.value();
    }

    static byte[] correlation(MqttProperties props) {
        MqttProperties.MqttProperty<?> p = props.getProperty(MqttProperties.CORRELATION_DATA);
        return p == null ? null : (byte[]) p.value();
    }

    /**
     * A Reason String naming the stable code of a refusal, unless the client asked for no problem
     * information, in which case a PUBACK must not carry one ([MQTT-3.1.2-29]).
     */
    static MqttProperties reason(
            MqttEndpoint endpoint, PublishResult result, NormalizedBatch batch) {
        if (result == PublishResult.STORED) {
            return MqttProperties.NO_PROPERTIES;
        }
        MqttProperties.MqttProperty<?> wanted =
                endpoint.connectProperties()
                        .getProperty(MqttProperties.REQUEST_PROBLEM_INFORMATION);
        if (wanted != null && Integer.valueOf(0).equals(wanted.value())) {
            return MqttProperties.NO_PROPERTIES;
        }
        String code = batch != null && batch.error() != null ? batch.error().code() : result.code;
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, code));
        return props;
    }
}

package org.jkn.telemetry.gateway.mqtt.impl;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import java.util.UUID;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.mqtt.MqttServerConfig;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.store.device.AuthResult;
import org.jkn.telemetry.store.device.DeviceRegistry;
import org.jkn.telemetry.store.device.RegisteredDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each CONNECT: MQTT 3.1.1 or 5 only; username = device id, password = secret; a Will only
 * on the device's own {@code devices/{id}/status}; at most the configured connections per device, a
 * same client id taking over its older session. Anything wrong gets a refusing CONNACK with its
 * code and the connection is closed; nothing else happens.
 *
 * <p>Credentials verified within the cache TTL are accepted at once on the event loop; others are
 * checked on a worker thread (PBKDF2), with the socket paused meanwhile so packets the client sent
 * right behind its CONNECT (MQTT 5 §3.1.4 allows it) wait for the CONNACK instead of being refused.
 */
final class ConnectHandler implements Handler<MqttEndpoint> {

    private static final Logger log = LoggerFactory.getLogger(ConnectHandler.class);
    private static final int MQTT_3_1_1 = 4;
    private static final int MQTT_5 = 5;
    private static final int MAX_CLIENT_ID_LENGTH = 128;

    private final DeviceRegistry registry;
    private final RawConnections raw;
    private final SessionTable sessions;
    private final BatchIngest ingest;
    private final MqttServerConfig config;
    private final Metrics metrics;

    ConnectHandler(
            DeviceRegistry registry,
            RawConnections raw,
            SessionTable sessions,
            BatchIngest ingest,
            MqttServerConfig config,
            Metrics metrics) {
        this.registry = registry;
        this.raw = raw;
        this.sessions = sessions;
        this.ingest = ingest;
        this.config = config;
        this.metrics = metrics;
    }

    @Override
    public void handle(MqttEndpoint endpoint) {
        RawConnections.Raw connection = raw.of(endpoint);
        if (connection == null) {
            return; // the client is already gone: there is no one to answer
        }
        int version = endpoint.protocolVersion();
        if (version != MQTT_3_1_1 && version != MQTT_5) {
            // MQTT 3.1 ("MQIsdp") and anything else: 0x01 unacceptable protocol version (3.1.1
            // §3.2.2.3)
            metrics.mqttConnectRefused("unacceptable-protocol-version");
            endpoint.reject(MqttConnectReturnCode.CONNECTION_REFUSED_UNACCEPTABLE_PROTOCOL_VERSION);
            return;
        }
        connection.guard().mqtt5(version == MQTT_5);
        if (version == MQTT_5
                && endpoint.connectProperties().getProperty(MqttProperties.AUTHENTICATION_METHOD)
                        != null) {
            // enhanced authentication (MQTT 5 §4.12) is not offered: username and password only
            refuse(endpoint, ConnectRefusal.BAD_AUTHENTICATION_METHOD);
            return;
        }
        MqttAuth auth = endpoint.auth();
        if (auth == null || auth.getUsername() == null || auth.getPassword() == null) {
            refuse(endpoint, ConnectRefusal.BAD_CREDENTIALS);
            return;
        }
        String deviceId = auth.getUsername();
        String secret = auth.getPassword();
        // fast path first: a device reconnecting within the cache TTL costs one SHA-256
        RegisteredDevice cached = registry.cached(deviceId, secret);
        if (cached != null) {
            admit(endpoint, connection, cached);
            return;
        }
        connection.socket().pause();
        Context context = Vertx.currentContext();
        context.executeBlocking(() -> registry.authenticate(deviceId, secret), false)
                .onComplete(
                        ar -> {
                            if (!connection.socket().channelHandlerContext().channel().isActive()) {
                                return;
                            }
                            if (ar.failed()) {
                                log.warn(
                                        "device authentication failed: {}",
                                        ar.cause().getClass().getName());
                                refuse(endpoint, ConnectRefusal.UNAVAILABLE);
                                return;
                            }
                            AuthResult result = ar.result();
                            switch (result.outcome()) {
                                case ACCEPTED -> admit(endpoint, connection, result.device());
                                case REVOKED -> refuse(endpoint, ConnectRefusal.NOT_AUTHORIZED);
                                case BUSY -> refuse(endpoint, ConnectRefusal.BUSY);
                                default -> refuse(endpoint, ConnectRefusal.BAD_CREDENTIALS);
                            }
                            connection.socket().resume();
                        });
    }

    private void admit(
            MqttEndpoint endpoint, RawConnections.Raw connection, RegisteredDevice device) {
        boolean v5 = endpoint.protocolVersion() == MQTT_5;
        ConnectRefusal willRefusal = checkWill(endpoint.will(), device, v5);
        if (willRefusal != null) {
            refuse(endpoint, willRefusal);
            return;
        }
        if (registry.isRevoked(device.id())) {
            refuse(endpoint, ConnectRefusal.NOT_AUTHORIZED);
            return;
        }
        String clientId = endpoint.clientIdentifier();
        boolean assigned = clientId == null || clientId.isEmpty();
        if (assigned) {
            // MQTT 5 §3.1.3.1 and 3.1.1 §3.1.3.1 (clean session): the Server assigns one
            clientId = "auto-" + UUID.randomUUID();
        } else if (clientId.length() > MAX_CLIENT_ID_LENGTH) {
            refuse(endpoint, ConnectRefusal.CLIENT_ID_INVALID);
            return;
        }
        DeviceSession session = newSession(endpoint, connection, device, clientId);
        SessionTable.Admission admission = sessions.admit(session);
        if (!admission.admitted()) {
            refuse(endpoint, ConnectRefusal.QUOTA_EXCEEDED);
            return;
        }
        handlePackets(endpoint, session);
        endpoint.accept(
                false, v5 ? connack(assigned ? clientId : null) : MqttProperties.NO_PROPERTIES);
        if (admission.replaced() != null) {
            admission.replaced().takenOver();
        }
        if (registry.isRevoked(device.id())) {
            // revoked while this CONNECT was being checked: the revocation's own sweep may have
            // missed it
            session.revoke();
        }
    }

    private DeviceSession newSession(
            MqttEndpoint endpoint,
            RawConnections.Raw connection,
            RegisteredDevice device,
            String clientId) {
        return new DeviceSession(
                endpoint,
                device,
                clientId,
                Vertx.currentContext(),
                connection.socket(),
                ingest,
                config.receiveMaximum(),
                config.maxPublishesPerSecond(),
                metrics);
    }

    /** Hands the admitted connection's packets to its session. */
    private void handlePackets(MqttEndpoint endpoint, DeviceSession session) {
        endpoint.publishAutoAck(false);
        endpoint.subscriptionAutoAck(false);
        endpoint.publishHandler(session::onPublish);
        endpoint.subscribeHandler(session.responses()::onSubscribe);
        endpoint.unsubscribeHandler(session.responses()::onUnsubscribe);
        // on DISCONNECT Vert.x itself closes the connection, as MQTT 5 §3.14.4 asks
        endpoint.disconnectHandler(v -> session.closed());
        endpoint.closeHandler(
                v -> {
                    session.closed();
                    sessions.remove(session);
                });
        // this server never publishes at QoS 1 or 2 and takes no QoS 2, so no acknowledgement flow
        // can be open: one arriving, or an AUTH without a method agreed at CONNECT, is a Protocol
        // Error
        endpoint.publishAcknowledgeHandler(
                id -> session.end(MqttDisconnectReasonCode.PROTOCOL_ERROR));
        endpoint.publishReceivedHandler(id -> session.end(MqttDisconnectReasonCode.PROTOCOL_ERROR));
        endpoint.publishReleaseHandler(id -> session.end(MqttDisconnectReasonCode.PROTOCOL_ERROR));
        endpoint.publishCompletionHandler(
                id -> session.end(MqttDisconnectReasonCode.PROTOCOL_ERROR));
        endpoint.authenticationExchangeHandler(
                auth -> session.end(MqttDisconnectReasonCode.PROTOCOL_ERROR));
        endpoint.exceptionHandler(t -> {});
    }

    /**
     * Null when the Will is absent or allowed: only the device's own status topic, at QoS 0 or 1.
     */
    private static ConnectRefusal checkWill(MqttWill will, RegisteredDevice device, boolean v5) {
        if (will == null || !will.isWillFlag()) {
            return null;
        }
        if (v5 && will.getWillQos() > 1) {
            return ConnectRefusal.QOS_NOT_SUPPORTED;
        }
        return switch (new DeviceTopics(device.id()).classify(will.getWillTopic())) {
            case OWN_STATUS -> null;
            case OWN_READINGS, OWN_RESPONSES, FOREIGN -> ConnectRefusal.NOT_AUTHORIZED;
            default -> ConnectRefusal.WILL_TOPIC_INVALID;
        };
    }

    /** What an MQTT 5 client must know about this server (§3.2.2.3). */
    private MqttProperties connack(String assignedClientId) {
        MqttProperties p = new MqttProperties();
        p.add(
                new MqttProperties.IntegerProperty(
                        MqttProperties.RECEIVE_MAXIMUM, config.receiveMaximum()));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_QOS, 1));
        p.add(
                new MqttProperties.IntegerProperty(
                        MqttProperties.MAXIMUM_PACKET_SIZE, config.maxPacketBytes()));
        // sessions are not kept: every publish is acknowledged or refused while its connection
        // lives
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, 0));
        if (assignedClientId != null) {
            p.add(
                    new MqttProperties.StringProperty(
                            MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, assignedClientId));
        }
        return p;
    }

    private void refuse(MqttEndpoint endpoint, ConnectRefusal refusal) {
        metrics.mqttConnectRefused(refusal.code());
        endpoint.reject(refusal.code(endpoint.protocolVersion() == MQTT_5));
    }
}

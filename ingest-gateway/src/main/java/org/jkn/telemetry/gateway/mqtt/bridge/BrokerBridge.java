package org.jkn.telemetry.gateway.mqtt.bridge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.ingest.IngestRefusal;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.normalizer.BatchSource;
import org.jkn.telemetry.normalizer.DeviceInfo;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.jkn.telemetry.store.device.RegisteredDevice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-out mode: this gateway instance takes its share of {@code devices/+/readings} from an
 * external MQTT 5 broker (EMQX, HiveMQ, Mosquitto) through the shared subscription {@code
 * $share/{group}/devices/+/readings}, with a persistent session (Clean Start 0, a long Session
 * Expiry) under a client id stable per instance, at QoS 1 with manual acknowledgement.
 *
 * <p>Each delivery takes the same path as {@code POST /v1/readings} and the embedded server's
 * PUBLISH: normalize, append to this instance's journal, and only then PUBACK to the broker. The
 * broker has authenticated the device; the device id is the topic's middle level and the patient
 * comes from the device registry. What each delivery becomes:
 *
 * <ul>
 *   <li>stored, or not a batch / naming another patient or device (the normalizer's whole-batch
 *       errors, counted by code): PUBACK. Resending cannot change the outcome.
 *   <li>a device the registry does not know, or a revoked one: counted in {@code
 *       telemetry_batches_refused_total{reason="device-unknown"|"device-revoked"}}, nothing
 *       journaled, then PUBACK. No registration will ever make it valid, and leaving it
 *       unacknowledged would hold one of the session's in-flight slots for ever.
 *   <li>journal full, journal append failed, registry unreachable: not acknowledged. The delivery
 *       is retried in place with a growing pause (counted in {@code
 *       telemetry_broker_deliveries_deferred_total}); meanwhile the broker sends this instance
 *       nothing past its Receive Maximum. If the instance stops first, the broker delivers it again
 *       when the same client id resumes the session (MQTT 5 §4.4). Valid data is never acknowledged
 *       without being in the journal.
 * </ul>
 *
 * <p>Threading: deliveries are handled one at a time on Paho's callback thread, in the order the
 * broker sent them, so acknowledgements go back in that order (MQTT 5 §4.6). One instance ingests
 * serially; throughput grows with instances in the group. {@link #start} blocks until the first
 * connection and subscription are made; {@link #close} until disconnected.
 */
public final class BrokerBridge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BrokerBridge.class);

    /**
     * A week: long enough to outlive a restart or a redeploy; past it the broker may redistribute.
     */
    static final long SESSION_EXPIRY_SECONDS = 7L * 24 * 3600;

    /**
     * Unacknowledged deliveries the broker may have out to one instance; stranded there if it dies,
     * until it resumes.
     */
    static final int RECEIVE_MAXIMUM = 32;

    private static final long WAIT_MILLIS = 30_000;
    private static final long MAX_RETRY_PAUSE_MILLIS = 5_000;
    private static final String PREFIX = "devices/";
    private static final String SUFFIX = "/readings";

    private final BrokerBridgeConfig config;
    private final MqttAsyncClient client;
    private final DeviceDirectory directory;
    private final BatchIngest ingest;
    private final Metrics metrics;
    private volatile boolean closed;

    private BrokerBridge(
            BrokerBridgeConfig config,
            MqttAsyncClient client,
            DeviceDirectory directory,
            BatchIngest ingest,
            Metrics metrics) {
        this.config = config;
        this.client = client;
        this.directory = directory;
        this.ingest = ingest;
        this.metrics = metrics;
    }

    public static BrokerBridge start(
            BrokerBridgeConfig config,
            DeviceDirectory directory,
            BatchIngest ingest,
            Metrics metrics)
            throws IOException {
        MqttAsyncClient client;
        try {
            // Memory persistence suffices: this client only receives, and the broker keeps the
            // session
            client =
                    new MqttAsyncClient(
                            config.brokerUrl(), config.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException(
                    "the broker client could not be created (reason " + e.getReasonCode() + ")");
        }
        client.setManualAcks(true);
        BrokerBridge bridge = new BrokerBridge(config, client, directory, ingest, metrics);
        client.setCallback(bridge.new Callback());
        try {
            client.connect(bridge.options()).waitForCompletion(WAIT_MILLIS);
            bridge.subscribe();
        } catch (MqttException e) {
            bridge.close();
            throw new IOException(
                    "the MQTT broker "
                            + config.brokerUrl()
                            + " refused or could not be reached (reason "
                            + e.getReasonCode()
                            + ")");
        }
        log.info(
                "subscribed to {} at {} as one of the group",
                "$share/<group>/devices/+/readings",
                config.brokerUrl());
        return bridge;
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(false);
        o.setSessionExpiryInterval(SESSION_EXPIRY_SECONDS);
        o.setReceiveMaximum(RECEIVE_MAXIMUM);
        o.setAutomaticReconnect(true);
        o.setAutomaticReconnectDelay(1, 30);
        o.setKeepAliveInterval(30);
        o.setConnectionTimeout(10);
        if (config.username() != null) {
            o.setUserName(config.username());
        }
        if (config.password() != null) {
            o.setPassword(config.password().getBytes(StandardCharsets.UTF_8));
        }
        return o;
    }

    private void subscribe() throws MqttException {
        // Re-subscribing on every connection is harmless with a resumed session and needed with a
        // fresh one
        IMqttToken t = client.subscribe(new MqttSubscription(config.sharedTopicFilter(), 1));
        t.waitForCompletion(WAIT_MILLIS);
        int[] codes = t.getReasonCodes();
        if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
            throw new MqttException(codes[0]);
        }
    }

    /** True while connected to the broker. */
    public boolean connected() {
        return client.isConnected();
    }

    /**
     * Handles one delivery; returns only once it may be acknowledged, or when closing (then it must
     * not be).
     */
    private boolean handle(String topic, MqttMessage message) {
        long pause = 100;
        boolean deferredOnce = false;
        while (!closed) {
            String outcome = tryHandle(topic, message.getPayload());
            if (outcome == null) {
                return true;
            }
            if (!deferredOnce) {
                deferredOnce = true;
                metrics.deliveryDeferred(outcome);
                log.warn(
                        "a broker delivery was not acknowledged ({}); retrying until it is journaled",
                        outcome);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(MAX_RETRY_PAUSE_MILLIS, pause * 2);
        }
        return false;
    }

    /**
     * Null when the delivery may be acknowledged, else the code of the transient failure that
     * prevents it.
     */
    private String tryHandle(String topic, byte[] payload) {
        String deviceId = deviceId(topic);
        if (deviceId == null) {
            // the subscription admits only devices/+/readings; anything else is the broker's
            // mistake
            metrics.batchRefused("topic-name-invalid");
            return null;
        }
        DeviceDirectory.Entry entry;
        try {
            entry = directory.find(deviceId);
        } catch (SQLException e) {
            return "registry-unavailable";
        } catch (CryptoFailure e) {
            if (CryptoFailure.KEYS_UNAVAILABLE.equals(e.code())) {
                return "registry-unavailable";
            }
            // the registration's sealed attributes do not open (altered, or the patient was just
            // erased): no retry helps
            log.error(
                    "a device registration cannot be opened ({}); its delivery is dropped",
                    e.code());
            metrics.batchRefused("device-unreadable");
            return null;
        }
        if (entry == null || entry.revoked()) {
            metrics.batchRefused(entry == null ? "device-unknown" : "device-revoked");
            return null;
        }
        IngestRefusal refusal = ingest.refusal();
        if (refusal != null) {
            return refusal.code();
        }
        RegisteredDevice d = entry.device();
        try {
            ingest.ingest(
                    payload,
                    new BatchSource(
                            d.patientId(), new DeviceInfo(d.id(), d.manufacturer(), d.model())));
        } catch (RuntimeException e) {
            log.error("a broker delivery could not be journaled: {}", e.getClass().getName());
            return "journal-failed";
        }
        return null;
    }

    /** The middle level of {@code devices/{id}/readings}, or null for any other topic. */
    static String deviceId(String topic) {
        if (topic == null
                || !topic.startsWith(PREFIX)
                || !topic.endsWith(SUFFIX)
                || topic.length() <= PREFIX.length() + SUFFIX.length()) {
            return null;
        }
        String id = topic.substring(PREFIX.length(), topic.length() - SUFFIX.length());
        return id.indexOf('/') >= 0 ? null : id;
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (client.isConnected()) {
                // leaves the session at the broker: what was not acknowledged comes back on the
                // next start
                client.disconnect(5_000).waitForCompletion(WAIT_MILLIS);
            }
        } catch (MqttException e) {
            try {
                client.disconnectForcibly(0, 1_000, false);
            } catch (MqttException ignored) {
                // closing anyway
            }
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            log.warn("the broker client did not close cleanly (reason {})", e.getReasonCode());
        }
    }

    private final class Callback implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            if (handle(topic, message) && message.getQos() > 0) {
                client.messageArrivedComplete(message.getId(), message.getQos());
            }
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            if (!reconnect) {
                return; // start() subscribes itself, and waits for it
            }
            log.info("reconnected to the MQTT broker");
            new Thread(
                            () -> {
                                try {
                                    subscribe();
                                } catch (MqttException e) {
                                    log.warn(
                                            "re-subscribing after a reconnection failed (reason {})",
                                            e.getReasonCode());
                                }
                            },
                            "broker-resubscribe")
                    .start();
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (!closed) {
                log.warn(
                        "disconnected from the MQTT broker (reason {}); reconnecting",
                        response.getReturnCode());
            }
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            log.warn("MQTT broker error (reason {})", exception.getReasonCode());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }
}

package org.jkn.telemetry.gateway.mqtt;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * An Eclipse Paho MQTT 5 client, with the server's DISCONNECT and any delivered messages
 * observable.
 */
public final class PahoV5 implements AutoCloseable {

    static final long WAIT_MILLIS = 10_000;

    public final MqttAsyncClient client;
    public final CompletableFuture<MqttDisconnectResponse> disconnected = new CompletableFuture<>();
    final BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();

    private PahoV5(String uri, String clientId) throws MqttException {
        client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        client.setCallback(
                new MqttCallback() {
                    @Override
                    public void disconnected(MqttDisconnectResponse response) {
                        disconnected.complete(response);
                    }

                    @Override
                    public void mqttErrorOccurred(MqttException exception) {}

                    @Override
                    public void messageArrived(String topic, MqttMessage message) {
                        received.add(message);
                    }

                    @Override
                    public void deliveryComplete(IMqttToken token) {}

                    @Override
                    public void connectComplete(boolean reconnect, String serverURI) {}

                    @Override
                    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
                });
    }

    public static PahoV5 create(int port, String clientId) throws MqttException {
        return new PahoV5("tcp://127.0.0.1:" + port, clientId);
    }

    static PahoV5 create(String uri, String clientId) throws MqttException {
        return new PahoV5(uri, clientId);
    }

    public static MqttConnectionOptions options(String user, String password) {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(30);
        o.setAutomaticReconnect(false);
        if (user != null) {
            o.setUserName(user);
        }
        if (password != null) {
            o.setPassword(password.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return o;
    }

    /**
     * Connects, returning the CONNACK code: 0 when accepted, -1 when it failed without one
     * (network, TLS).
     */
    public int connect(MqttConnectionOptions options) {
        try {
            client.connect(options).waitForCompletion(WAIT_MILLIS);
            return 0;
        } catch (MqttException e) {
            // Paho reports failures of its own (no CONNACK) as reason code 0
            return e.getReasonCode() == 0 ? -1 : e.getReasonCode();
        }
    }

    IMqttToken connect(Devices.Device d) throws MqttException {
        IMqttToken t = client.connect(options(d.id(), d.secret()));
        t.waitForCompletion(WAIT_MILLIS);
        return t;
    }

    /**
     * Publishes and waits for the PUBACK (QoS 1) or the send (QoS 0); returns the PUBACK reason
     * code.
     */
    int publish(String topic, byte[] payload, int qos) throws MqttException {
        return publish(topic, payload, qos, new MqttProperties());
    }

    int publish(String topic, byte[] payload, int qos, MqttProperties properties)
            throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(qos);
        m.setProperties(properties);
        IMqttToken t = client.publish(topic, m);
        try {
            t.waitForCompletion(WAIT_MILLIS);
        } catch (MqttException e) {
            if (e.getReasonCode() >= 0x80) {
                return e.getReasonCode();
            }
            throw e;
        }
        int[] codes = t.getReasonCodes();
        return codes == null || codes.length == 0 ? 0 : codes[0];
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnectForcibly(100, 1000, false);
        }
        client.close(true);
    }
}

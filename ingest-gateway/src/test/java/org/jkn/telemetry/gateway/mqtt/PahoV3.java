package org.jkn.telemetry.gateway.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * An Eclipse Paho MQTT 3.1.1 client as a device would use it, with its connection loss observable.
 */
final class PahoV3 implements AutoCloseable {

    static final long WAIT_MILLIS = 10_000;

    final MqttAsyncClient client;
    final CompletableFuture<Throwable> lost = new CompletableFuture<>();

    private PahoV3(String uri, String clientId) throws MqttException {
        client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        client.setCallback(
                new MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {
                        lost.complete(cause);
                    }

                    @Override
                    public void messageArrived(String topic, MqttMessage message) {}

                    @Override
                    public void deliveryComplete(IMqttDeliveryToken token) {}
                });
    }

    static PahoV3 create(int port, String clientId) throws MqttException {
        return new PahoV3("tcp://127.0.0.1:" + port, clientId);
    }

    static PahoV3 create(String uri, String clientId) throws MqttException {
        return new PahoV3(uri, clientId);
    }

    static MqttConnectOptions options(String user, String password) {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setCleanSession(true);
        o.setConnectionTimeout(10);
        o.setKeepAliveInterval(30);
        o.setAutomaticReconnect(false);
        if (user != null) {
            o.setUserName(user);
        }
        if (password != null) {
            o.setPassword(password.toCharArray());
        }
        return o;
    }

    /**
     * Connects, returning the CONNACK code: 0 when accepted, -1 when it failed without one
     * (network, TLS).
     */
    int connect(MqttConnectOptions options) {
        try {
            client.connect(options).waitForCompletion(WAIT_MILLIS);
            return 0;
        } catch (MqttException e) {
            // Paho reports failures of its own (no CONNACK) as reason code 0
            return e.getReasonCode() == 0 ? -1 : e.getReasonCode();
        }
    }

    void connect(Devices.Device d) throws MqttException {
        client.connect(options(d.id(), d.secret())).waitForCompletion(WAIT_MILLIS);
    }

    IMqttDeliveryToken publish(String topic, byte[] payload, int qos) throws MqttException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(qos);
        return client.publish(topic, m);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect(0).waitForCompletion(WAIT_MILLIS);
        }
        client.close(true);
    }
}

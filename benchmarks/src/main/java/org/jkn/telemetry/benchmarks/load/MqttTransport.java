package org.jkn.telemetry.benchmarks.load;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Wearables publishing heart-rate batches over MQTT 5 at QoS 1 (Eclipse Paho), one registered
 * device and connection per patient, as {@link DeviceSimulator} does: registered with {@code POST
 * /v1/devices}, connected with the device id and secret. The acknowledgement is the PUBACK, sent by
 * the gateway once the batch is in its journal.
 */
final class MqttTransport implements Transport {

    /**
     * The gateway's default TELEMETRY_MQTT_MAX_PACKET_BYTES; a larger publish would cost the
     * connection.
     */
    private static final int MAX_PACKET_BYTES = 262_144;

    private final List<HeartRateFeed> feeds;
    private final List<MqttAsyncClient> clients = new ArrayList<>();
    private final List<String> topics = new ArrayList<>();
    private final int batch;
    private final int inFlightPerDevice;

    /** Registers and connects one device per feed (each feed's patient has consented already). */
    MqttTransport(
            GatewayClient gateway,
            String adminToken,
            String mqttUrl,
            List<HeartRateFeed> feeds,
            int batch,
            int inFlightPerDevice,
            String runTag)
            throws Exception {
        this.feeds = feeds;
        this.batch = batch;
        this.inFlightPerDevice = inFlightPerDevice;
        for (int d = 0; d < feeds.size(); d++) {
            String[] cred =
                    gateway.registerDevice(
                            adminToken, feeds.get(d).nik(), "E2E-" + runTag + "-" + d);
            MqttAsyncClient c =
                    new MqttAsyncClient(
                            mqttUrl, "e2e-" + runTag + "-" + d, new MemoryPersistence());
            MqttConnectionOptions o = new MqttConnectionOptions();
            o.setUserName(cred[0]);
            o.setPassword(cred[1].getBytes(StandardCharsets.UTF_8));
            o.setCleanStart(true);
            o.setKeepAliveInterval(30);
            o.setAutomaticReconnect(
                    false); // a dropped connection should show as failures, not be papered over
            c.connect(o).waitForCompletion(60_000);
            clients.add(c);
            topics.add("devices/" + cred[0] + "/readings");
        }
    }

    @Override
    public byte[] nextBatch(int patient) {
        return feeds.get(patient).items(batch, false);
    }

    @Override
    public CompletableFuture<Outcome> send(int patient, byte[] payload) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        if (payload.length + 64 > MAX_PACKET_BYTES) {
            done.complete(
                    Outcome.failed(
                            "payload of "
                                    + payload.length
                                    + " bytes is above the gateway's packet limit; lower --batch"));
            return done;
        }
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        try {
            clients.get(patient)
                    .publish(
                            topics.get(patient),
                            m,
                            null,
                            new MqttActionListener() {
                                @Override
                                public void onSuccess(IMqttToken token) {
                                    int[] codes = token.getReasonCodes();
                                    int code = codes != null && codes.length > 0 ? codes[0] : 0;
                                    // PUBACK 0x00: journaled. Which single readings were rejected
                                    // only the Response Topic
                                    // would say; the summary takes the gateway's rejection counter
                                    // instead.
                                    done.complete(
                                            code < 0x80
                                                    ? Outcome.answered(batch, 0, null)
                                                    : refusal(code));
                                }

                                @Override
                                public void onFailure(IMqttToken token, Throwable e) {
                                    done.complete(
                                            e instanceof MqttException me
                                                            && me.getReasonCode() >= 0x80
                                                            && me.getReasonCode() <= 0xFF
                                                    ? refusal(me.getReasonCode())
                                                    : Outcome.failed(String.valueOf(e)));
                                }
                            });
        } catch (MqttException e) {
            done.complete(
                    Outcome.failed(
                            "not sent: " + e.getMessage())); // disconnected, or Paho's in-flight
            // window full
        }
        return done;
    }

    /**
     * PUBACK 0x97 (journal full) and the like carry no Retry-After: a device would wait a second,
     * as HTTP's answer says.
     */
    private static Outcome refusal(int code) {
        return Outcome.refused(String.format("PUBACK 0x%02X", code), 1000);
    }

    @Override
    public int maxInFlightPerPatient() {
        return inFlightPerDevice;
    }

    @Override
    public void close() {
        for (MqttAsyncClient c : clients) {
            try {
                c.disconnect().waitForCompletion(5_000);
                c.close();
            } catch (MqttException e) {
                // closing is best effort: the figures are taken already
            }
        }
    }
}

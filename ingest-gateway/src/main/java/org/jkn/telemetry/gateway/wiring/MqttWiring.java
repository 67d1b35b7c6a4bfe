package org.jkn.telemetry.gateway.wiring;

import io.vertx.core.Vertx;
import java.io.IOException;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.gateway.mqtt.MqttIngestServer;
import org.jkn.telemetry.gateway.mqtt.bridge.BrokerBridge;
import org.jkn.telemetry.gateway.mqtt.bridge.DeviceDirectory;
import org.jkn.telemetry.gateway.ops.Metrics;

/**
 * The MQTT edge: the embedded server devices connect to and, when MQTT_BROKER_URL is set, the
 * subscription to an external broker. Started in that order, closed in reverse.
 */
public final class MqttWiring {

    private final MqttIngestServer server;

    /** The external broker's subscription, or null when MQTT_BROKER_URL is empty. */
    private final BrokerBridge broker;

    private MqttWiring(MqttIngestServer server, BrokerBridge broker) {
        this.server = server;
        this.broker = broker;
    }

    /** Returns once the server's listeners are bound and the broker subscribed to. */
    public static MqttWiring start(
            Vertx vertx, GatewayConfig config, IngestWiring ingest, Metrics metrics)
            throws IOException {
        MqttIngestServer server =
                MqttIngestServer.start(
                        vertx, config.mqtt(), ingest.devices(), ingest.batchIngest(), metrics);
        BrokerBridge broker;
        try {
            broker =
                    config.broker() == null
                            ? null
                            : BrokerBridge.start(
                                    config.broker(),
                                    new DeviceDirectory(
                                            ingest.devices(), config.deviceAuthCacheTtl()),
                                    ingest.batchIngest(),
                                    metrics);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return new MqttWiring(server, broker);
    }

    /** The embedded server (its ports; {@code -1} for a listener that is off). */
    public MqttIngestServer server() {
        return server;
    }

    public void close() {
        if (broker != null) {
            // first: deliveries in hand are left unacknowledged for the broker to resend
            broker.close();
        }
        server.close();
    }
}

package org.jkn.telemetry.gateway.mqtt;

import io.vertx.core.Vertx;
import java.io.IOException;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.mqtt.impl.MqttIngestServerImpl;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.store.device.DeviceRegistry;

/**
 * The embedded MQTT server (3.1.1 and 5) through which registered devices publish readings.
 *
 * <p>A device connects with its id as username and its secret as password, publishes JSON batches
 * (the {@code POST /v1/readings} format, patient and device optional) to {@code
 * devices/{id}/readings} at QoS 0 or 1, and gets a PUBACK only once the batch is in the journal.
 * The server delivers nothing to anyone but the publishing device itself: an MQTT 5 device that
 * subscribes to {@code devices/{id}/responses} and names it as Response Topic gets the outcome of
 * each publish there. See docs/mqtt.md for every reason code.
 *
 * <p>{@link #start} blocks until the listeners are bound; {@link #close} until they are closed.
 */
public interface MqttIngestServer extends AutoCloseable {

    static MqttIngestServer start(
            Vertx vertx,
            MqttServerConfig config,
            DeviceRegistry registry,
            BatchIngest ingest,
            Metrics metrics)
            throws IOException {
        return MqttIngestServerImpl.start(vertx, config, registry, ingest, metrics);
    }

    /** Bound port of the plain listener, or -1 when it is disabled. */
    int port();

    /** Bound port of the TLS listener, or -1 when TLS is not configured. */
    int tlsPort();

    /** Live, accepted connections. */
    int connections();

    @Override
    void close();
}

package org.jkn.telemetry.gateway.mqtt.impl;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.mqtt.MqttIngestServer;
import org.jkn.telemetry.gateway.mqtt.MqttServerConfig;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.store.device.DeviceRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The plain and TLS listeners, sharing one connection handler and one session table. */
public final class MqttIngestServerImpl implements MqttIngestServer {

    private static final Logger log = LoggerFactory.getLogger(MqttIngestServerImpl.class);
    private static final long START_STOP_SECONDS = 30;

    private final MqttServer plain;
    private final MqttServer tls;
    private final SessionTable sessions;

    private MqttIngestServerImpl(MqttServer plain, MqttServer tls, SessionTable sessions) {
        this.plain = plain;
        this.tls = tls;
        this.sessions = sessions;
    }

    public static MqttIngestServer start(
            Vertx vertx,
            MqttServerConfig config,
            DeviceRegistry registry,
            BatchIngest ingest,
            Metrics metrics)
            throws IOException {
        RawConnections raw =
                new RawConnections(config.maxPacketBytes(), config.connectTimeout().toMillis());
        Vertx hooked = new HookedVertx((VertxInternal) vertx, raw);
        SessionTable sessions = new SessionTable(config.maxConnectionsPerDevice());
        ConnectHandler connects =
                new ConnectHandler(registry, raw, sessions, ingest, config, metrics);
        metrics.mqttConnections(sessions::size);
        registry.onRevoked(deviceId -> sessions.of(deviceId).forEach(DeviceSession::revoke));
        MqttServer plain = null;
        MqttServer tls = null;
        try {
            if (config.plainEnabled()) {
                plain = listen(hooked, options(config, false), connects);
            }
            if (config.tlsEnabled()) {
                tls = listen(hooked, options(config, true), connects);
            }
        } catch (IOException e) {
            closeQuietly(plain);
            throw e;
        }
        log.info(
                "MQTT listening on {} (plain: {}, TLS: {})",
                config.host(),
                plain == null ? "off" : plain.actualPort(),
                tls == null ? "off" : tls.actualPort());
        return new MqttIngestServerImpl(plain, tls, sessions);
    }

    private static MqttServerOptions options(MqttServerConfig config, boolean tls) {
        MqttServerOptions o =
                new MqttServerOptions()
                        .setHost(config.host())
                        .setPort(tls ? config.tlsPort() : config.port())
                        // Netty's limit counts the Remaining Length only; PacketGuard enforces the
                        // whole packet
                        .setMaxMessageSize(config.maxPacketBytes())
                        .setAutoClientId(false)
                        .setTimeoutOnConnect(
                                (int) Math.max(1, config.connectTimeout().toSeconds()));
        if (tls) {
            o.setSsl(true)
                    .setKeyCertOptions(
                            new PemKeyCertOptions()
                                    .setCertPath(config.tlsCert().toString())
                                    .setKeyPath(config.tlsKey().toString()));
        }
        return o;
    }

    private static MqttServer listen(
            Vertx vertx, MqttServerOptions options, ConnectHandler connects) throws IOException {
        MqttServer server =
                MqttServer.create(vertx, options)
                        .endpointHandler(connects)
                        // before CONNECT, errors are malformed packets: their text may quote the
                        // packet, so it is not logged
                        .exceptionHandler(t -> {});
        try {
            return server.listen()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(START_STOP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(
                    "interrupted while opening the MQTT port " + options.getPort(), e);
        } catch (Exception e) {
            throw new IOException(
                    "the MQTT port "
                            + options.getPort()
                            + " could not be opened: "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    public int port() {
        return plain == null ? -1 : plain.actualPort();
    }

    @Override
    public int tlsPort() {
        return tls == null ? -1 : tls.actualPort();
    }

    @Override
    public int connections() {
        return sessions.size();
    }

    @Override
    public void close() {
        closeQuietly(plain);
        closeQuietly(tls);
    }

    private static void closeQuietly(MqttServer server) {
        if (server == null) {
            return;
        }
        try {
            Future<Void> f = server.close();
            f.toCompletionStage().toCompletableFuture().get(START_STOP_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.warn("MQTT listener did not close cleanly: {}", e.getMessage());
        }
    }
}

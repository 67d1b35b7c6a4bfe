package org.jkn.telemetry.gateway.mqtt.impl;

import io.vertx.core.Handler;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxWrapper;
import io.vertx.core.internal.net.NetServerInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetServerOptions;

/**
 * The service's Vert.x, except that TCP servers created through it run {@code onConnect} on each
 * new connection before anyone else sees it.
 *
 * <p>Why: Vert.x's {@code MqttServer} offers no hook into a connection's Netty pipeline, and two
 * things must sit there: an exact packet-size and framing guard ({@link PacketGuard}) ahead of the
 * MQTT decoder, and access to the socket to pause reading while a device's secret is checked on a
 * worker thread. Verified against vertx-mqtt 5.1.1: {@code MqttServerImpl} creates its {@code
 * NetServer} with {@code createNetServer(options)} on the Vert.x it is given, and installs its
 * codec in front of the pipeline handler named {@code handler}. The MQTT tests fail if that
 * changes.
 */
final class HookedVertx extends VertxWrapper {

    private final Handler<NetSocketInternal> onConnect;

    HookedVertx(VertxInternal delegate, Handler<NetSocketInternal> onConnect) {
        super(delegate);
        this.onConnect = onConnect;
    }

    @Override
    public NetServerInternal createNetServer(NetServerOptions options) {
        return new HookedNetServer(delegate.createNetServer(options), onConnect);
    }
}

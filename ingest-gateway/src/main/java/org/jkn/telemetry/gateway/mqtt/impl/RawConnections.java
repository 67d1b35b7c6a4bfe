package org.jkn.telemetry.gateway.mqtt.impl;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.Handler;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.mqtt.MqttEndpoint;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TCP side of each MQTT connection: installs a {@link PacketGuard} as the connection opens and
 * keeps its socket, so that once Vert.x hands over the {@link MqttEndpoint} (which hides its
 * socket) the server can find both by the connection's addresses.
 *
 * <p>Thread-safe; entries leave when their channel closes.
 */
final class RawConnections implements Handler<NetSocketInternal> {

    /** A connection's socket (to pause and resume reading) and its guard. */
    record Raw(NetSocketInternal socket, PacketGuard guard) {}

    private final Map<String, Raw> open = new ConcurrentHashMap<>();
    private final int maxPacketBytes;
    private final long connectTimeoutMillis;

    RawConnections(int maxPacketBytes, long connectTimeoutMillis) {
        this.maxPacketBytes = maxPacketBytes;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    public void handle(NetSocketInternal socket) {
        PacketGuard guard = new PacketGuard(maxPacketBytes, connectTimeoutMillis);
        ChannelPipeline pipeline = socket.channelHandlerContext().pipeline();
        // ahead of "handler", Vert.x's own, before which vertx-mqtt then adds its codec: so raw
        // bytes reach the guard first
        pipeline.addBefore("handler", "mqtt-packet-guard", guard);
        // until CONNECT, errors (a malformed header) land here; never log them: their text can
        // quote the packet
        socket.exceptionHandler(t -> {});
        String key = key(socket.remoteAddress(), socket.localAddress());
        open.put(key, new Raw(socket, guard));
        socket.channelHandlerContext().channel().closeFuture().addListener(f -> open.remove(key));
    }

    /** The raw side of an accepted endpoint, or null when its connection has already closed. */
    Raw of(MqttEndpoint endpoint) {
        return open.get(key(endpoint.remoteAddress(), endpoint.localAddress()));
    }

    private static String key(SocketAddress remote, SocketAddress local) {
        return remote + ">" + local;
    }
}

package org.jkn.telemetry.gateway.mqtt.impl;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.net.NetServerInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.internal.tls.ServerSslContextProvider;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrafficShapingOptions;
import io.vertx.core.spi.metrics.Metrics;
import java.time.Duration;

/**
 * A {@link NetServerInternal} that runs a hook on each new connection, then hands it on; see {@link
 * HookedVertx}.
 */
final class HookedNetServer implements NetServerInternal {

    private final NetServerInternal delegate;
    private final Handler<NetSocketInternal> onConnect;

    HookedNetServer(NetServerInternal delegate, Handler<NetSocketInternal> onConnect) {
        this.delegate = delegate;
        this.onConnect = onConnect;
    }

    @Override
    public NetServerInternal connectHandler(Handler<NetSocket> handler) {
        delegate.connectHandler(
                so -> {
                    onConnect.handle((NetSocketInternal) so);
                    handler.handle(so);
                });
        return this;
    }

    @Override
    public Handler<NetSocket> connectHandler() {
        return delegate.connectHandler();
    }

    @Override
    public NetServerInternal exceptionHandler(Handler<Throwable> handler) {
        delegate.exceptionHandler(handler);
        return this;
    }

    @Override
    public Future<NetServer> listen() {
        return delegate.listen();
    }

    @Override
    public Future<NetServer> listen(SocketAddress localAddress) {
        return delegate.listen(localAddress);
    }

    @Override
    public Future<NetServer> listen(ContextInternal context, SocketAddress localAddress) {
        return delegate.listen(context, localAddress);
    }

    @Override
    public Future<Void> shutdown(Duration timeout) {
        return delegate.shutdown(timeout);
    }

    @Override
    public int actualPort() {
        return delegate.actualPort();
    }

    @Override
    public Future<Boolean> updateSSLOptions(ServerSSLOptions options, boolean force) {
        return delegate.updateSSLOptions(options, force);
    }

    @Override
    public Future<Boolean> updateTrafficShapingOptions(TrafficShapingOptions options) {
        return delegate.updateTrafficShapingOptions(options);
    }

    @Override
    public ServerSslContextProvider sslContextProvider() {
        return delegate.sslContextProvider();
    }

    @Override
    public int sniEntrySize() {
        return delegate.sniEntrySize();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public Metrics getMetrics() {
        return delegate.getMetrics();
    }

    @Override
    public boolean isMetricsEnabled() {
        return delegate.isMetricsEnabled();
    }
}

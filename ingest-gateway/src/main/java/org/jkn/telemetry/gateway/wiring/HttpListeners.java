package org.jkn.telemetry.gateway.wiring;

import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain HTTP and the HTTPS listener serving one router, each off when so configured. A listener
 * that did open before another failed to is closed with Vert.x.
 */
public final class HttpListeners {

    private static final Logger log = LoggerFactory.getLogger(HttpListeners.class);

    private final String host;

    /** The plain HTTP listener, or null when it is off. */
    private final HttpServer server;

    /** The HTTPS listener, or null when it is off. */
    private final HttpServer tlsServer;

    private HttpListeners(String host, HttpServer server, HttpServer tlsServer) {
        this.host = host;
        this.server = server;
        this.tlsServer = tlsServer;
    }

    /** Opens the plain listener, then the HTTPS one; returns once both are bound. */
    public static HttpListeners listen(Vertx vertx, Router router, GatewayConfig config)
            throws Exception {
        HttpServer server =
                config.httpPort() == GatewayConfig.DISABLED
                        ? null
                        : listen(vertx, router, httpOptions(config).setPort(config.httpPort()));
        HttpServer tlsServer =
                config.httpTls().enabled() ? listen(vertx, router, httpsOptions(config)) : null;
        return new HttpListeners(config.httpHost(), server, tlsServer);
    }

    private static HttpServerOptions httpOptions(GatewayConfig config) {
        // the same header budget for HTTP/1.1 and HTTP/2 (h2c upgrade, TLS ALPN): room for a bearer
        // token of TokenVerifier.MAX_TOKEN_CHARS with the other headers
        return new HttpServerOptions()
                .setHost(config.httpHost())
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setInitialSettings(new Http2Settings().setMaxHeaderListSize(16384));
    }

    private static HttpServerOptions httpsOptions(GatewayConfig config) {
        GatewayConfig.HttpTls tls = config.httpTls();
        return httpOptions(config)
                .setPort(tls.port())
                .setSsl(true)
                .setUseAlpn(true)
                .setKeyCertOptions(
                        new PemKeyCertOptions()
                                .setCertPath(tls.cert().toString())
                                .setKeyPath(tls.key().toString()));
    }

    private static HttpServer listen(Vertx vertx, Router router, HttpServerOptions options)
            throws Exception {
        return vertx.createHttpServer(options)
                .requestHandler(router)
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    /** The plain HTTP port, or -1 when that listener is off. */
    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    /** The HTTPS port, or -1 when that listener is off. */
    public int tlsPort() {
        return tlsServer == null ? -1 : tlsServer.actualPort();
    }

    /** The listeners' URLs, each followed by a space; empty for a listener that is off. */
    public String urls() {
        return (server == null ? "" : "http://" + host + ":" + server.actualPort() + " ")
                + (tlsServer == null ? "" : "https://" + host + ":" + tlsServer.actualPort() + " ");
    }

    /** Closes the plain listener, then the HTTPS one. */
    public void close() {
        for (HttpServer s : new HttpServer[] {server, tlsServer}) {
            if (s == null) {
                continue;
            }
            try {
                s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("HTTP server did not close cleanly: {}", e.getMessage());
            }
        }
    }
}

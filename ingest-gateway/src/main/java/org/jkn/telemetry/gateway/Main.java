package org.jkn.telemetry.gateway;

import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the gateway with configuration from the environment; stops it cleanly on SIGTERM/Ctrl-C. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // Before any Chronicle class loads: health data never goes to Chronicle's usage analytics.
        System.setProperty("chronicle.analytics.disable", "true");
        Logger log = LoggerFactory.getLogger(Main.class);
        GatewayConfig config;
        try {
            config = GatewayConfig.fromEnvironment();
        } catch (IllegalArgumentException e) {
            log.error("configuration error: {}", e.getMessage());
            System.exit(2);
            return;
        }
        try {
            Gateway gateway = Gateway.start(config);
            Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "shutdown"));
        } catch (Exception e) {
            log.error("start-up failed: {}", e.getMessage(), e);
            System.exit(1);
        }
    }
}

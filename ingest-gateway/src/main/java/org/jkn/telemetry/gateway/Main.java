package org.jkn.telemetry.gateway;

import java.io.IOException;
import java.util.Arrays;
import org.jkn.telemetry.gateway.auth.dev.DevTokenCommand;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the gateway with configuration from the environment; stops it cleanly on SIGTERM/Ctrl-C.
 * {@code token ...} prints a development token instead ({@link DevTokenCommand}).
 */
public final class Main {

    private Main() {}

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
        if (args.length > 0 && args[0].equals("token")) {
            try {
                System.out.println(
                        DevTokenCommand.run(Arrays.copyOfRange(args, 1, args.length), config));
            } catch (IllegalArgumentException | IOException e) {
                System.err.println(e.getMessage());
                System.exit(2);
            }
            return;
        }
        if (args.length > 0) {
            System.err.println(
                    "usage: java -jar ingest-gateway.jar [token ...]; " + DevTokenCommand.USAGE);
            System.exit(2);
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

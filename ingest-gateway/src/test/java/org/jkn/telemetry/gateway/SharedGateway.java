package org.jkn.telemetry.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jkn.telemetry.gateway.config.GatewayConfig;

/**
 * The gateway shared by the test classes of a test JVM that need nothing but the default
 * configuration (dev profile, embedded PostgreSQL): starting one costs seconds of a loaded machine,
 * and these classes keep to patients and devices of their own, so one serves them all. Surefire
 * runs a module's test classes one after another in one reused JVM, so no two classes use it at
 * once.
 *
 * <p>Thread-safe. The first call starts it in a temporary data directory; a shutdown hook stops it
 * and deletes that directory when the JVM exits. A start that fails is tried again by the next
 * class.
 */
final class SharedGateway {

    private static Gateway gateway;

    private SharedGateway() {}

    static synchronized Gateway get() throws Exception {
        if (gateway == null) {
            Path dataDir = Files.createTempDirectory("shared-gateway-");
            Gateway started;
            try {
                started = Gateway.start(GatewayConfig.from(GatewayFixture.config(dataDir)));
            } catch (Exception | Error e) {
                delete(dataDir);
                throw e;
            }
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        started.close();
                                        delete(dataDir);
                                    },
                                    "shared-gateway-stop"));
            gateway = started;
        }
        return gateway;
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // a leftover folder in the temp dir is not worth failing a test run for
        }
    }
}

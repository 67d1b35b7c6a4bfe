package org.jkn.telemetry.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Embedded PostgreSQL servers that a test stops and starts again, as a database outage and its end
 * look to the service: same data directory, same port, so a client's JDBC URL stays valid.
 */
public final class Postgres {

    private Postgres() {}

    /**
     * Starts a server over {@code dataDir} on {@code port}, keeping what an earlier start left
     * there (a first start initialises it). Stop it with {@link EmbeddedPostgres#close()}.
     */
    public static EmbeddedPostgres startKeepingData(Path dataDir, int port) throws IOException {
        return EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setPort(port)
                // initdb and a first start can take this long on a loaded two-core machine
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .start();
    }
}

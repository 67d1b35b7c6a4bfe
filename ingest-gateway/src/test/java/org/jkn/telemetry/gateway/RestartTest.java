package org.jkn.telemetry.gateway;

import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.jkn.telemetry.testing.Postgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No acknowledged reading is lost when the database goes away and the service restarts before it
 * could write them: the journal holds them, the restarted service drains them, exactly once.
 */
class RestartTest {

    @TempDir Path dir;

    @Test
    void readingsJournaledDuringADatabaseOutageAreStoredAfterRestart() throws Exception {
        Path pgData = dir.resolve("pg");
        int pgPort = Ports.free();
        Map<ConfigKey, String> config = GatewayFixture.config(dir.resolve("gateway"));
        config.put(ConfigKey.DB_URL, "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres");
        config.put(ConfigKey.DB_USER, "postgres");
        // the consent decision must outlive the wait for the first batch, however slow the machine:
        // ingest during an outage answers from the cache (an expired entry gives 503
        // consent-unavailable)
        config.put(ConfigKey.CONSENT_CACHE_TTL, "PT1H");

        EmbeddedPostgres pg = Postgres.startKeepingData(pgData, pgPort);
        GatewayFixture gw = GatewayFixture.start(config);
        try {
            assertEquals(202, gw.postBatch(EXAMPLE).statusCode());
            Poll.until("first batch stored", () -> gw.observationCount() == 4);

            pg.close(); // the database goes away
            HttpResponse<String> r =
                    gw.postBatch(EXAMPLE.replace("\"a", "\"b")); // four new reading ids
            assertEquals(202, r.statusCode(), "ingest keeps acknowledging into the journal");
            assertEquals(4, json(r).getInteger("accepted"));
            Poll.until(
                    "health reports the outage",
                    () -> {
                        try {
                            return gw.get("/health").statusCode() == 503;
                        } catch (Exception e) {
                            return false;
                        }
                    });
            assertEquals(4, gw.gateway().journal().pendingReadings());
        } finally {
            gw.close(); // stopped before the journaled readings could be written
        }

        pg = Postgres.startKeepingData(pgData, pgPort);
        try (GatewayFixture again = GatewayFixture.start(config)) {
            Poll.until(
                    "journaled readings stored after restart", () -> again.observationCount() == 8);
            Poll.until("journal drained", () -> again.gateway().journal().pendingReadings() == 0);
            assertEquals(200, again.get("/health").statusCode());
            assertEquals(8, again.observationCount(), "each reading exactly once");
        } finally {
            pg.close();
        }
    }
}

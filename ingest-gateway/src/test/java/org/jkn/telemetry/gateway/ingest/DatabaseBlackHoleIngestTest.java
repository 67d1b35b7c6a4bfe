package org.jkn.telemetry.gateway.ingest;

import static org.jkn.telemetry.gateway.GatewayFixture.EXAMPLE;
import static org.jkn.telemetry.gateway.GatewayFixture.PATIENT_ID;
import static org.jkn.telemetry.gateway.GatewayFixture.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.store.db.ChangeNotices;
import org.jkn.telemetry.testing.FaultProxy;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's database link black-holed by a {@link FaultProxy} (packets vanish, nothing answers,
 * connections stay open): HTTP ingest for a patient whose consent and data key are cached goes on
 * into the journal, each batch answered {@code 202} within 2 s, also once the cached consent
 * decision has expired (default TTL) and cannot be reloaded, until the journal budget is spent
 * ({@code 503 journal-full}); once the link is back, every acknowledged reading is stored exactly
 * once and {@code /health} is {@code 200} again, without a restart.
 */
class DatabaseBlackHoleIngestTest {

    /** Readings in {@link GatewayFixture#EXAMPLE}. */
    private static final int READINGS_PER_BATCH = 4;

    private static final int BATCHES_IN_BUDGET = 10;
    private static final Duration BOUND = Duration.ofSeconds(2);

    /**
     * Between uploads: the run outlasts the consent decision's default TTL, the pool's 5 s
     * connection timeout of the reload it starts, and the 1 s back-off after, so the decision
     * expires, is reloaded in vain, and reloaded again while uploads go on.
     */
    private static final Duration PACE = Duration.ofMillis(1300);

    @TempDir Path dir;

    @Test
    void ingestAnswersFromTheJournalWhileTheDatabaseIsBlackHoledAndAllIsStoredAfter()
            throws Exception {
        try (EmbeddedPostgres pg =
                        EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start();
                FaultProxy proxy = new FaultProxy(pg.getPort())) {
            Map<ConfigKey, String> config = GatewayFixture.config(dir.resolve("gateway"));
            // a black-holed statement fails after 5 s instead of the default 60 s (what an
            // operator sets for a link known to drop packets); it keeps the recovery short
            config.put(
                    ConfigKey.DB_URL,
                    "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres?socketTimeout=5");
            config.put(ConfigKey.DB_USER, "postgres");
            config.put(
                    ConfigKey.JOURNAL_MAX_PENDING_READINGS,
                    Integer.toString(READINGS_PER_BATCH * BATCHES_IN_BUDGET));
            try (GatewayFixture gw = GatewayFixture.startWithoutConsent(config)) {
                // the consent is recorded once the change notices are heard, and its own notice
                // (which drops the patient's cached decision) has arrived before anything is
                // cached: a notice landing after the first batch would empty the cache the
                // black-holed uploads rely on
                ChangeNotices notices = gw.gateway().notices();
                Poll.until("the change notices are heard", notices::isListening);
                long heard = notices.heard();
                gw.consentToCollectingEverything(GatewayFixture.NIK);
                Poll.until("the consent's notice is heard", () -> notices.heard() > heard);
                // then the patient's consent decision and data key are cached by a first batch
                assertEquals(202, upload(gw, "warm").statusCode());
                Poll.until(
                        "the first batch is stored",
                        () -> gw.gateway().journal().pendingReadings() == 0);

                proxy.blackHole(true);
                for (int i = 0; i < BATCHES_IN_BUDGET; i++) {
                    if (i > 0) {
                        Thread.sleep(PACE.toMillis());
                    }
                    long started = System.nanoTime();
                    HttpResponse<String> r = upload(gw, "bh" + i);
                    long millis = (System.nanoTime() - started) / 1_000_000;
                    assertEquals(202, r.statusCode(), r.body());
                    assertEquals(READINGS_PER_BATCH, json(r).getInteger("accepted"));
                    assertTrue(
                            millis < BOUND.toMillis(),
                            "batch " + i + " answered in " + millis + " ms");
                }
                HttpResponse<String> full = upload(gw, "full");
                assertEquals(503, full.statusCode(), full.body());
                assertEquals(
                        IngestRefusal.JOURNAL_FULL.code(),
                        json(full).getJsonObject("error").getString("code"));
                assertTrue(full.headers().firstValue("Retry-After").isPresent());

                proxy.blackHole(false);
                Poll.until(
                        "the backlog is stored once the link is back",
                        Duration.ofSeconds(40),
                        () -> gw.gateway().journal().pendingReadings() == 0);
                Poll.until(
                        "health recovers without a restart",
                        () -> gw.get("/health").statusCode() == 200);
                int acknowledged = 1 + BATCHES_IN_BUDGET;
                assertEquals(
                        acknowledged * READINGS_PER_BATCH,
                        Sql.count(
                                pg.getPostgresDatabase(),
                                "select coalesce(sum(n_readings), 0) from reading_blocks"
                                        + " where patient_id = ?",
                                PATIENT_ID),
                        "every acknowledged reading once; none of the refused batch");
                assertEquals(202, upload(gw, "after").statusCode(), "ingest takes batches again");
            }
        }
    }

    /** {@link GatewayFixture#EXAMPLE} with reading ids prefixed by {@code tag}. */
    private static HttpResponse<String> upload(GatewayFixture gw, String tag) throws Exception {
        return gw.postBatch(EXAMPLE.replace("\"id\": \"a", "\"id\": \"" + tag));
    }
}

package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.jkn.telemetry.testing.Postgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload is refused, never dropped silently: with the journal budget at one reading and the
 * database stopped (so nothing drains), MQTT 5 gets PUBACK 0x97 and 3.1.1 no PUBACK at all; once
 * the database is back and the backlog stored, publishes are acknowledged again.
 */
class MqttOverloadTest {

    @TempDir Path dir;

    @Test
    void aSpentJournalBudgetIsQuotaExceededOnV5AndNoPubAckOnV311() throws Exception {
        Path pgData = dir.resolve("pg");
        int pgPort = Ports.free();
        Map<ConfigKey, String> config = GatewayFixture.config(dir.resolve("gateway"));
        config.put(ConfigKey.DB_URL, "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres");
        config.put(ConfigKey.DB_USER, "postgres");
        config.put(ConfigKey.JOURNAL_MAX_PENDING_READINGS, "1");

        EmbeddedPostgres pg = Postgres.startKeepingData(pgData, pgPort);
        try (GatewayFixture gw = GatewayFixture.start(config)) {
            int port = gw.gateway().mqtt().port();
            Devices.Device device = Devices.register(gw);
            Devices.Device neverSeen = Devices.register(gw);
            Devices.Device seenBefore = Devices.register(gw);
            try (PahoV5 once = PahoV5.create(port, "before-outage")) {
                once.connect(seenBefore);
            }
            try (PahoV5 v5 = PahoV5.create(port, "overload-v5");
                    PahoV3 v3 = PahoV3.create(port, "overload-v3")) {
                v5.connect(device);
                v3.connect(device);

                // the patient's data key is cached by a first batch: a patient never seen before
                // needs the database
                assertEquals(0, v5.publish(device.readings(), Devices.batch("ov-0"), 1));
                Poll.until(
                        "the first batch is stored",
                        () -> gw.gateway().journal().pendingReadings() == 0);
                pg.close(); // nothing drains from here on
                assertEquals(
                        0,
                        v5.publish(device.readings(), Devices.batch("ov-1", "ov-2"), 1),
                        "within the budget");
                assertEquals(2, gw.gateway().journal().pendingReadings());
                assertEquals(
                        0x97,
                        v5.publish(device.readings(), Devices.batch("ov-3"), 1),
                        "quota exceeded");

                CompletableFuture<Integer> uncached =
                        CompletableFuture.supplyAsync(
                                () -> {
                                    try (MqttWire w = new MqttWire(port)) {
                                        w.send(
                                                MqttWire.connect(
                                                        5,
                                                        "uncached",
                                                        neverSeen.id(),
                                                        neverSeen.secret(),
                                                        60));
                                        return w.read().connackCode();
                                    } catch (Exception e) {
                                        return -1;
                                    }
                                });
                IMqttDeliveryToken t = v3.publish(device.readings(), Devices.batch("ov-4"), 1);
                // once counted as refused, it is decided: a PUBACK would have left before the count
                Poll.until(
                        "the 3.1.1 publish is refused",
                        () ->
                                gw.metric(
                                                "telemetry_batches_refused_total{reason=\"journal-full\"}")
                                        == 2);
                assertFalse(
                        t.isComplete(),
                        "3.1.1 has no negative acknowledgement: no PUBACK for what was not stored");
                assertTrue(v3.client.isConnected(), "and the connection stays");
                try (PahoV5 again = PahoV5.create(port, "overload-again")) {
                    again.connect(seenBefore);
                    assertTrue(
                            again.client.isConnected(),
                            "a device verified before the outage reconnects from the cache");
                }
                assertEquals(
                        0x88,
                        uncached.get(15, TimeUnit.SECONDS),
                        "one never verified cannot be checked: server unavailable");
                String metrics = gw.get("/metrics").body();
                assertTrue(
                        metrics.contains(
                                "telemetry_batches_refused_total{reason=\"journal-full\"} 2.0"),
                        metrics);

                pg = Postgres.startKeepingData(pgData, pgPort);
                Poll.until("backlog stored", () -> gw.gateway().journal().pendingReadings() == 0);
                assertEquals(
                        0,
                        v5.publish(device.readings(), Devices.batch("ov-5"), 1),
                        "acknowledged again");
                // the budget is one reading: ov-5 must be stored before there is room for ov-6
                Poll.until("ov-5 stored", () -> gw.gateway().journal().pendingReadings() == 0);
                v3.publish(device.readings(), Devices.batch("ov-6"), 1)
                        .waitForCompletion(PahoV3.WAIT_MILLIS);

                Poll.until(
                        "readings stored",
                        () -> gw.stored(device.id(), "ov-1", "ov-2", "ov-5", "ov-6"));
                Poll.until("journal drained", () -> gw.gateway().journal().pendingReadings() == 0);
                assertFalse(gw.stored(device.id(), "ov-3"), "refused, so not stored");
                assertFalse(gw.stored(device.id(), "ov-4"), "never acknowledged, so not stored");
            }
        } finally {
            pg.close();
        }
    }
}

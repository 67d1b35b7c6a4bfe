package org.jkn.telemetry.gateway.mqtt.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.GatewayProcess;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale-out against a real Mosquitto: two gateway instances share {@code devices/+/readings}
 * through a shared subscription, one is killed with SIGKILL mid-stream and started again with the
 * same data directory and client id; every reading the broker acknowledged to the publisher is
 * stored, exactly once, in the one database both instances share.
 */
class BrokerBridgeKillTest {

    private static final int PUBLISHES = 200;
    private static final int PER_PUBLISH = 10;
    private static final int KILL_AFTER = 80;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    @TempDir Path dir;

    @Test
    void everyAcknowledgedReadingIsStoredOnceWhenAnInstanceDiesMidStream() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir)) {
            int pgPort = Ports.free();
            String jdbc = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
            try (EmbeddedPostgres pg =
                    EmbeddedPostgres.builder()
                            .setDataDirectory(dir.resolve("pg"))
                            .setPort(pgPort)
                            .start()) {
                Map<ConfigKey, String> a = instance("gw-a", broker, jdbc);
                Map<ConfigKey, String> b = instance("gw-b", broker, jdbc);
                try (GatewayFixture first = GatewayFixture.start(a)) {
                    GatewayProcess second = GatewayProcess.start(b, dir.resolve("gw-b.log"));
                    try {
                        String device = register(first);
                        int acknowledged = publish(broker, device, second);
                        assertEquals(
                                PUBLISHES * PER_PUBLISH,
                                acknowledged,
                                "the broker acknowledged every publish");

                        second =
                                GatewayProcess.start(
                                        b,
                                        dir.resolve("gw-b.log")); // same data dir, same client id
                        GatewayProcess restarted = second;
                        Poll.until(
                                "every acknowledged reading is stored",
                                // patience on a loaded machine, not a bound under test
                                Duration.ofMinutes(3),
                                () -> count(pg, device) >= acknowledged,
                                () -> report(first, restarted));
                        long stored = count(pg, device);
                        if (stored != acknowledged) { // above would be a reading stored twice
                            fail(
                                    "every acknowledged reading stored exactly once: "
                                            + stored
                                            + " of "
                                            + acknowledged
                                            + "\n"
                                            + report(first, restarted));
                        }
                        double firstShare = accepted(first.get("/metrics"));
                        assertTrue(
                                firstShare > 0 && firstShare < acknowledged,
                                "both instances took a share, first took " + firstShare);
                    } finally {
                        second.close();
                    }
                }
            }
        }
    }

    private Map<ConfigKey, String> instance(String clientId, Mosquitto broker, String jdbc) {
        Map<ConfigKey, String> c = GatewayFixture.config(dir.resolve(clientId));
        c.put(ConfigKey.DB_URL, jdbc);
        c.put(ConfigKey.DB_USER, "postgres");
        c.put(ConfigKey.MQTT_BROKER_URL, broker.url());
        c.put(ConfigKey.MQTT_BROKER_CLIENT_ID, clientId);
        c.put(ConfigKey.MQTT_BROKER_SHARE_GROUP, "ingest");
        return c;
    }

    private static String register(GatewayFixture gw) throws Exception {
        String body =
                new JsonObject()
                        .put("patient", GatewayFixture.NIK)
                        .put("manufacturer", "Acme")
                        .put("model", "Band 5")
                        .put("serial", "SN-BRIDGE-1")
                        .encode();
        HttpResponse<String> r =
                gw.post("/v1/devices", "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertEquals(201, r.statusCode(), r.body());
        return new JsonObject(r.body()).getString("id");
    }

    /**
     * Publishes every batch at QoS 1, killing the second instance part-way; returns the readings
     * the broker acknowledged.
     */
    private static int publish(Mosquitto broker, String device, GatewayProcess victim)
            throws Exception {
        MqttAsyncClient publisher =
                new MqttAsyncClient(broker.url(), "publisher", new MemoryPersistence());
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setCleanStart(true);
        publisher.connect(o).waitForCompletion(10_000);
        int acknowledged = 0;
        OffsetDateTime start =
                OffsetDateTime.now(ZoneOffset.ofHours(7))
                        .minusHours(2)
                        .truncatedTo(ChronoUnit.SECONDS);
        try {
            for (int p = 0; p < PUBLISHES; p++) {
                if (p == KILL_AFTER) {
                    victim.kill();
                }
                StringBuilder batch = new StringBuilder("{\"readings\":[");
                for (int i = 0; i < PER_PUBLISH; i++) {
                    int n = p * PER_PUBLISH + i;
                    batch.append(i == 0 ? "" : ",")
                            .append("{\"id\":\"r")
                            .append(n)
                            .append("\",\"type\":\"heart_rate\",\"time\":\"")
                            .append(TIME.format(start.plusSeconds(n)))
                            .append("\",\"value\":")
                            .append(60 + n % 40)
                            .append('}');
                }
                byte[] payload = batch.append("]}").toString().getBytes(StandardCharsets.UTF_8);
                publishUntilAcknowledged(publisher, o, "devices/" + device + "/readings", payload);
                acknowledged += PER_PUBLISH;
            }
        } finally {
            publisher.disconnect().waitForCompletion(5_000);
            publisher.close();
        }
        return acknowledged;
    }

    /**
     * Publishes at QoS 1 as a device would: an acknowledgement that does not come in time (a loaded
     * machine, a dropped connection) is retried, reconnecting first if needed, for up to a minute.
     * A retry can only duplicate a publish, and storage is idempotent, which the test checks too.
     */
    private static void publishUntilAcknowledged(
            MqttAsyncClient publisher, MqttConnectionOptions o, String topic, byte[] payload) {
        Poll.until(
                "the broker acknowledges a publish",
                Duration.ofMinutes(1),
                () -> {
                    try {
                        if (!publisher.isConnected()) {
                            publisher.connect(o).waitForCompletion(10_000);
                        }
                        MqttMessage m =
                                new MqttMessage(
                                        payload); // a fresh message: the timed-out one may still be
                        // in flight
                        m.setQos(1);
                        publisher.publish(topic, m).waitForCompletion(10_000);
                        return true;
                    } catch (MqttException e) {
                        return false;
                    }
                });
    }

    /**
     * Readings stored for the device's patient (the only one publishing here). Every acknowledged
     * reading has its own key, so a reading stored twice shows as a count above the acknowledged.
     */
    private static long count(EmbeddedPostgres pg, String device) throws Exception {
        return Sql.count(
                pg.getPostgresDatabase(),
                "select coalesce(sum(n_readings), 0) from reading_blocks where patient_id = ?",
                GatewayFixture.PATIENT_ID);
    }

    /** Both instances' counters and the second one's log, for a failure message. */
    private String report(GatewayFixture first, GatewayProcess second) {
        try {
            return "--- first instance ---\n"
                    + counters(first.get("/metrics").body())
                    + "\n--- second instance ---\n"
                    + counters(second.get("/metrics").body())
                    + "\n--- second instance's log ---\n"
                    + tail(dir.resolve("gw-b.log"));
        } catch (IOException e) {
            return "(metrics unavailable: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** The ingest and storage counters of a metrics scrape, for a failure message. */
    private static String counters(String metrics) {
        StringBuilder b = new StringBuilder();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("telemetry_") && !line.startsWith("telemetry_mqtt_")) {
                b.append(line).append('\n');
            }
        }
        return b.toString();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static double accepted(HttpResponse<String> metrics) {
        Matcher m =
                Pattern.compile(
                                "(?m)^telemetry_readings_accepted_total\\{type=\"heart_rate\"} ([0-9.E]+)")
                        .matcher(metrics.body());
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}

package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's {@code mosquitto_pub}, a client this project did not write, publishes to the embedded
 * server exactly as docs/mqtt.md shows, and the readings appear through FHIR. Skipped, with the
 * reason, where mosquitto-clients is not installed.
 */
class MosquittoPubTest {

    /** This class's own patient on the shared gateway: its searches find only its own data. */
    static final String NIK = "3171020101900141";

    private static GatewayFixture gw;
    private static Path mosquittoPub;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> exe =
                Stream.of(
                                System.getenv()
                                        .getOrDefault("PATH", "")
                                        .split(java.io.File.pathSeparator))
                        .filter(s -> !s.isBlank())
                        .map(d -> Path.of(d, "mosquitto_pub"))
                        .filter(Files::isExecutable)
                        .findFirst();
        Assumptions.assumeTrue(
                exe.isPresent(),
                "mosquitto_pub is not installed (Debian: apt-get install mosquitto-clients)");
        mosquittoPub = exe.get();
        gw = GatewayFixture.shared(NIK);
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    @Test
    void mqtt5PublishOfMosquittoPubAppearsThroughFhir() throws Exception {
        publishAndFind("mqttv5", "v5-");
    }

    @Test
    void mqtt311PublishOfMosquittoPubAppearsThroughFhir() throws Exception {
        publishAndFind("mqttv311", "v3-");
    }

    private static void publishAndFind(String version, String prefix) throws Exception {
        Devices.Device d = Devices.register(gw);
        int before = gw.observationCount();
        String payload =
                new String(
                        Devices.batch(prefix + "1", prefix + "2", prefix + "3"),
                        StandardCharsets.UTF_8);
        Process p =
                new ProcessBuilder(
                                mosquittoPub.toString(),
                                "-h",
                                "127.0.0.1",
                                "-p",
                                Integer.toString(gw.gateway().mqtt().port()),
                                "-V",
                                version,
                                "-q",
                                "1",
                                "-i",
                                "pub-" + prefix,
                                "-u",
                                d.id(),
                                "-P",
                                d.secret(),
                                "-t",
                                d.readings(),
                                "-m",
                                payload)
                        .redirectErrorStream(true)
                        .start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "mosquitto_pub did not finish: no PUBACK");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // exit 0 only once the PUBACK came back, i.e. after the journal append
        assertEquals(0, p.exitValue(), "mosquitto_pub failed: " + out);
        Poll.until("three readings through FHIR", () -> gw.observationCount() == before + 3);
        List<String> ids =
                gw.observations("").getJsonArray("entry").stream()
                        .map(
                                e ->
                                        ((io.vertx.core.json.JsonObject) e)
                                                .getJsonObject("resource")
                                                .encode())
                        .filter(r -> r.contains(d.id()))
                        .toList();
        assertEquals(3, ids.size(), "the three Observations name the publishing device");
    }
}

package org.jkn.telemetry.gateway.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a small file system of its own (a 1 GiB tmpfs), as the journal and the embedded
 * database share one disk in production: a ballast file eats the space until less than the budget
 * is free; ingest answers HTTP 503 disk-low and MQTT 5 PUBACK 0x97; the ballast goes and ingest
 * resumes by itself; every acknowledged reading is stored and the JVM lives on. Needs the right to
 * mount (root); where it is missing the test is skipped with that reason, and DiskGuardTest still
 * covers the decision on the machine's own disk.
 */
class DiskLowTest {

    private static final long MIN_FREE = 300L << 20;

    @TempDir Path dir;

    @Test
    void ingestIsRefusedWhileTheDiskIsLowAndResumesWhenSpaceIsBack() throws Exception {
        Path mount = dir.resolve("small-disk");
        Files.createDirectories(mount);
        assumeTrue(
                run("mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", mount.toString()),
                "cannot mount a tmpfs here (needs root); DiskGuardTest covers the decision");
        try {
            Map<ConfigKey, String> config = GatewayFixture.config(mount.resolve("data"));
            config.put(ConfigKey.DISK_MIN_FREE_BYTES, Long.toString(MIN_FREE));
            try (GatewayFixture gw = GatewayFixture.start(config)) {
                Devices.Device device = Devices.register(gw);
                try (PahoV5 v5 = PahoV5.create(gw.gateway().mqtt().port(), "disk-low")) {
                    v5.connect(device);
                    assertEquals(202, gw.postBatch(GatewayFixture.EXAMPLE).statusCode());
                    assertEquals(0, v5.publish(device.readings(), Devices.batch("before"), 1));

                    Path ballast = mount.resolve("ballast");
                    long free = Files.getFileStore(mount).getUsableSpace();
                    fill(ballast, free - MIN_FREE + (50L << 20)); // 50 MiB under the budget
                    Poll.until(
                            "ingest notices the disk is low",
                            () -> gw.postBatch(GatewayFixture.EXAMPLE).statusCode() == 503);
                    HttpResponse<String> refused =
                            gw.postBatch(GatewayFixture.EXAMPLE.replace("\"a", "\"x"));
                    assertEquals(503, refused.statusCode());
                    assertEquals(
                            "disk-low",
                            new JsonObject(refused.body())
                                    .getJsonObject("error")
                                    .getString("code"));
                    assertTrue(refused.headers().firstValue("Retry-After").isPresent());
                    assertEquals(
                            0x97,
                            v5.publish(device.readings(), Devices.batch("during"), 1),
                            "quota exceeded while the disk is low");
                    assertTrue(gw.get("/metrics").body().contains("telemetry_disk_low 1.0"));

                    Files.delete(ballast);
                    Poll.until(
                            "ingest resumes by itself once space is back",
                            () ->
                                    gw.postBatch(GatewayFixture.EXAMPLE.replace("\"a", "\"b"))
                                                    .statusCode()
                                            == 202);
                    assertEquals(0, v5.publish(device.readings(), Devices.batch("after"), 1));
                    Poll.until(
                            "every acknowledged reading is stored",
                            // two HTTP batches of four, and "before" and "after" over MQTT
                            () -> gw.observationCount() == 10 && storedFor(gw, device) == 2);
                }
            }
        } finally {
            if (!run("umount", mount.toString())) {
                run("umount", "-l", mount.toString());
            }
        }
    }

    /** The device's readings stored ("before" and "after"; "during" was refused). */
    private static int storedFor(GatewayFixture gw, Devices.Device d) throws Exception {
        String bundle = gw.observations("").encode();
        int n = 0;
        for (String id : new String[] {"before", "during", "after"}) {
            if (bundle.contains("-" + gw.rowKey(d.id(), id) + "-")) {
                n++;
            }
        }
        return n;
    }

    private static void fill(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            for (long written = 0; written < bytes; written += chunk.length) {
                f.write(chunk, 0, (int) Math.min(chunk.length, bytes - written));
            }
        }
    }

    private static boolean run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

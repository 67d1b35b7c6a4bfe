package org.jkn.telemetry.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short soak CI runs: three runs of 20 s, the service killed with SIGKILL every 5-10 s under
 * load; every acknowledged reading is stored, none twice. The long one (20 x 300 s) is the same
 * class run from the command line (BENCHMARKS.md).
 */
class SoakTest {

    @TempDir Path work;

    @Test
    void noAcknowledgedReadingIsLostOrDuplicatedAcrossKillNine() throws Exception {
        Path jar = Path.of("..", "ingest-gateway", "target", "ingest-gateway.jar");
        // the reactor packages the gateway before this module's tests; run alone, it may be absent
        assumeTrue(Files.isRegularFile(jar), "build the gateway first: " + jar + " is missing");

        Soak.Result r =
                Soak.run(
                        Map.of(
                                "--jar", jar.toString(),
                                "--work", work.toString(),
                                "--runs", "3",
                                "--seconds", "20",
                                "--kill-min", "5",
                                "--kill-max", "10",
                                "--senders", "2",
                                "--patients", "4"));

        assertTrue(r.kills() >= 3, "each run kills the service at least once: " + r);
        assertTrue(r.acknowledged() > 0, "load was acknowledged: " + r);
        assertEquals(0, r.lost(), "acknowledged readings lost: " + r);
        assertEquals(0, r.duplicated(), "readings stored twice: " + r);
        assertTrue(r.stored() >= r.acknowledged(), r.toString());
    }
}

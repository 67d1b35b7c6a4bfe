package org.jkn.telemetry.benchmarks.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The plan's arithmetic, worked by hand for one case. */
class CapacityPlanTest {

    /**
     * 2 million devices, each sending 1,440 heart-rate readings and 60 others a day (1,500), at the
     * default per-node figures, with round numbers elsewhere so each line below can be checked on
     * paper.
     */
    @Test
    void twoMillionDevicesByHand() {
        CapacityPlan plan =
                new CapacityPlan(
                        "--mix", "heart_rate=1440,steps=24,oxygen_saturation=36",
                        "--peak-factor", "4",
                        "--node-readings-per-s", "100000",
                        "--drain-readings-per-s", "200000",
                        "--utilisation", "0.5",
                        "--spare-nodes", "1",
                        "--bytes-heart-rate", "6",
                        "--bytes-other", "30",
                        "--retention-days", "1000",
                        "--min-replicas", "1",
                        "--connected-share", "0.1",
                        "--broker-connections-per-node", "50000",
                        "--syncs-per-device-day", "24",
                        "--broker-messages-per-node", "100000",
                        "--broker-min-nodes", "3",
                        "--searches-per-device-day", "4.32",
                        "--read-peak-factor", "5",
                        "--search-http-p50-ms", "10",
                        "--search-store-p50-ms", "2",
                        "--cores-per-node", "8");
        CapacityPlan.Sizing s = plan.size(2_000_000);

        // 1,500 readings a day x 2 M devices = 3 billion a day
        assertEquals(3e9, s.readingsPerDay(), 1e-3);
        assertEquals(2.88e9, s.readingsPerDayByType().get("heart_rate"), 1e-3);
        assertEquals(7.2e7, s.readingsPerDayByType().get("oxygen_saturation"), 1e-3);
        // 3e9 / 86,400 = 34,722.2/s; x4 = 138,888.9/s
        assertEquals(34_722.222, s.meanReadingsPerSecond(), 1e-3);
        assertEquals(138_888.889, s.peakReadingsPerSecond(), 1e-3);
        // 138,889 / (100,000 x 0.5) = 2.78 -> 3, plus 1 spare
        assertEquals(4, s.ingestNodes());
        // 138,889 / (200,000 x 0.5) = 1.39 -> 2
        assertEquals(2, s.databasePrimaries());
        // 200,000 connections / 50,000 = 4 nodes; publishes 2 M x 24 / 86,400 x 4 = 2,222/s: 1 node
        assertEquals(200_000, s.brokerConnections(), 1e-6);
        assertEquals(2_222.222, s.brokerMessagesPerSecond(), 1e-3);
        assertEquals(4, s.brokerNodes());
        // per device: 1,440 x 6 + 60 x 30 = 10,440 bytes a day; x 2 M = 20.88 GB a day
        assertEquals(20.88e9, s.bytesPerDay(), 1);
        assertEquals(20.88e9 * 365, s.bytesPerYear(), 1);
        assertEquals(20.88e12, s.bytesRetained(), 1);
        // searches: 2 M x 4.32 / 86,400 = 100/s, x5 = 500/s
        assertEquals(500, s.peakSearchesPerSecond(), 1e-9);
        // API: 500 x 10 ms = 5 cores; 8 cores x 0.5 = 4 per node -> 2 nodes, plus 1 spare
        assertEquals(5, s.apiCores(), 1e-9);
        assertEquals(3, s.apiNodes());
        // replicas: 500 x 2 ms = 1 core over 2 primaries: 0.5 each, below 4: the minimum of 1
        assertEquals(1, s.replicaCores(), 1e-9);
        assertEquals(1, s.replicasPerPrimary());
        // primary and replica each keep a copy: 2 x 20.88 TB
        assertEquals(41.76e12, s.bytesRetainedAllCopies(), 1);
    }

    @Test
    void defaultsPrintATableWithAColumnPerDeviceCount() throws Exception {
        CapacityPlan plan = new CapacityPlan();
        String table = plan.table();
        assertTrue(table.startsWith("| devices | 1.0 M | 10.0 M | 50.0 M |\n"), table);
        assertTrue(plan.inputs().contains("| `--drain-readings-per-s` | 1142176 | measured |"));
        // the plan in the docs is what the program prints with its defaults: change a measured
        // figure and this fails until docs/capacity.md shows the rerun
        String doc = Files.readString(Path.of("..", "docs", "capacity.md"));
        assertTrue(doc.contains(table.strip()), "docs/capacity.md: rerun CapacityPlan");
        for (String line : plan.inputs().strip().split("\n")) {
            assertTrue(doc.contains(line), "docs/capacity.md lacks the input line " + line);
        }
    }

    @Test
    void unknownInputsAndTypesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new CapacityPlan("--nodes", "3"));
        assertThrows(
                IllegalArgumentException.class, () -> new CapacityPlan("--mix", "heartrate=1"));
    }

    @Test
    void unitsRead() {
        assertEquals("20.9 GB", CapacityPlan.bytes(20.88e9));
        assertEquals("7.62 TB", CapacityPlan.bytes(7.6212e12));
        assertEquals("1.50 billion", CapacityPlan.count(1.499e9));
        assertEquals("17,350", CapacityPlan.count(17_349.5));
        assertEquals("4.0 M", CapacityPlan.count(4e6));
    }
}

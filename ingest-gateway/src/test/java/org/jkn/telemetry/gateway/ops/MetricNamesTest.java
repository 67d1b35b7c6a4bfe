package org.jkn.telemetry.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every gateway metric the alert rules and the dashboard name is one {@code Metrics} registers, so
 * renaming a meter without them fails here rather than leaving an alert that can never fire. Some
 * meters are registered on first use and absent from a fresh gateway's scrape, so the names are
 * checked against the source: a Prometheus name is the meter's name with dots for underscores,
 * counters with {@code _total} added.
 */
class MetricNamesTest {

    private static final Pattern NAME = Pattern.compile("\\btelemetry_[a-z_]+\\b");

    /**
     * A metric on the dashboard for each question of the operations issue: ingest, rejections,
     * journal lag, database write latency, FHIR latency, auth refusals, MQTT connections (the
     * built-in listener's and the broker's), consent refusals (a reason of the rejections), dead
     * letters, heap and GC.
     */
    private static final List<String> ANSWERED =
            List.of(
                    "telemetry_readings_accepted_total",
                    "telemetry_readings_stored_total",
                    "telemetry_readings_rejected_total",
                    "telemetry_journal_lag_readings",
                    "telemetry_db_write_seconds_bucket",
                    "telemetry_fhir_request_seconds_bucket",
                    "telemetry_auth_refused_total",
                    "telemetry_mqtt_connections",
                    "emqx_connections_count",
                    "consent-required",
                    "telemetry_dead_letters_total",
                    "jvm_memory_used_bytes",
                    "jvm_gc_overhead");

    @Test
    void alertRulesNameOnlyRegisteredMetrics() throws IOException {
        assertAllRegistered("prometheus/alerts.yml");
    }

    @Test
    void dashboardNamesOnlyRegisteredMetrics() throws IOException {
        assertAllRegistered("grafana/dashboards/telemetry.json");
    }

    @Test
    void dashboardShowsWhatTheOperatorAsks() throws IOException {
        String dashboard =
                Files.readString(DockerDirectory.resolve("grafana/dashboards/telemetry.json"));
        List<String> missing = new ArrayList<>();
        for (String metric : ANSWERED) {
            if (!dashboard.contains(metric)) {
                missing.add(metric);
            }
        }
        assertTrue(missing.isEmpty(), () -> "no dashboard panel shows " + missing);
    }

    private static void assertAllRegistered(String file) throws IOException {
        String metrics =
                Files.readString(
                        DockerDirectory.repositoryRoot()
                                .resolve(
                                        "ingest-gateway/src/main/java/org/jkn/telemetry/gateway/ops/Metrics.java"));
        Matcher m = NAME.matcher(Files.readString(DockerDirectory.resolve(file)));
        TreeSet<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group());
        }
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            // counters add _total; timers add _seconds and _bucket, _count, _sum or _max
            String meter =
                    name.replaceFirst("_total$", "")
                            .replaceFirst("_seconds(_bucket|_count|_sum|_max)?$", "")
                            .replace('_', '.');
            if (!metrics.contains("\"" + meter + "\"")) {
                unknown.add(name);
            }
        }
        assertTrue(!names.isEmpty(), file + " names no metric");
        assertTrue(
                unknown.isEmpty(),
                () -> file + " names metrics Metrics does not register: " + unknown);
    }
}

package org.jkn.telemetry.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard's queries, run by a real Prometheus (Debian's {@code prometheus}) scraping
 * a real gateway: each must parse, and each whose metrics the gateway exports must return series. A
 * renamed metric would otherwise leave a panel silently empty.
 */
class DashboardQueriesTest {

    private static final Pattern METRIC = Pattern.compile("\\b(telemetry_[a-z_]+|up)\\b");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir static Path dir;
    private static GatewayFixture gateway;
    private static Process prometheus;
    private static Path log;
    private static int port;

    @BeforeAll
    static void startPrometheusScrapingAGateway() throws Exception {
        Optional<Path> exe = DockerDirectory.executable("prometheus");
        Assumptions.assumeTrue(
                exe.isPresent(),
                "prometheus is not installed (Debian: apt-get install prometheus); .ci/run installs it");
        gateway = GatewayFixture.shared("3171019901010042");
        port = Ports.free();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "scrape_configs:",
                        "  - job_name: telemetry-gateway",
                        "    static_configs:",
                        "      - targets: ['127.0.0.1:" + gateway.gateway().port() + "']",
                        ""));
        log = dir.resolve("prometheus.log");
        prometheus =
                new ProcessBuilder(
                                exe.get().toString(),
                                "--config.file=" + config,
                                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                                "--web.listen-address=127.0.0.1:" + port)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        // rate() and deriv() need two samples of every series in their window
        Poll.until(
                "Prometheus has scraped the gateway three times",
                Duration.ofSeconds(60),
                () -> {
                    assertTrue(prometheus.isAlive(), DashboardQueriesTest::logTail);
                    try {
                        JsonArray r = query("count_over_time(up[1m]) >= 3");
                        return r != null && !r.isEmpty();
                    } catch (IOException notListeningYet) {
                        return false;
                    }
                },
                DashboardQueriesTest::logTail);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void gatewayIsUp() throws Exception {
        JsonArray up = query("up");
        assertEquals(1, up.size(), up::encode);
        assertEquals("1", up.getJsonObject(0).getJsonArray("value").getString(1));
    }

    @Test
    void everyPanelQueryParsesAndShowsWhatTheGatewayExports() throws Exception {
        String scrape = gateway.get("/metrics").body();
        JsonObject dashboard =
                new JsonObject(
                        Files.readString(
                                DockerDirectory.resolve("grafana/dashboards/telemetry.json")));
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (Object p : dashboard.getJsonArray("panels")) {
            JsonObject panel = (JsonObject) p;
            for (Object t : panel.getJsonArray("targets")) {
                String expr = ((JsonObject) t).getString("expr");
                JsonArray result = query(expr);
                if (result == null) {
                    failures.add(panel.getString("title") + ": does not parse: " + expr);
                } else if (result.isEmpty() && exportedNow(expr, scrape)) {
                    failures.add(panel.getString("title") + ": no series: " + expr);
                } else {
                    checked++;
                }
            }
        }
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
        assertFalse(checked == 0, "no panel queries");
    }

    /**
     * Whether every metric the query names is in the gateway's scrape. Counters registered on first
     * use (auth refusals, dead letters...) are absent until their first event, and their panels
     * rightly empty.
     */
    private static boolean exportedNow(String expr, String scrape) {
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            String metric = m.group(1);
            if (!metric.equals("up") && !scrape.contains("\n" + metric)) {
                return false;
            }
        }
        return true;
    }

    /** The result of an instant query; null when Prometheus refuses it (a parse error...). */
    private static JsonArray query(String promql) throws IOException, InterruptedException {
        HttpResponse<String> r =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + port
                                                        + "/api/v1/query?query="
                                                        + URLEncoder.encode(
                                                                promql, StandardCharsets.UTF_8)))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return null;
        }
        return new JsonObject(r.body()).getJsonObject("data").getJsonArray("result");
    }

    private static String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}

package org.jkn.telemetry.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jkn.telemetry.gateway.GatewayFixture;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard's queries, run by a real Prometheus (Debian's {@code prometheus}) with the
 * repository's configuration ({@code docker/prometheus/prometheus.yml}: its jobs, paths, intervals
 * and rule files) scraping a real gateway: each must parse, and each whose metrics the gateway
 * exports must return series. A renamed metric would otherwise leave a panel silently empty.
 *
 * <p>Only the targets change: the gateway's job scrapes the test's gateway, every other job a port
 * where nothing listens. Queries of metrics nothing in the test can export (another job's, or a
 * gateway counter registered at its first event) are only parse-checked, and listed.
 */
class DashboardQueriesTest {

    private static final String GATEWAY_JOB = "telemetry-gateway";

    /**
     * Jobs of the repository's configuration this test does not run, with the prefix of their
     * metrics. A job missing here fails the test, so that a new one is a decision.
     */
    private static final Map<String, String> NOT_RUN = Map.of("emqx", "emqx_");

    private static final Pattern METRIC =
            Pattern.compile("\\b((?:telemetry|jvm|process|system|emqx)_[a-z_]+|up)\\b");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir static Path dir;
    private static GatewayFixture gateway;
    private static Process prometheus;
    private static Path log;
    private static int port;

    @BeforeAll
    static void startPrometheusScrapingAGateway() throws Exception {
        Path exe = DockerDirectory.prometheusTool("prometheus");
        gateway = GatewayFixture.shared("3171012301900042");
        exerciseTheGateway();
        port = Ports.free();
        Path config =
                repositoryConfigWithTargets(
                        dir, "127.0.0.1:" + gateway.gateway().port(), "127.0.0.1:" + Ports.free());
        log = dir.resolve("prometheus.log");
        prometheus =
                new ProcessBuilder(
                                exe.toString(),
                                "--config.file=" + config,
                                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                                "--web.listen-address=127.0.0.1:" + port)
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        // rate() and deriv() need two samples of every series in their window; at the
        // repository's 15 s interval the second scrape comes 15-30 s after the start
        Poll.until(
                "Prometheus has scraped the gateway twice",
                Duration.ofSeconds(90),
                () -> {
                    assertTrue(prometheus.isAlive(), DashboardQueriesTest::logTail);
                    try {
                        JsonArray r =
                                query("count_over_time(up{job=\"" + GATEWAY_JOB + "\"}[2m]) >= 2");
                        return r != null && !r.isEmpty();
                    } catch (IOException notListeningYet) {
                        return false;
                    }
                },
                DashboardQueriesTest::logTail);
    }

    /**
     * Before the first scrape, so that the series exist in every sample: a reading stored (the
     * database write histogram), a FHIR request without a token (the auth refusal counter) and a
     * FHIR search (the FHIR request histogram).
     */
    private static void exerciseTheGateway() throws Exception {
        HttpResponse<String> accepted = gateway.postBatch(GatewayFixture.example(gateway.nik()));
        assertEquals(202, accepted.statusCode(), accepted::body);
        Poll.until(
                "the reading is stored and found by a FHIR search",
                () -> gateway.stored("watch-7f3a", "a1"));
        // the drainer timed the write that stored it
        assertTrue(
                gateway.metric("telemetry_db_write_seconds_count") >= 1, "no database write timed");
        HttpResponse<String> refused =
                gateway.get("/fhir/Observation?patient=" + gateway.patientId(), null, null);
        assertEquals(401, refused.statusCode(), refused::body);
        String scrape = gateway.get("/metrics").body();
        for (String metric :
                List.of(
                        "telemetry_db_write_seconds_bucket",
                        "telemetry_auth_refused_total",
                        "telemetry_fhir_request_seconds_bucket")) {
            assertTrue(scrape.contains("\n" + metric), metric + " is not in the scrape");
        }
    }

    /**
     * The repository's Prometheus configuration, written to {@code dir} with the gateway job's
     * targets replaced by {@code gatewayTarget}, every other job's by {@code nobodyTarget}, and
     * rule files made absolute: job names, metrics paths and intervals are the repository's.
     */
    @SuppressWarnings("unchecked")
    static Path repositoryConfigWithTargets(Path dir, String gatewayTarget, String nobodyTarget)
            throws IOException {
        Path repository = DockerDirectory.resolve("prometheus/prometheus.yml");
        Map<String, Object> config;
        try (Reader r = Files.newBufferedReader(repository)) {
            config = new Yaml().load(r);
        }
        List<String> rules = (List<String>) config.getOrDefault("rule_files", List.of());
        config.put(
                "rule_files",
                rules.stream()
                        .map(f -> repository.resolveSibling(f).toAbsolutePath().toString())
                        .toList());
        Set<String> jobs = new LinkedHashSet<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            String name = (String) job.get("job_name");
            jobs.add(name);
            String target = name.equals(GATEWAY_JOB) ? gatewayTarget : nobodyTarget;
            List<Map<String, Object>> statics =
                    (List<Map<String, Object>>) job.get("static_configs");
            assertTrue(statics != null && !statics.isEmpty(), name + ": no static_configs");
            statics.clear();
            statics.add(Map.of("targets", List.of(target)));
        }
        assertTrue(jobs.contains(GATEWAY_JOB), () -> "no job " + GATEWAY_JOB + " in " + jobs);
        Set<String> undecided = new LinkedHashSet<>(jobs);
        undecided.remove(GATEWAY_JOB);
        undecided.removeAll(NOT_RUN.keySet());
        assertTrue(
                undecided.isEmpty(),
                () -> "jobs this test neither runs nor lists in NOT_RUN: " + undecided);
        assertTrue(
                jobs.containsAll(NOT_RUN.keySet()),
                () -> "NOT_RUN names jobs prometheus.yml no longer has: " + NOT_RUN.keySet());
        DumperOptions block = new DumperOptions();
        block.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Path derived = dir.resolve("prometheus.yml");
        try (Writer w = Files.newBufferedWriter(derived)) {
            new Yaml(block).dump(config, w);
        }
        return derived;
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
        JsonArray up = query("up{job=\"" + GATEWAY_JOB + "\"}");
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
        List<String> parseChecked = new ArrayList<>();
        int checked = 0;
        for (Object p : dashboard.getJsonArray("panels")) {
            JsonObject panel = (JsonObject) p;
            for (Object t : panel.getJsonArray("targets")) {
                String expr = ((JsonObject) t).getString("expr");
                String where = panel.getString("title") + ": ";
                JsonArray result = query(expr);
                if (result == null) {
                    failures.add(where + "does not parse: " + expr);
                    continue;
                }
                String absent = absentMetrics(expr, scrape, failures, where);
                if (absent.isEmpty()) {
                    if (result.isEmpty()) {
                        failures.add(where + "no series: " + expr);
                    } else {
                        checked++;
                    }
                } else {
                    parseChecked.add(where + expr + " (" + absent + ")");
                }
            }
        }
        System.out.println(
                "Dashboard queries only parse-checked ("
                        + parseChecked.size()
                        + "), their metrics absent from this test:\n  "
                        + String.join("\n  ", parseChecked));
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
        assertFalse(checked == 0, "no panel queries");
    }

    /**
     * Why the query's metrics are not all there to be checked: the metrics of a job the test does
     * not run, or gateway counters registered at their first event (dead letters...), which are
     * absent until then and their panels rightly empty. Empty when every metric is exported. A
     * metric neither in the gateway's scrape nor of either kind is a failure.
     */
    private static String absentMetrics(
            String expr, String scrape, List<String> failures, String where) {
        List<String> absent = new ArrayList<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            String metric = m.group(1);
            if (metric.equals("up") || scrape.contains("\n" + metric)) {
                continue;
            }
            Optional<String> job =
                    NOT_RUN.entrySet().stream()
                            .filter(e -> metric.startsWith(e.getValue()))
                            .map(Map.Entry::getKey)
                            .findFirst();
            if (job.isPresent()) {
                absent.add(metric + ": job " + job.get() + " not running here");
            } else if (metric.startsWith("telemetry_")) {
                absent.add(metric + ": registered at its first event");
            } else {
                failures.add(where + "no job exports " + metric);
            }
        }
        return String.join("; ", absent);
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

package org.jkn.telemetry.gateway.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped Prometheus configuration loads and its alert rules behave as their unit tests in
 * {@code docker/prometheus/alerts.test.yml} say, checked by Prometheus's own {@code promtool}.
 */
class PrometheusConfigTest {

    private static Path promtool;

    @BeforeAll
    static void findPromtool() {
        promtool = DockerDirectory.prometheusTool("promtool");
    }

    @Test
    void configurationIsValid() throws Exception {
        promtool("check", "config", "prometheus.yml");
    }

    @Test
    void alertRulesAreValid() throws Exception {
        promtool("check", "rules", "alerts.yml");
    }

    @Test
    void alertRulesPassTheirUnitTests() throws Exception {
        promtool("test", "rules", "alerts.test.yml");
    }

    /** Runs promtool in docker/prometheus, where the files name each other by relative path. */
    private static void promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(promtool.toString());
        command.addAll(List.of(arguments));
        Process p =
                new ProcessBuilder(command)
                        .directory(DockerDirectory.resolve("prometheus").toFile())
                        .redirectErrorStream(true)
                        .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within 60 s:\n" + output);
        }
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + output);
    }
}

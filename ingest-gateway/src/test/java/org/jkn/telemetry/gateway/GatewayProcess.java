package org.jkn.telemetry.gateway;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jkn.telemetry.gateway.config.ConfigKey;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;

/**
 * The service as a separate JVM (so it can be killed with SIGKILL), configured like {@link
 * GatewayFixture}.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    public final int httpPort;
    private final Path log;

    private GatewayProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * Starts the service with these settings and waits until {@code /health} is 200. HTTP listens
     * on the configured port, or on a free one where that is 0. Output goes to {@code log}.
     */
    public static GatewayProcess start(Map<ConfigKey, String> config, Path log) throws Exception {
        String configured = config.getOrDefault(ConfigKey.HTTP_PORT, "0");
        int port = "0".equals(configured) ? Ports.free() : Integer.parseInt(configured);
        String cp =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(System.getProperty("chronicle.jvm.args", "").split(" ")));
        cmd.addAll(List.of("-Xmx512m", "-cp", cp, "org.jkn.telemetry.gateway.Main"));
        cmd.removeIf(String::isBlank);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (Map.Entry<ConfigKey, String> e : config.entrySet()) {
            pb.environment().put(e.getKey().envName(), e.getValue());
        }
        pb.environment().put(ConfigKey.HTTP_PORT.envName(), Integer.toString(port));
        pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(log.toString())));
        GatewayProcess g = new GatewayProcess(pb.start(), port, log);
        try {
            g.awaitHealthy();
        } catch (AssertionError e) {
            g.kill();
            throw e;
        }
        return g;
    }

    private void awaitHealthy() {
        Poll.until(
                "the service to become healthy; see " + log,
                Duration.ofSeconds(90),
                () -> {
                    if (!process.isAlive()) {
                        throw new AssertionError(
                                "service exited with " + process.exitValue() + "; see " + log);
                    }
                    try {
                        return get("/health").statusCode() == 200;
                    } catch (IOException e) {
                        return false; // not listening yet
                    }
                });
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: no shutdown hook, no DISCONNECT to the broker, no clean close of the journal. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}

package org.jkn.telemetry.gateway.mqtt.bridge;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
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

/**
 * The service as a separate JVM (so it can be killed with SIGKILL), configured like {@code
 * GatewayFixture}.
 */
final class GatewayProcess implements AutoCloseable {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    final int httpPort;
    private final Path log;

    private GatewayProcess(Process process, int httpPort, Path log) {
        this.process = process;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * Starts the service with these settings (HTTP on a free port) and waits until {@code /health}
     * is 200.
     */
    static GatewayProcess start(Map<ConfigKey, String> config, Path log) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
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
        g.awaitHealthy();
        return g;
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        "service exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (get("/health").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("service did not become healthy; see " + log);
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: no shutdown hook, no DISCONNECT to the broker, no clean close of the journal. */
    void kill() throws InterruptedException {
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

package org.jkn.telemetry.gateway.mqtt.bridge;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Ports;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Mosquitto broker (Debian's {@code mosquitto}, installed by {@code .ci/run}) started for
 * one test on a free loopback port with its own configuration and persistence directory. Where it
 * cannot be found or started, the test is aborted (reported as skipped) with the reason.
 */
final class Mosquitto implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private Mosquitto(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** The executable on PATH or in /usr/sbin (where Debian puts it, often off a user's PATH). */
    static Optional<Path> executable(String name) {
        String path =
                System.getenv().getOrDefault("PATH", "")
                        + File.pathSeparator
                        + "/usr/sbin"
                        + File.pathSeparator
                        + "/usr/local/sbin";
        return Stream.of(path.split(File.pathSeparator))
                .filter(s -> !s.isBlank())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static Mosquitto start(Path dir) throws Exception {
        Optional<Path> exe = executable("mosquitto");
        Assumptions.assumeTrue(
                exe.isPresent(),
                "mosquitto is not installed (Debian: apt-get install mosquitto); .ci/run installs it");
        int port = Ports.free();
        Path data = Files.createDirectories(dir.resolve("mosquitto"));
        Path conf = data.resolve("mosquitto.conf");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "listener " + port + " 127.0.0.1",
                        "allow_anonymous true",
                        "persistence true",
                        "persistence_location " + data + "/",
                        // a stopped gateway's share is queued for it: the default of 1000 would
                        // drop the excess
                        "max_queued_messages 1000000",
                        "log_dest stdout",
                        ""));
        Path log = data.resolve("mosquitto.log");
        ProcessBuilder pb = new ProcessBuilder(exe.get().toString(), "-c", conf.toString());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            Assumptions.abort("mosquitto could not be started: " + e.getMessage());
            throw e;
        }
        Mosquitto m = new Mosquitto(p, port, log);
        try {
            Poll.until(
                    "mosquitto opens port " + port,
                    Duration.ofSeconds(10),
                    () -> {
                        if (!m.process.isAlive()) {
                            Assumptions.abort(
                                    "mosquitto exited with "
                                            + m.process.exitValue()
                                            + " at start: "
                                            + m.logTail());
                        }
                        try (Socket s = new Socket()) {
                            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                            return true;
                        } catch (IOException e) {
                            return false;
                        }
                    });
        } catch (AssertionError e) {
            m.close();
            Assumptions.abort(
                    "mosquitto did not open port " + port + " within 10 s: " + m.logTail());
        }
        return m;
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}

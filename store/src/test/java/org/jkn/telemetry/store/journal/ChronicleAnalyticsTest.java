package org.jkn.telemetry.store.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Health data must not leave the machine, and Chronicle Queue reports usage to Google Analytics
 * unless told not to. A child JVM opens a journal with every proxy pointed at a local listener and
 * {@code user.home} at a fresh directory: an attempt to phone home shows up as a connection or as
 * Chronicle's client-id file. JUnit is kept off the child's class path because Chronicle mutes
 * itself under JUnit, which would make the check pass for the wrong reason; a control run without
 * the switch shows the check does see the attempt.
 */
class ChronicleAnalyticsTest {

    private static final String DISABLE = "-Dchronicle.analytics.disable=true";
    private static final long LINGER_MILLIS = 1_500;

    @TempDir Path home;

    @TempDir Path work;

    @Test
    void journalWithAnalyticsDisabledConnectsNowhereAndLeavesNoTrace() throws Exception {
        Path realHome = Path.of(System.getProperty("user.home"));
        Map<String, Long> realBefore = analyticsFiles(realHome);

        ChildRun run = runJournalInChildJvm(true);

        assertEquals(0, run.exitCode, run.output());
        assertEquals(0, run.connections, "outbound connection attempts\n" + run.output());
        assertEquals(Map.of(), analyticsFiles(home));
        assertEquals(realBefore, analyticsFiles(realHome), "nothing new in " + realHome);
    }

    @Test
    void controlRunWithoutTheSwitchIsSeenPhoningHome() throws Exception {
        ChildRun run = runJournalInChildJvm(false);

        assertEquals(0, run.exitCode, run.output());
        assertTrue(
                analyticsFiles(home).containsKey(".chronicle.analytics.client.id"),
                "client id written: " + analyticsFiles(home));
        assertTrue(
                run.connections > 0, "an analytics request reached the listener\n" + run.output());
    }

    private ChildRun runJournalInChildJvm(boolean analyticsDisabled) throws Exception {
        String jvmArgs = System.getProperty("chronicle.jvm.args");
        assertNotNull(
                jvmArgs, "run through Maven: surefire passes the parent pom's chronicle.jvm.args");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Arrays.stream(jvmArgs.trim().split("\\s+"))
                .filter(a -> !a.startsWith("-Dchronicle.analytics.disable"))
                .forEach(command::add);
        if (analyticsDisabled) {
            command.add(DISABLE);
        }
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try {
            String port = Integer.toString(listener.getLocalPort());
            AtomicInteger connections = new AtomicInteger();
            Thread acceptor =
                    new Thread(() -> acceptAndClose(listener, connections), "analytics-probe");
            acceptor.start();
            command.addAll(
                    List.of(
                            "-Duser.home=" + home,
                            "-DsocksProxyHost=127.0.0.1",
                            "-DsocksProxyPort=" + port,
                            // HttpURLConnection prefers these to SOCKS, and java.net.http ignores
                            // SOCKS altogether
                            "-Dhttp.proxyHost=127.0.0.1",
                            "-Dhttp.proxyPort=" + port,
                            "-Dhttps.proxyHost=127.0.0.1",
                            "-Dhttps.proxyPort=" + port,
                            "-cp",
                            classPathWithoutJUnit(),
                            JournalSmokeMain.class.getName(),
                            work.resolve("journal").toString(),
                            Long.toString(LINGER_MILLIS)));
            Path output = work.resolve("child.log");
            Process child =
                    new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .start();
            if (!child.waitFor(60, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            int exit = child.isAlive() ? -1 : child.exitValue();
            listener.close();
            acceptor.join(5_000);
            return new ChildRun(exit, connections.get(), output);
        } finally {
            listener.close();
        }
    }

    private static void acceptAndClose(ServerSocket listener, AtomicInteger connections) {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                connections.incrementAndGet();
                s.close();
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** The test class path minus every entry that holds JUnit 4 or 5 annotations. */
    private static String classPathWithoutJUnit() throws IOException {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!holdsAny(
                    Path.of(entry), "org/junit/jupiter/api/Test.class", "org/junit/Test.class")) {
                kept.add(entry);
            }
        }
        return String.join(File.pathSeparator, kept);
    }

    private static boolean holdsAny(Path entry, String... classFiles) throws IOException {
        if (Files.isDirectory(entry)) {
            return Arrays.stream(classFiles).anyMatch(c -> Files.exists(entry.resolve(c)));
        }
        if (!Files.isRegularFile(entry)) {
            return false;
        }
        try (JarFile jar = new JarFile(entry.toFile())) {
            return Arrays.stream(classFiles).anyMatch(c -> jar.getEntry(c) != null);
        }
    }

    /** Chronicle's analytics files in a home directory, with their modification times. */
    private static Map<String, Long> analyticsFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Map.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            Map<String, Long> found = new TreeMap<>();
            for (Path p :
                    files.filter(p -> p.getFileName().toString().startsWith(".chronicle.analytics"))
                            .collect(Collectors.toList())) {
                found.put(p.getFileName().toString(), Files.getLastModifiedTime(p).toMillis());
            }
            return found;
        }
    }

    private record ChildRun(int exitCode, int connections, Path log) {
        String output() throws IOException {
            return "child output:\n" + Files.readString(log);
        }
    }
}

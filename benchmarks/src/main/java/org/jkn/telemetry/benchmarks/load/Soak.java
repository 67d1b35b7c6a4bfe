package org.jkn.telemetry.benchmarks.load;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jkn.telemetry.normalizer.catalog.ReadingType;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;

/**
 * Jepsen-style kill -9 soak of the whole service, loopback only and bounded: for each of N runs, a
 * fresh gateway (its own data directory, embedded PostgreSQL) runs as a child process under HTTP
 * load for M seconds and is killed with SIGKILL every 10-30 s (random) and started again on the
 * same directory. Clients behave as real ones: a batch not acknowledged (connection refused, reset,
 * timeout, 503) is sent again until it is. After the last kill the load stops, the journal drains,
 * and the database is counted.
 *
 * <p>Every batch is 600 heart-rate readings of one patient in one hour of its own, so it fills one
 * block exactly: a block with fewer readings than its acknowledged batch lost readings, a block
 * with more (or a block no batch was sent for) holds duplicates. Prints per run and in total:
 * kills, readings acknowledged, stored, lost and duplicated, and the time to drain after the load
 * stopped. Exits 1 when anything was lost or duplicated.
 *
 * <pre>
 * java [chronicle flags] -cp benchmarks/target/benchmarks.jar org.jkn.telemetry.benchmarks.load.Soak \
 *     --runs 20 --seconds 300 --jar ingest-gateway/target/ingest-gateway.jar
 * </pre>
 */
public final class Soak {

    private static final int PER_BATCH = 600;

    private final Path jar;
    private final Path work;
    private final int runs;
    private final int seconds;
    private final int minKillSeconds;
    private final int maxKillSeconds;
    private final int senders;

    /** Simulated patients; each has 7,200 hours (300 days) of batches to fill. */
    private final int patients;

    private final String javaFlags;

    /** Why a sender stopped early (an answer no retry can fix), or null. */
    private volatile String senderFailure;

    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();

    private Soak(Map<String, String> o) {
        jar = Path.of(o.getOrDefault("--jar", "ingest-gateway/target/ingest-gateway.jar"));
        work = Path.of(o.getOrDefault("--work", "benchmarks/target/soak"));
        runs = Integer.parseInt(o.getOrDefault("--runs", "20"));
        seconds = Integer.parseInt(o.getOrDefault("--seconds", "300"));
        minKillSeconds = Integer.parseInt(o.getOrDefault("--kill-min", "10"));
        maxKillSeconds = Integer.parseInt(o.getOrDefault("--kill-max", "30"));
        senders = Integer.parseInt(o.getOrDefault("--senders", "4"));
        patients = Integer.parseInt(o.getOrDefault("--patients", "64"));
        javaFlags = System.getProperty("chronicle.jvm.args", "");
    }

    /** What one run counted. */
    public record Result(
            int kills,
            long acknowledged,
            long stored,
            long lost,
            long duplicated,
            double drainSeconds) {
        Result plus(Result o) {
            return new Result(
                    kills + o.kills,
                    acknowledged + o.acknowledged,
                    stored + o.stored,
                    lost + o.lost,
                    duplicated + o.duplicated,
                    Math.max(drainSeconds, o.drainSeconds));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        Result total = new Soak(o).runAll();
        System.exit(total.lost() == 0 && total.duplicated() == 0 ? 0 : 1);
    }

    /** Runs every round and prints the table; returns the totals. */
    public static Result run(Map<String, String> options) throws Exception {
        return new Soak(options).runAll();
    }

    private Result runAll() throws Exception {
        System.out.printf(
                "soak: %d runs of %d s, kill -9 every %d-%d s, %d senders, batches of %d%n",
                runs, seconds, minKillSeconds, maxKillSeconds, senders, PER_BATCH);
        System.out.println(
                "| run | kills | acknowledged | stored | lost | duplicated | drain after load (s) |");
        System.out.println("|---|---|---|---|---|---|---|");
        Result total = new Result(0, 0, 0, 0, 0, 0);
        for (int r = 1; r <= runs; r++) {
            Result one = runOnce(work.resolve("run-" + r));
            total = total.plus(one);
            print(Integer.toString(r), one);
        }
        print("total", total);
        return total;
    }

    private static void print(String name, Result r) {
        System.out.printf(
                "| %s | %d | %d | %d | %d | %d | %.1f |%n",
                name, r.kills, r.acknowledged, r.stored, r.lost, r.duplicated, r.drainSeconds);
    }

    private Result runOnce(Path dir) throws Exception {
        deleteTree(dir);
        Files.createDirectories(dir);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Pseudonymizer pseudonyms = new Pseudonymizer(key);
        int port = freePort();
        ServiceProcess service =
                new ServiceProcess(dir, port, Base64.getEncoder().encodeToString(key));
        service.start();
        String base = "http://127.0.0.1:" + port;
        String[] niks = new String[patients];
        String[] tokens = new String[patients];
        consentPatients(new GatewayClient(base), niks, tokens);
        // each patient's batches take consecutive hours from 300 days back: far inside the
        // accepted age, and never two batches in one block
        long firstHour = Instant.now().getEpochSecond() / 3600 - 300 * 24;
        List<long[]> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean loading = new AtomicBoolean(true);
        List<Thread> threads = startSenders(base, niks, tokens, firstHour, loading, acknowledged);
        int kills = killUntilTheEnd(service);
        loading.set(false);
        for (Thread t : threads) {
            t.join();
        }
        if (senderFailure != null) {
            service.stop();
            throw new IllegalStateException(senderFailure);
        }
        long drainStart = System.nanoTime();
        awaitDrained(base);
        double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
        Result r = count(service, pseudonyms, niks, firstHour, acknowledged, kills, drainSeconds);
        service.stop();
        if (r.lost == 0 && r.duplicated == 0) {
            deleteTree(dir);
        }
        return r;
    }

    /** Fills {@code niks} and {@code tokens}: each patient with its own token and a consent. */
    private static void consentPatients(GatewayClient client, String[] niks, String[] tokens)
            throws Exception {
        for (int p = 0; p < niks.length; p++) {
            niks[p] = Niks.of(900_000 + p);
            tokens[p] = client.patientToken(niks[p]);
            client.consent(tokens[p], niks[p]);
        }
    }

    /** One thread per sender, each with every {@code senders}-th patient. */
    private List<Thread> startSenders(
            String base,
            String[] niks,
            String[] tokens,
            long firstHour,
            AtomicBoolean loading,
            List<long[]> acknowledged) {
        AtomicLong[] nextBatch = new AtomicLong[patients];
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            for (int p = sender; p < patients; p += senders) {
                nextBatch[p] = new AtomicLong();
            }
            Thread t =
                    new Thread(
                            () ->
                                    send(
                                            sender,
                                            base,
                                            niks,
                                            tokens,
                                            nextBatch,
                                            firstHour,
                                            loading,
                                            acknowledged),
                            "soak-sender-" + s);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    /**
     * Kills and restarts the service at random intervals for the run's {@code seconds}; returns the
     * kills.
     */
    private int killUntilTheEnd(ServiceProcess service) throws Exception {
        int kills = 0;
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (true) {
            long wait =
                    Duration.ofSeconds(
                                    ThreadLocalRandom.current()
                                            .nextInt(minKillSeconds, maxKillSeconds + 1))
                            .toNanos();
            if (System.nanoTime() + wait >= end) {
                break;
            }
            Thread.sleep(wait / 1_000_000); // the pause between kills is the experiment
            service.kill();
            kills++;
            service.start();
        }
        Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000));
        return kills;
    }

    /**
     * One sender's loop: its patients in turn, one batch at a time, each sent until acknowledged.
     * Stops starting new batches when the load ends, but finishes the one in hand.
     */
    private void send(
            int sender,
            String base,
            String[] niks,
            String[] tokens,
            AtomicLong[] nextBatch,
            long firstHour,
            AtomicBoolean loading,
            List<long[]> acknowledged) {
        int p = sender;
        while (loading.get()) {
            long batch = nextBatch[p].getAndIncrement();
            byte[] body = batch(niks[p], p, firstHour + batch);
            HttpRequest request =
                    HttpRequest.newBuilder(URI.create(base + "/v1/readings"))
                            .timeout(Duration.ofSeconds(20))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + tokens[p])
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build();
            while (true) {
                try {
                    HttpResponse<String> r =
                            http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 202) {
                        acknowledged.add(new long[] {p, batch});
                        break;
                    }
                    if (r.statusCode() != 503) {
                        senderFailure =
                                "a soak batch was refused: " + r.statusCode() + " " + r.body();
                        loading.set(false);
                        return;
                    }
                } catch (IOException e) {
                    // killed or restarting: send it again, as a device would
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                pause(200);
            }
            p += senders;
            if (p >= patients) {
                p = sender;
            }
        }
    }

    private static byte[] batch(String nik, int patient, long hour) {
        StringBuilder b = new StringBuilder(PER_BATCH * 90);
        b.append("{\"patient\":\"")
                .append(nik)
                .append("\",\"device\":{\"id\":\"soak-")
                .append(patient)
                .append("\",\"manufacturer\":\"Sim\",\"model\":\"Band\"},\"readings\":[");
        for (int i = 0; i < PER_BATCH; i++) {
            b.append(i == 0 ? "" : ",")
                    .append("{\"id\":\"h")
                    .append(hour)
                    .append('-')
                    .append(i)
                    .append("\",\"type\":\"heart_rate\",\"time\":\"")
                    .append(Instant.ofEpochSecond(hour * 3600 + i * 6L))
                    .append("\",\"value\":")
                    .append(60 + i % 40)
                    .append('}');
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private void awaitDrained(String base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r =
                        http.send(
                                HttpRequest.newBuilder(URI.create(base + "/health"))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("\"journalLagReadings\":0")) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            pause(100);
        }
        throw new IllegalStateException("the journal did not drain within 10 minutes");
    }

    private Result count(
            ServiceProcess service,
            Pseudonymizer pseudonyms,
            String[] niks,
            long firstHour,
            List<long[]> acknowledged,
            int kills,
            double drainSeconds)
            throws Exception {
        Map<String, Integer> patientOf = new HashMap<>();
        for (int p = 0; p < niks.length; p++) {
            patientOf.put(pseudonyms.patientId(niks[p]), p);
        }
        Map<Long, Long> stored = new HashMap<>(); // (patient, batch) -> readings
        long storedTotal = 0;
        long duplicated = 0;
        try (Connection c = DriverManager.getConnection(service.jdbcUrl(), "postgres", "");
                PreparedStatement ps =
                        c.prepareStatement(
                                "select patient_id, extract(epoch from window_start)::bigint,"
                                        + " sum(n_readings) from reading_blocks where type = ?"
                                        + " group by 1, 2")) {
            ps.setShort(1, (short) ReadingType.HEART_RATE.id());
            try (ResultSet r = ps.executeQuery()) {
                while (r.next()) {
                    Integer p = patientOf.get(r.getString(1));
                    long n = r.getLong(3);
                    storedTotal += n;
                    long batch = r.getLong(2) / 3600 - firstHour;
                    if (p == null || batch < 0 || n > PER_BATCH) {
                        duplicated += p == null || batch < 0 ? n : n - PER_BATCH;
                        continue;
                    }
                    stored.put(p * 1_000_000_000L + batch, n);
                }
            }
        }
        long lost = 0;
        for (long[] a : acknowledged) {
            long n = stored.getOrDefault(a[0] * 1_000_000_000L + a[1], 0L);
            lost += PER_BATCH - Math.min(PER_BATCH, n);
        }
        return new Result(
                kills,
                (long) acknowledged.size() * PER_BATCH,
                storedTotal,
                lost,
                duplicated,
                drainSeconds);
    }

    /** The gateway as a child process on one data directory, started again after each kill. */
    private final class ServiceProcess {
        private final Path dir;
        private final int port;
        private final String pseudonymKey;
        private Process process;

        ServiceProcess(Path dir, int port, String pseudonymKey) {
            this.dir = dir;
            this.port = port;
            this.pseudonymKey = pseudonymKey;
        }

        void start() throws Exception {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (String f : javaFlags.trim().split("\\s+", -1)) {
                if (!f.isEmpty()) {
                    command.add(f);
                }
            }
            command.add("-Xmx1g");
            command.add("-jar");
            command.add(jar.toAbsolutePath().toString());
            ProcessBuilder pb = new ProcessBuilder(command);
            Map<String, String> env = pb.environment();
            env.put("TELEMETRY_PROFILE", "dev");
            env.put("TELEMETRY_DATA_DIR", dir.toAbsolutePath().toString());
            env.put("TELEMETRY_HTTP_HOST", "127.0.0.1");
            env.put("TELEMETRY_HTTP_PORT", Integer.toString(port));
            env.put("TELEMETRY_MQTT_PORT", "");
            env.put("TELEMETRY_PSEUDONYM_KEY", pseudonymKey);
            pb.redirectErrorStream(true);
            pb.redirectOutput(
                    ProcessBuilder.Redirect.appendTo(dir.resolve("gateway.log").toFile()));
            process = pb.start();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "the gateway exited with "
                                    + process.exitValue()
                                    + "; see "
                                    + dir.resolve("gateway.log"));
                }
                try {
                    HttpResponse<Void> r =
                            http.send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + port
                                                                    + "/health/live"))
                                            .timeout(Duration.ofSeconds(2))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        return;
                    }
                } catch (IOException e) {
                    // still starting
                }
                pause(100);
            }
            throw new IllegalStateException("the gateway did not start within 3 minutes");
        }

        /** SIGKILL: no shutdown hook, no flush, as a power cut of the process. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                kill();
            }
        }

        /** The embedded PostgreSQL's address, from its postmaster.pid (fourth line: the port). */
        String jdbcUrl() throws IOException {
            List<String> pid =
                    Files.readAllLines(dir.resolve("postgres").resolve("postmaster.pid"));
            return "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/postgres";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package org.jkn.telemetry.gateway.fhir.export;

import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jkn.telemetry.gateway.config.GatewayConfig.ExportConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bulk exports of this instance: in memory only, so none survives a restart (the directory is
 * emptied at start and a status URL from before answers 404). At most {@code maxRunningJobs} run at
 * once, each on a worker of its own pool so a long export never holds a thread the API needs; a
 * kick-off beyond that is refused ({@link #submit} returns null). A job and its files are deleted
 * {@code expiry} after it ends, by a sweep on a timer, or at once when cancelled.
 *
 * <p>Job ids are 128 random bits: a status or file URL cannot be guessed, and each answers only the
 * caller who started the job anyway. Thread-safe.
 */
public final class ExportJobs {

    /** What a job does: writes its files into the job's directory and lists them. */
    @FunctionalInterface
    public interface Work {
        List<OutputFile> run(ExportJob job) throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(ExportJobs.class);

    /**
     * Jobs kept (running, or ended and not yet expired) at most: small exports end in milliseconds,
     * so the running limit alone would not bound the files kept on disk.
     */
    static final int MAX_KEPT_JOBS = 1_000;

    /** Of those, one caller's at most: one caller cannot take every place from the others. */
    static final int MAX_KEPT_JOBS_PER_OWNER = 50;

    private static final Pattern JOB_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern FILE_NAME =
            Pattern.compile("[A-Z][A-Za-z]{1,30}-[0-9]{1,7}\\.ndjson");

    private final WorkerExecutor workers;
    private final ExportConfig config;
    private final Map<String, ExportJob> jobs = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

    private ExportJobs(Vertx vertx, ExportConfig config) {
        this.config = config;
        // a job may run for long: no blocked-thread warnings before a day
        this.workers =
                vertx.createSharedWorkerExecutor(
                        "bulk-export", config.maxRunningJobs(), 24, TimeUnit.HOURS);
    }

    /** Empties the export directory (files of an earlier run) and starts the expiry sweep. */
    public static ExportJobs start(Vertx vertx, ExportConfig config) throws IOException {
        Files.createDirectories(config.directory());
        try (Stream<Path> earlier = Files.list(config.directory())) {
            for (Path p : earlier.toList()) {
                deleteTree(p);
            }
        }
        ExportJobs jobs = new ExportJobs(vertx, config);
        long period = Math.max(1_000, Math.min(60_000, config.expiry().toMillis() / 2));
        vertx.setPeriodic(
                period,
                id ->
                        vertx.executeBlocking(() -> jobs.sweep(Instant.now()), false)
                                .onFailure(
                                        e ->
                                                log.warn(
                                                        "bulk export sweep failed ({})",
                                                        e.getClass().getSimpleName())));
        return jobs;
    }

    public Duration expiry() {
        return config.expiry();
    }

    public int fileMaxResources() {
        return config.fileMaxResources();
    }

    /**
     * Starts {@code work} for {@code owner} on an export worker; null when {@code maxRunningJobs}
     * are running already, or {@link #MAX_KEPT_JOBS} are kept, or {@link #MAX_KEPT_JOBS_PER_OWNER}
     * of this owner's (answer 429).
     */
    public ExportJob submit(String owner, String request, Work work) {
        if (jobs.size() >= MAX_KEPT_JOBS
                || jobs.values().stream().filter(j -> j.owner().equals(owner)).count()
                        >= MAX_KEPT_JOBS_PER_OWNER) {
            return null;
        }
        if (running.incrementAndGet() > config.maxRunningJobs()) {
            running.decrementAndGet();
            return null;
        }
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        String id = HexFormat.of().formatHex(bits);
        ExportJob job =
                new ExportJob(id, owner, request, Instant.now(), config.directory().resolve(id));
        jobs.put(id, job);
        workers.executeBlocking(() -> run(job, work), false)
                .onComplete(done -> running.decrementAndGet());
        return job;
    }

    /** On an export worker: the job's whole life, its failure and its cancellation included. */
    private Void run(ExportJob job, Work work) {
        try {
            Files.createDirectories(job.directory());
            List<OutputFile> files = work.run(job);
            job.complete(files, Instant.now());
        } catch (CancellationException e) {
            job.fail(Instant.now());
        } catch (Exception | LinkageError e) {
            // the kind only: a message could quote a row
            log.error("bulk export failed: {}", e.getClass().getName());
            job.fail(Instant.now());
            deleteQuietly(job);
        }
        if (job.cancelled()) {
            deleteQuietly(job);
        }
        return null;
    }

    /** The caller's job, or null when absent, another caller's, cancelled or expired. */
    public ExportJob find(String id, String owner) {
        if (id == null || !JOB_ID.matcher(id).matches()) {
            return null;
        }
        ExportJob job = jobs.get(id);
        return job == null || !job.owner().equals(owner) || expired(job, Instant.now())
                ? null
                : job;
    }

    /**
     * Cancels and forgets the caller's job and deletes its files (a running job's worker deletes
     * them when it stops); false when {@link #find} does not find it. Blocks on the file system.
     */
    public boolean cancel(String id, String owner) {
        ExportJob job = find(id, owner);
        if (job == null || jobs.remove(id) == null) {
            return false;
        }
        job.cancel();
        if (job.state() != ExportJob.State.RUNNING) {
            deleteQuietly(job);
        }
        return true;
    }

    /** True for a job id in the form this server issues. */
    public static boolean isJobId(String id) {
        return JOB_ID.matcher(id).matches();
    }

    /** True for a file name in the form this server writes (no path of any kind). */
    public static boolean isFileName(String name) {
        return FILE_NAME.matcher(name).matches();
    }

    /** The file of a complete job, or null when the job has no such file. */
    public Path file(ExportJob job, String name) {
        if (job.state() != ExportJob.State.COMPLETE || !isFileName(name)) {
            return null;
        }
        for (OutputFile f : job.output()) {
            if (f.name().equals(name)) {
                return job.directory().resolve(name);
            }
        }
        return null;
    }

    /** Forgets and deletes the jobs that ended more than {@code expiry} ago; returns how many. */
    int sweep(Instant now) {
        int n = 0;
        for (ExportJob job : List.copyOf(jobs.values())) {
            if (expired(job, now) && jobs.remove(job.id(), job)) {
                deleteQuietly(job);
                n++;
            }
        }
        return n;
    }

    private boolean expired(ExportJob job, Instant now) {
        Instant ended = job.endedAt();
        return ended != null && !now.isBefore(ended.plus(config.expiry()));
    }

    private static void deleteQuietly(ExportJob job) {
        try {
            deleteTree(job.directory());
        } catch (IOException | UncheckedIOException e) {
            log.warn("bulk export files could not be deleted ({})", e.getClass().getSimpleName());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

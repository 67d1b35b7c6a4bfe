package org.jkn.telemetry.store.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from the binaries shipped in a Maven artifact, with its data
 * directory kept across restarts. It listens on loopback only.
 *
 * <p>After the service was killed with SIGKILL the old postmaster may still run on the directory:
 * it is stopped first (SIGTERM, PostgreSQL's "smart" shutdown, then SIGKILL as a last resort), so a
 * restart never fails on a stale lock.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        Files.createDirectories(
                dataDir.getParent() == null
                        ? dataDir.toAbsolutePath().getParent()
                        : dataDir.getParent());
        stopStalePostmaster(dataDir);
        EmbeddedPostgres pg =
                EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(false)
                        .setRegisterShutdownHook(false)
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("listen_addresses", "127.0.0.1")
                        .setServerConfig("max_connections", "50")
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .start();
        log.info("embedded PostgreSQL started on 127.0.0.1:{}", pg.getPort());
        return new EmbeddedDatabase(pg);
    }

    public DataSource dataSource() {
        return postgres.getPostgresDatabase();
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public int port() {
        return postgres.getPort();
    }

    private static void stopStalePostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        // A live service holds the embedded server's lock file: its postmaster is not stale, and
        // stopping it would take the database from under that service.
        if (lockHeldByAnotherProcess(dataDir.resolve("epg-lock"))) {
            throw new IOException(
                    "another running service uses "
                            + dataDir
                            + "; stop it or choose another data directory");
        }
        String first =
                Files.readAllLines(pidFile, StandardCharsets.US_ASCII).stream()
                        .findFirst()
                        .orElse("")
                        .trim();
        long pid;
        try {
            pid = Long.parseLong(first);
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> old = ProcessHandle.of(pid);
        if (old.isEmpty()
                || !old.get().info().command().map(c -> c.contains("postgres")).orElse(false)) {
            return; // stale pid file; PostgreSQL itself handles that
        }
        log.warn(
                "the embedded PostgreSQL of a service that died (pid {}) still runs on {}; stopping it",
                pid,
                dataDir);
        // SIGINT is PostgreSQL's fast shutdown; SIGTERM (smart) would wait for clients that may
        // never leave
        try {
            new ProcessBuilder("kill", "-INT", Long.toString(pid))
                    .start()
                    .waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            old.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            old.get().destroyForcibly();
        }
    }

    private static boolean lockHeldByAnotherProcess(Path lockFile) throws IOException {
        if (!Files.exists(lockFile)) {
            return false;
        }
        try (java.nio.channels.FileChannel ch =
                java.nio.channels.FileChannel.open(
                        lockFile, java.nio.file.StandardOpenOption.WRITE)) {
            java.nio.channels.FileLock lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return true; // held in this very process
        }
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}

package org.jkn.telemetry.gateway.wiring;

import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.store.copy.BlockUpgrade;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.jkn.telemetry.store.crypto.ErasureSweeper;
import org.jkn.telemetry.store.crypto.KekRotation;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.device.DeviceRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work beside the edges, on worker threads: schema maintenance every hour, the erasure sweep, and
 * the one-off start-up jobs (sealing device registrations an earlier version stored in plain text,
 * moving its one-row readings into blocks, re-wrapping data keys under the current KEK). Opens
 * nothing of its own: the timers stop with Vert.x.
 */
public final class BackgroundJobs {

    private static final Logger log = LoggerFactory.getLogger(BackgroundJobs.class);
    private static final long MAINTENANCE_PERIOD_MILLIS = TimeUnit.HOURS.toMillis(1);
    private static final int ERASURE_BATCH_ROWS = 5_000;
    private static final int ERASURE_BATCHES_PER_RUN = 200;
    private static final int ROTATION_BATCH = 1_000;
    private static final int LEGACY_BATCH_ROWS = 1_000;

    private BackgroundJobs() {}

    public static void start(
            Vertx vertx, GatewayConfig config, StoreWiring store, DeviceRegistry devices) {
        scheduleMaintenance(vertx, store.database());
        scheduleErasureSweep(vertx, config, store);
        runStartUpJobs(vertx, store, devices);
    }

    private static void scheduleMaintenance(Vertx vertx, Database database) {
        vertx.setPeriodic(
                MAINTENANCE_PERIOD_MILLIS,
                id ->
                        vertx.executeBlocking(
                                        () -> database.maintenance().run(Instant.now()), false)
                                .onFailure(
                                        e ->
                                                log.warn(
                                                        "schema maintenance failed: {}",
                                                        e.getMessage())));
    }

    private static void scheduleErasureSweep(Vertx vertx, GatewayConfig config, StoreWiring store) {
        ErasureSweeper sweeper =
                new ErasureSweeper(store.database().dataSource(), ERASURE_BATCH_ROWS);
        vertx.setPeriodic(
                config.erasureSweepPeriod().toMillis(),
                id ->
                        vertx.executeBlocking(() -> sweeper.sweep(ERASURE_BATCHES_PER_RUN), false)
                                .onSuccess(store.metrics()::erasedRowsDeleted)
                                .onFailure(
                                        e ->
                                                log.warn(
                                                        "erasure sweep failed ({})",
                                                        e.getClass().getSimpleName())));
    }

    private static void runStartUpJobs(Vertx vertx, StoreWiring store, DeviceRegistry devices) {
        KekRotation rotation = new KekRotation(store.database().dataSource(), store.keks());
        BlockUpgrade legacy = new BlockUpgrade(store.database().dataSource(), store.crypto());
        startUpJob(
                vertx,
                () -> devices.sealPlaintextRows(LEGACY_BATCH_ROWS),
                "sealed the attributes of {} device registrations stored in plain text by an earlier version",
                "sealing plaintext device registrations of an earlier version stopped ({}); it resumes at the next start");
        startUpJob(
                vertx,
                () -> legacy.run(LEGACY_BATCH_ROWS),
                "moved {} readings stored one row each by an earlier version into blocks",
                "moving readings of an earlier version into blocks stopped ({}); it resumes at the next start");
        startUpJob(
                vertx,
                () -> rotation.run(ROTATION_BATCH),
                "re-wrapped {} data keys under KEK " + store.kek().id(),
                "KEK rotation stopped ({}); keep the previous KEKs configured");
    }

    /**
     * Runs a one-off start-up job on a worker thread: logs {@code done} with the count when it did
     * something, {@code failed} with the failure's code or class (never its message) when it
     * stopped.
     */
    private static void startUpJob(
            Vertx vertx, Callable<? extends Number> job, String done, String failed) {
        vertx.executeBlocking(job, false)
                .onSuccess(
                        n -> {
                            if (n.longValue() > 0) {
                                log.info(done, n);
                            }
                        })
                .onFailure(
                        e ->
                                log.error(
                                        failed,
                                        e instanceof CryptoFailure f
                                                ? f.code()
                                                : e.getClass().getSimpleName()));
    }
}

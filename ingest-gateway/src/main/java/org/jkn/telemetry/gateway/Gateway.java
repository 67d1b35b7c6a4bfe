package org.jkn.telemetry.gateway;

import ca.uhn.fhir.context.FhirContext;
import io.vertx.core.Vertx;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.net.InetAddress;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jkn.telemetry.gateway.audit.Auditor;
import org.jkn.telemetry.gateway.audit.RefusalRecorder;
import org.jkn.telemetry.gateway.auth.AuthResponses;
import org.jkn.telemetry.gateway.auth.Authentication;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.gateway.config.DevKeys;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.gateway.fhir.FhirResponses;
import org.jkn.telemetry.gateway.fhir.FhirRoute;
import org.jkn.telemetry.gateway.fhir.FhirRoutes;
import org.jkn.telemetry.gateway.http.DevicesHandler;
import org.jkn.telemetry.gateway.http.JsonErrors;
import org.jkn.telemetry.gateway.http.ReadingsHandler;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.ingest.CollectionConsent;
import org.jkn.telemetry.gateway.mqtt.MqttIngestServer;
import org.jkn.telemetry.gateway.mqtt.bridge.BrokerBridge;
import org.jkn.telemetry.gateway.mqtt.bridge.DeviceDirectory;
import org.jkn.telemetry.gateway.ops.HealthHandler;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.audit.AuditLog;
import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.consent.ConsentStore;
import org.jkn.telemetry.store.copy.BlockUpgrade;
import org.jkn.telemetry.store.crypto.DataKeys;
import org.jkn.telemetry.store.crypto.DeviceSealer;
import org.jkn.telemetry.store.crypto.ErasureSweeper;
import org.jkn.telemetry.store.crypto.KekRing;
import org.jkn.telemetry.store.crypto.KekRotation;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.jkn.telemetry.store.crypto.NonceSource;
import org.jkn.telemetry.store.crypto.PatientErasure;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.store.db.ChangeNotices;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.device.DeviceRegistry;
import org.jkn.telemetry.store.device.SecretHasher;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalDrainer;
import org.jkn.telemetry.store.query.ReadingQueries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: database, journal, drainer, HTTP server and MQTT server, started in that
 * order and stopped in reverse. {@link #start} returns once the HTTP and MQTT ports are open.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);
    private static final long MAINTENANCE_PERIOD_MILLIS = TimeUnit.HOURS.toMillis(1);
    private static final int DATA_KEYS_CACHED = 100_000;

    /**
     * How long another instance's erasure may take to reach this instance's ingest (reads see it at
     * once).
     */
    private static final long DATA_KEY_TTL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private static final int ERASURE_BATCH_ROWS = 5_000;
    private static final int ERASURE_BATCHES_PER_RUN = 200;
    private static final int ROTATION_BATCH = 1_000;
    private static final int LEGACY_BATCH_ROWS = 1_000;

    private final Vertx vertx;
    private final Database database;
    private final ReadingCrypto crypto;
    private final PatientErasure erasure;
    private final Journal journal;
    private final JournalDrainer drainer;

    /** The plain HTTP listener, or null when it is off. */
    private final HttpServer server;

    /** The HTTPS listener, or null when it is off. */
    private final HttpServer tlsServer;

    private final MqttIngestServer mqtt;
    private final Authentication authentication;

    /** The external broker's subscription, or null when MQTT_BROKER_URL is empty. */
    private final BrokerBridge broker;

    private final AuditLog auditLog;
    private final ChangeNotices notices;

    private Gateway(
            Vertx vertx,
            Database database,
            ReadingCrypto crypto,
            PatientErasure erasure,
            Journal journal,
            JournalDrainer drainer,
            HttpServer server,
            HttpServer tlsServer,
            MqttIngestServer mqtt,
            BrokerBridge broker,
            Authentication authentication,
            AuditLog auditLog,
            ChangeNotices notices) {
        this.tlsServer = tlsServer;
        this.authentication = authentication;
        this.vertx = vertx;
        this.database = database;
        this.crypto = crypto;
        this.erasure = erasure;
        this.journal = journal;
        this.drainer = drainer;
        this.server = server;
        this.mqtt = mqtt;
        this.broker = broker;
        this.auditLog = auditLog;
        this.notices = notices;
    }

    public static Gateway start(GatewayConfig config) throws IOException, SQLException {
        byte[] key =
                config.pseudonymKey() != null
                        ? config.pseudonymKey()
                        : DevKeys.pseudonymKey(config.dataDir());
        Pseudonymizer pseudonymizer = new Pseudonymizer(key);
        Authentication authentication =
                Authentication.create(
                        config.auth(), config.production(), config.dataDir(), Clock.systemUTC());
        Database database = Database.open(config.database());
        Journal journal = null;
        JournalDrainer drainer = null;
        Vertx vertx = null;
        AuditLog auditLog = null;
        ChangeNotices notices = null;
        try {
            LocalKek kek = config.kek() != null ? config.kek() : DevKeys.kek(config.dataDir());
            KekRing keks = new KekRing(kek, config.previousKeks());
            DataKeys dataKeys =
                    new DataKeys(
                            database.dataSource(),
                            keks,
                            DATA_KEYS_CACHED,
                            DATA_KEY_TTL_NANOS,
                            System::nanoTime);
            ReadingCrypto crypto =
                    new ReadingCrypto(
                            dataKeys,
                            new RowKeys(key),
                            NonceSource.fromDatabase(database.dataSource()));
            PatientErasure erasure = new PatientErasure(database.dataSource(), dataKeys);
            journal =
                    Journal.open(config.dataDir().resolve("journal"), config.journalSync(), crypto);
            Metrics metrics = new Metrics(journal);
            drainer =
                    new JournalDrainer(
                            journal,
                            database.dataSource(),
                            metrics,
                            config.writeBatchReadings(),
                            config.drainWriters());
            drainer.start();

            vertx = Vertx.vertx();
            Router router = Router.router(vertx);
            FhirContext fhir = FhirContext.forR4Cached();
            FhirResponses fhirResponses = new FhirResponses(fhir);
            installErrorHandlers(router, fhirResponses, metrics);
            AuthResponses authResponses = new AuthResponses(fhirResponses, metrics);
            auditLog = new AuditLog(database.dataSource(), auditSource(config), Clock.systemUTC());
            Auditor auditor = new Auditor(auditLog);
            // before authentication, so the 401s it answers are recorded too
            router.route("/fhir/*").handler(new RefusalRecorder(vertx, auditor));
            authentication.mount(vertx, router, authResponses, pseudonymizer);

            BatchNormalizer normalizer = new BatchNormalizer(pseudonymizer, config.limits());
            ConsentStore consentStore = new ConsentStore(database.dataSource());
            ConsentDecisions consents =
                    new ConsentDecisions(
                            consentStore,
                            config.consent().cacheTtl(),
                            config.consent().cacheMaxPatients());
            erasure.onErased(
                    ConsentStore
                            ::erasePatient); // an erased patient consents to nothing until asked
            // again
            BatchIngest ingest =
                    new BatchIngest(
                            normalizer,
                            journal,
                            metrics,
                            config.maxPendingReadings(),
                            Clock.systemUTC(),
                            CollectionConsent.of(consents));
            DeviceRegistry devices =
                    new DeviceRegistry(
                            database.dataSource(),
                            pseudonymizer,
                            new SecretHasher(),
                            new DeviceSealer(crypto),
                            config.deviceAuthCacheTtl(),
                            Math.max(1, Runtime.getRuntime().availableProcessors()));
            notices =
                    ChangeNotices.listen(
                            database::dedicatedConnection,
                            new CacheInvalidation(dataKeys, consents, devices));
            new DevicesHandler(vertx, devices, pseudonymizer, authResponses).mount(router);
            router.post("/v1/readings")
                    .handler(ctx -> ReadingsHandler.requireUploadScope(ctx, authResponses));
            router.post("/v1/readings")
                    .handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()))
                    .handler(new ReadingsHandler(vertx, ingest, authResponses));
            ReadingQueries queries =
                    new ReadingQueries(database.dataSource(), crypto, config.limits().maxPeriod());
            new FhirRoutes(
                            new FhirRoute(vertx, fhirResponses, authResponses, auditor, metrics),
                            queries,
                            consentStore,
                            consents,
                            pseudonymizer,
                            config.searchZone(),
                            (patientId, alsoIfFound) -> {
                                PatientErasure.Result r = erasure.erase(patientId, alsoIfFound);
                                r.registeredDevices()
                                        .forEach(devices::forget); // their live MQTT connections
                                // close at once
                                consents.invalidate(patientId);
                                return r;
                            })
                    .mount(router);
            HealthHandler health = new HealthHandler(vertx, database, drainer, journal);
            router.get("/health").handler(health::health);
            router.get("/health/live").handler(health::live);
            router.get("/metrics")
                    .handler(
                            ctx ->
                                    ctx.response()
                                            .putHeader(
                                                    "Content-Type",
                                                    "text/plain; version=0.0.4; charset=utf-8")
                                            .end(metrics.scrape()));

            HttpServer server =
                    config.httpPort() == GatewayConfig.DISABLED
                            ? null
                            : listen(vertx, router, httpOptions(config).setPort(config.httpPort()));
            HttpServer tlsServer = null;
            if (config.httpTls().enabled()) {
                tlsServer =
                        listen(
                                vertx,
                                router,
                                httpOptions(config)
                                        .setPort(config.httpTls().port())
                                        .setSsl(true)
                                        .setUseAlpn(true)
                                        .setKeyCertOptions(
                                                new PemKeyCertOptions()
                                                        .setCertPath(
                                                                config.httpTls().cert().toString())
                                                        .setKeyPath(
                                                                config.httpTls()
                                                                        .key()
                                                                        .toString())));
            }
            MqttIngestServer mqtt =
                    MqttIngestServer.start(vertx, config.mqtt(), devices, ingest, metrics);
            BrokerBridge broker;
            try {
                broker =
                        config.broker() == null
                                ? null
                                : BrokerBridge.start(
                                        config.broker(),
                                        new DeviceDirectory(devices, config.deviceAuthCacheTtl()),
                                        ingest,
                                        metrics);
            } catch (IOException e) {
                mqtt.close();
                throw e;
            }
            Vertx v = vertx;
            v.setPeriodic(
                    MAINTENANCE_PERIOD_MILLIS,
                    id ->
                            v.executeBlocking(
                                            () -> database.maintenance().run(Instant.now()), false)
                                    .onFailure(
                                            e ->
                                                    log.warn(
                                                            "schema maintenance failed: {}",
                                                            e.getMessage())));
            ErasureSweeper sweeper = new ErasureSweeper(database.dataSource(), ERASURE_BATCH_ROWS);
            v.setPeriodic(
                    config.erasureSweepPeriod().toMillis(),
                    id ->
                            v.executeBlocking(() -> sweeper.sweep(ERASURE_BATCHES_PER_RUN), false)
                                    .onSuccess(metrics::erasedRowsDeleted)
                                    .onFailure(
                                            e ->
                                                    log.warn(
                                                            "erasure sweep failed ({})",
                                                            e.getClass().getSimpleName())));
            KekRotation rotation = new KekRotation(database.dataSource(), keks);
            BlockUpgrade legacy = new BlockUpgrade(database.dataSource(), crypto);
            startUpJob(
                    v,
                    () -> devices.sealPlaintextRows(LEGACY_BATCH_ROWS),
                    "sealed the attributes of {} device registrations stored in plain text by an earlier version",
                    "sealing plaintext device registrations of an earlier version stopped ({}); it resumes at the next start");
            startUpJob(
                    v,
                    () -> legacy.run(LEGACY_BATCH_ROWS),
                    "moved {} readings stored one row each by an earlier version into blocks",
                    "moving readings of an earlier version into blocks stopped ({}); it resumes at the next start");
            startUpJob(
                    v,
                    () -> rotation.run(ROTATION_BATCH),
                    "re-wrapped {} data keys under KEK " + kek.id(),
                    "KEK rotation stopped ({}); keep the previous KEKs configured");
            log.info(
                    "listening on {}{}(FHIR at /fhir, ingest at /v1/readings)",
                    server == null
                            ? ""
                            : "http://" + config.httpHost() + ":" + server.actualPort() + " ",
                    tlsServer == null
                            ? ""
                            : "https://" + config.httpHost() + ":" + tlsServer.actualPort() + " ");
            return new Gateway(
                    vertx,
                    database,
                    crypto,
                    erasure,
                    journal,
                    drainer,
                    server,
                    tlsServer,
                    mqtt,
                    broker,
                    authentication,
                    auditLog,
                    notices);
        } catch (Exception e) {
            closeQuietly(vertx, auditLog, notices, drainer, journal, database);
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof SQLException sql) {
                throw sql;
            }
            throw new IOException("the gateway could not start: " + e.getMessage(), e);
        }
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
                                        e instanceof org.jkn.telemetry.store.crypto.CryptoFailure f
                                                ? f.code()
                                                : e.getClass().getSimpleName()));
    }

    private static HttpServerOptions httpOptions(GatewayConfig config) {
        // the same header budget for HTTP/1.1 and HTTP/2 (h2c upgrade, TLS ALPN): room for a bearer
        // token of
        // TokenVerifier.MAX_TOKEN_CHARS with the other headers
        return new HttpServerOptions()
                .setHost(config.httpHost())
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(16384)
                .setInitialSettings(new Http2Settings().setMaxHeaderListSize(16384));
    }

    private static HttpServer listen(Vertx vertx, Router router, HttpServerOptions options)
            throws Exception {
        return vertx.createHttpServer(options)
                .requestHandler(router)
                .listen()
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    /**
     * The node named as observer in audit records: the instance's broker client id when it has one
     * (unique and stable per instance by contract), else the host name.
     */
    private static String auditSource(GatewayConfig config) {
        if (config.broker() != null) {
            return config.broker().clientId();
        }
        try {
            String host = InetAddress.getLocalHost().getHostName();
            return host == null || host.isBlank() ? "localhost" : host;
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static void installErrorHandlers(Router router, FhirResponses fhir, Metrics metrics) {
        router.errorHandler(
                413,
                ctx -> {
                    if (ctx.request().path().startsWith("/fhir")) {
                        fhir.error(
                                ctx,
                                413,
                                IssueType.TOOLONG,
                                "the body is larger than this resource may be");
                        return;
                    }
                    if (ctx.request().path().startsWith("/v1/devices")) {
                        JsonErrors.send(
                                ctx.response(),
                                413,
                                "body-too-large",
                                "a device registration is at most "
                                        + DevicesHandler.MAX_BODY_BYTES
                                        + " bytes");
                        return;
                    }
                    metrics.refusedTooLarge();
                    JsonErrors.send(
                            ctx.response(),
                            413,
                            "body-too-large",
                            "the body is larger than this server accepts; split the batch");
                });
        for (int status : new int[] {400, 404, 405, 500}) {
            router.errorHandler(
                    status,
                    ctx -> {
                        if (status == 500 && ctx.failure() != null) {
                            log.error("request failed", ctx.failure());
                        }
                        if (ctx.request().path().startsWith("/fhir")) {
                            fhir.error(
                                    ctx,
                                    status,
                                    status == 500 ? IssueType.EXCEPTION : IssueType.INVALID,
                                    statusText(status));
                        } else {
                            JsonErrors.send(
                                    ctx.response(),
                                    status,
                                    status == 500 ? "internal-error" : "bad-request",
                                    statusText(status));
                        }
                    });
        }
    }

    private static String statusText(int status) {
        return switch (status) {
            case 400 -> "The request is malformed";
            case 404 -> "Not found";
            case 405 -> "Method not allowed here";
            default -> "Internal error; nothing was kept from this request";
        };
    }

    /** The plain HTTP port, or -1 when that listener is off. */
    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    /** The HTTPS port, or -1 when that listener is off. */
    public int tlsPort() {
        return tlsServer == null ? -1 : tlsServer.actualPort();
    }

    /**
     * The development token minter, or null unless tokens are verified with the generated
     * development key.
     */
    public DevTokens devTokens() {
        return authentication.devTokens();
    }

    /** The embedded MQTT server (its ports; {@code -1} for a listener that is off). */
    public MqttIngestServer mqtt() {
        return mqtt;
    }

    public Database database() {
        return database;
    }

    public ReadingCrypto crypto() {
        return crypto;
    }

    /** The one place a patient is erased (crypto-shredding); see {@link PatientErasure}. */
    public PatientErasure erasure() {
        return erasure;
    }

    public Journal journal() {
        return journal;
    }

    public JournalDrainer drainer() {
        return drainer;
    }

    @Override
    public void close() {
        if (broker != null) {
            broker.close(); // first: deliveries in hand are left unacknowledged for the broker to
            // resend
        }
        mqtt.close();
        for (HttpServer s : new HttpServer[] {server, tlsServer}) {
            if (s == null) {
                continue;
            }
            try {
                s.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("HTTP server did not close cleanly: {}", e.getMessage());
            }
        }
        closeQuietly(vertx, auditLog, notices, drainer, journal, database);
    }

    private static void closeQuietly(
            Vertx vertx,
            AuditLog auditLog,
            ChangeNotices notices,
            JournalDrainer drainer,
            Journal journal,
            Database database) {
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Vert.x did not close cleanly: {}", e.getMessage());
            }
        }
        if (notices != null) {
            notices.close();
        }
        if (auditLog != null) {
            auditLog.close(); // after Vert.x, so requests still in flight get their records
            // committed
        }
        if (drainer != null) {
            try {
                drainer.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (journal != null) {
            journal.close();
        }
        try {
            database.close();
        } catch (IOException e) {
            log.warn("database did not close cleanly: {}", e.getMessage());
        }
    }
}

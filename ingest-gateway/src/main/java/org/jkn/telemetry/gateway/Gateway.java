package org.jkn.telemetry.gateway;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.gateway.auth.Authentication;
import org.jkn.telemetry.gateway.auth.dev.DevTokens;
import org.jkn.telemetry.gateway.config.DevKeys;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.gateway.mqtt.MqttIngestServer;
import org.jkn.telemetry.gateway.wiring.AuditTrail;
import org.jkn.telemetry.gateway.wiring.BackgroundJobs;
import org.jkn.telemetry.gateway.wiring.HttpListeners;
import org.jkn.telemetry.gateway.wiring.HttpRoutes;
import org.jkn.telemetry.gateway.wiring.IngestWiring;
import org.jkn.telemetry.gateway.wiring.MqttWiring;
import org.jkn.telemetry.gateway.wiring.StartFailure;
import org.jkn.telemetry.gateway.wiring.StoreWiring;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.audit.AuditLog;
import org.jkn.telemetry.store.crypto.PatientErasure;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.db.ChangeNotices;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalDrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running service: database, journal, drainer, HTTP server and MQTT server, started in that
 * order and stopped in reverse. {@link #start} returns once the HTTP and MQTT ports are open.
 *
 * <p>The composition root: each part is wired by its piece in {@code gateway.wiring}; this class
 * decides only the order between the pieces, which is the same when a start fails halfway.
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final Authentication authentication;
    private final StoreWiring store;
    private final Vertx vertx;
    private final AuditLog auditLog;
    private final IngestWiring ingest;
    private final HttpListeners http;
    private final MqttWiring mqtt;

    private Gateway(
            Authentication authentication,
            StoreWiring store,
            Vertx vertx,
            AuditLog auditLog,
            IngestWiring ingest,
            HttpListeners http,
            MqttWiring mqtt) {
        this.authentication = authentication;
        this.store = store;
        this.vertx = vertx;
        this.auditLog = auditLog;
        this.ingest = ingest;
        this.http = http;
        this.mqtt = mqtt;
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
        StoreWiring store = StoreWiring.open(config, key);
        Vertx vertx = null;
        AuditLog auditLog = null;
        IngestWiring ingest = null;
        HttpListeners http = null;
        MqttWiring mqtt = null;
        try {
            vertx = Vertx.vertx();
            auditLog = AuditTrail.open(config, store.database());
            ingest = IngestWiring.start(config, store, pseudonymizer);
            Router router =
                    HttpRoutes.build(
                            vertx, config, authentication, pseudonymizer, auditLog, store, ingest);
            http = HttpListeners.listen(vertx, router, config);
            mqtt = MqttWiring.start(vertx, config, ingest, store.metrics());
            BackgroundJobs.start(vertx, config, store, ingest.devices());
            log.info("listening on {}(FHIR at /fhir, ingest at /v1/readings)", http.urls());
            return new Gateway(authentication, store, vertx, auditLog, ingest, http, mqtt);
        } catch (Exception e) {
            closeQuietly(mqtt, http, vertx, auditLog, ingest, store);
            throw StartFailure.of(e);
        }
    }

    /** The plain HTTP port, or -1 when that listener is off. */
    public int port() {
        return http.port();
    }

    /** The HTTPS port, or -1 when that listener is off. */
    public int tlsPort() {
        return http.tlsPort();
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
        return mqtt.server();
    }

    public Database database() {
        return store.database();
    }

    public ReadingCrypto crypto() {
        return store.crypto();
    }

    /** The one place a patient is erased (crypto-shredding); see {@link PatientErasure}. */
    public PatientErasure erasure() {
        return store.erasure();
    }

    /** Listening to other instances' changes; tests wait for it before caching anything. */
    public ChangeNotices notices() {
        return ingest.notices();
    }

    public Journal journal() {
        return store.journal();
    }

    public JournalDrainer drainer() {
        return store.drainer();
    }

    @Override
    public void close() {
        closeQuietly(mqtt, http, vertx, auditLog, ingest, store);
    }

    /** Closes, in this order, each piece that was started (a failed start leaves some null). */
    private static void closeQuietly(
            MqttWiring mqtt,
            HttpListeners http,
            Vertx vertx,
            AuditLog auditLog,
            IngestWiring ingest,
            StoreWiring store) {
        if (mqtt != null) {
            mqtt.close();
        }
        if (http != null) {
            http.close();
        }
        if (vertx != null) {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.warn("Vert.x did not close cleanly: {}", e.getMessage());
            }
        }
        if (ingest != null) {
            ingest.close();
        }
        if (auditLog != null) {
            // after Vert.x, so requests still in flight get their records committed
            auditLog.close();
        }
        store.close();
    }
}

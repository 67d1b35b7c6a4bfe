package org.jkn.telemetry.gateway.wiring;

import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import org.jkn.telemetry.gateway.config.DevKeys;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.gateway.ops.Metrics;
import org.jkn.telemetry.store.crypto.DataKeys;
import org.jkn.telemetry.store.crypto.KekRing;
import org.jkn.telemetry.store.crypto.LocalKek;
import org.jkn.telemetry.store.crypto.NonceSource;
import org.jkn.telemetry.store.crypto.PatientErasure;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.crypto.RowKeys;
import org.jkn.telemetry.store.db.Database;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalDrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage: the database, the key hierarchy and reading encryption, patient erasure, the journal and
 * the drainer that moves it into the database, opened in that order and closed in reverse. The
 * metrics are born here too: they read the journal's backlog and the drainer reports to them.
 */
public final class StoreWiring {

    private static final Logger log = LoggerFactory.getLogger(StoreWiring.class);
    private static final int DATA_KEYS_CACHED = 100_000;

    /**
     * How long another instance's erasure may take to reach this instance's ingest (reads see it at
     * once).
     */
    private static final long DATA_KEY_TTL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final Database database;
    private final LocalKek kek;
    private final KekRing keks;
    private final DataKeys dataKeys;
    private final ReadingCrypto crypto;
    private final PatientErasure erasure;
    private final Journal journal;
    private final Metrics metrics;
    private final JournalDrainer drainer;

    private StoreWiring(
            Database database,
            LocalKek kek,
            KekRing keks,
            DataKeys dataKeys,
            ReadingCrypto crypto,
            PatientErasure erasure,
            Journal journal,
            Metrics metrics,
            JournalDrainer drainer) {
        this.database = database;
        this.kek = kek;
        this.keks = keks;
        this.dataKeys = dataKeys;
        this.crypto = crypto;
        this.erasure = erasure;
        this.journal = journal;
        this.metrics = metrics;
        this.drainer = drainer;
    }

    /**
     * Opens it all and starts the drainer; when a step fails, closes what was opened before it.
     *
     * @param pseudonymKey the key of patient pseudonyms, from which row keys are derived too
     */
    public static StoreWiring open(GatewayConfig config, byte[] pseudonymKey)
            throws IOException, SQLException {
        Database database = Database.open(config.database());
        Journal journal = null;
        JournalDrainer drainer = null;
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
                            new RowKeys(pseudonymKey),
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
            return new StoreWiring(
                    database, kek, keks, dataKeys, crypto, erasure, journal, metrics, drainer);
        } catch (Exception e) {
            closeQuietly(drainer, journal, database);
            throw StartFailure.of(e);
        }
    }

    public Database database() {
        return database;
    }

    /** The current key-encryption key, under which new data keys are wrapped. */
    public LocalKek kek() {
        return kek;
    }

    /** The current key-encryption key and the previous ones still configured. */
    public KekRing keks() {
        return keks;
    }

    public DataKeys dataKeys() {
        return dataKeys;
    }

    public ReadingCrypto crypto() {
        return crypto;
    }

    public PatientErasure erasure() {
        return erasure;
    }

    public Journal journal() {
        return journal;
    }

    public Metrics metrics() {
        return metrics;
    }

    public JournalDrainer drainer() {
        return drainer;
    }

    /** Stops the drainer, then closes the journal and the database. */
    public void close() {
        closeQuietly(drainer, journal, database);
    }

    private static void closeQuietly(JournalDrainer drainer, Journal journal, Database database) {
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

package org.jkn.telemetry.gateway.wiring;

import java.time.Clock;
import java.time.Duration;
import org.jkn.telemetry.gateway.config.GatewayConfig;
import org.jkn.telemetry.gateway.ingest.BatchIngest;
import org.jkn.telemetry.gateway.ingest.CollectionConsent;
import org.jkn.telemetry.gateway.ingest.DiskGuard;
import org.jkn.telemetry.normalizer.BatchNormalizer;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.consent.ConsentStore;
import org.jkn.telemetry.store.crypto.DeviceSealer;
import org.jkn.telemetry.store.db.ChangeNotices;
import org.jkn.telemetry.store.device.DeviceRegistry;
import org.jkn.telemetry.store.device.SecretHasher;

/**
 * What both edges ingest through: the normalizer, the patients' consent decisions, batch ingest
 * into the journal, the device registry, and the change notices that keep those caches in step with
 * the other instances sharing the database. The notices are the only thing it opens.
 */
public final class IngestWiring {

    /**
     * How often the free disk space is measured: ingest stops within this of the disk running low.
     */
    private static final Duration DISK_CHECK_PERIOD = Duration.ofSeconds(1);

    private final ConsentStore consentStore;
    private final ConsentDecisions consents;
    private final BatchIngest batchIngest;
    private final DeviceRegistry devices;
    private final ChangeNotices notices;
    private final DiskGuard diskGuard;

    private IngestWiring(
            DiskGuard diskGuard,
            ConsentStore consentStore,
            ConsentDecisions consents,
            BatchIngest batchIngest,
            DeviceRegistry devices,
            ChangeNotices notices) {
        this.diskGuard = diskGuard;
        this.consentStore = consentStore;
        this.consents = consents;
        this.batchIngest = batchIngest;
        this.devices = devices;
        this.notices = notices;
    }

    /** Builds it on storage; listening to the change notices comes last. */
    public static IngestWiring start(
            GatewayConfig config, StoreWiring store, Pseudonymizer pseudonymizer) {
        BatchNormalizer normalizer = new BatchNormalizer(pseudonymizer, config.limits());
        ConsentStore consentStore = new ConsentStore(store.database().dataSource());
        ConsentDecisions consents =
                new ConsentDecisions(
                        consentStore,
                        config.consent().cacheTtl(),
                        config.consent().cacheMaxPatients());
        // an erased patient consents to nothing until asked again
        store.erasure().onErased(ConsentStore::erasePatient);
        DiskGuard diskGuard =
                new DiskGuard(
                        config.dataDir(),
                        config.dataDir().resolve("journal"),
                        config.disk().minFreeBytes(),
                        config.disk().maxJournalBytes(),
                        DISK_CHECK_PERIOD);
        store.metrics()
                .disk(diskGuard::freeBytes, diskGuard::journalBytes, () -> diskGuard.low() ? 1 : 0);
        BatchIngest batchIngest =
                new BatchIngest(
                        normalizer,
                        store.journal(),
                        store.metrics(),
                        config.maxPendingReadings(),
                        Clock.systemUTC(),
                        CollectionConsent.of(consents),
                        diskGuard::low);
        DeviceRegistry devices =
                new DeviceRegistry(
                        store.database().dataSource(),
                        pseudonymizer,
                        new SecretHasher(),
                        new DeviceSealer(store.crypto()),
                        config.deviceAuthCacheTtl(),
                        Math.max(1, Runtime.getRuntime().availableProcessors()));
        ChangeNotices notices =
                ChangeNotices.listen(
                        store.database()::dedicatedConnection,
                        new CacheInvalidation(store.dataKeys(), consents, devices));
        return new IngestWiring(diskGuard, consentStore, consents, batchIngest, devices, notices);
    }

    public ConsentStore consentStore() {
        return consentStore;
    }

    public ConsentDecisions consents() {
        return consents;
    }

    public BatchIngest batchIngest() {
        return batchIngest;
    }

    /** The change notices this instance listens to (tests wait for them to be heard). */
    public ChangeNotices notices() {
        return notices;
    }

    public DeviceRegistry devices() {
        return devices;
    }

    /** Stops listening to the change notices and measuring the disk. */
    public void close() {
        notices.close();
        diskGuard.close();
    }
}

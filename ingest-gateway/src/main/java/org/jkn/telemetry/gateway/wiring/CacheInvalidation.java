package org.jkn.telemetry.gateway.wiring;

import org.jkn.telemetry.store.consent.ConsentDecisions;
import org.jkn.telemetry.store.crypto.DataKeys;
import org.jkn.telemetry.store.db.ChangeNotices;
import org.jkn.telemetry.store.device.DeviceRegistry;

/**
 * Applies the change notices of every instance sharing the database to this one's caches: a consent
 * change drops the patient's decision, an erasure the patient's data keys and decision, a
 * revocation the device's credentials and live connections. After a gap in the notices all of them
 * are dropped (live connections excepted: a device revoked meanwhile is refused at its next
 * CONNECT).
 */
final class CacheInvalidation implements ChangeNotices.Listener {

    private final DataKeys keys;
    private final ConsentDecisions consents;
    private final DeviceRegistry devices;

    CacheInvalidation(DataKeys keys, ConsentDecisions consents, DeviceRegistry devices) {
        this.keys = keys;
        this.consents = consents;
        this.devices = devices;
    }

    @Override
    public void changed(ChangeNotices.Kind kind, String subject) {
        switch (kind) {
            case CONSENT -> consents.invalidate(subject);
            case ERASURE -> {
                keys.invalidate(subject);
                consents.invalidate(subject);
            }
            case DEVICE_REVOKED -> devices.forget(subject);
        }
    }

    @Override
    public void missed() {
        keys.invalidateAll();
        consents.invalidateAll();
        devices.forgetCachedCredentials();
    }
}

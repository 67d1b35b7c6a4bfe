package org.jkn.telemetry.store.device;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jkn.telemetry.normalizer.identity.Pseudonymizer;
import org.jkn.telemetry.store.crypto.CryptoFailure;
import org.jkn.telemetry.store.crypto.DeviceSealer;

/**
 * Devices registered to publish for one patient each: registration hands out an id and a secret
 * once; authentication checks them; revocation takes effect at once.
 *
 * <p>Costs and threading: {@link #register}, {@link #authenticate} and {@link #revoke} block (JDBC,
 * PBKDF2) and belong on worker threads; at most {@code maxConcurrentHashes} PBKDF2 computations run
 * at once, beyond which authentication answers {@code BUSY} and registration throws {@link
 * RegistryBusyException}. {@link #cached} and {@link #isRevoked} never block. Thread-safe.
 *
 * <p>Revocation is immediate in this process: cached verifications of the device are dropped, the
 * device is remembered as revoked (so a verification racing with the revocation cannot succeed or
 * be cached), and listeners are told so they can close live connections. Other processes sharing
 * the database get a change notice and call {@link #forget}; without it they would see the
 * revocation at their next uncached authentication, at most one cache TTL later.
 *
 * <p>A registration's manufacturer and model are free text, so they are stored sealed under the
 * patient's data key ({@link DeviceSealer}) and opened only after the secret is verified.
 */
public final class DeviceRegistry {

    private static final int MAX_CACHED = 100_000;
    private static final long REGISTRATION_WAIT_SECONDS = 5;

    private final DeviceStore store;
    private final DeviceSealer sealer;
    private final Pseudonymizer pseudonymizer;
    private final SecretHasher hasher;
    private final DeviceIds ids = new DeviceIds();
    private final CredentialCache cache;
    private final Semaphore hashing;
    private final Set<String> revokedHere = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> revocationListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> forgetAllListeners = new CopyOnWriteArrayList<>();

    /**
     * A registration looked up by id alone (behind an external broker, which authenticated the
     * device).
     */
    public record Lookup(RegisteredDevice device, boolean revoked) {}

    public DeviceRegistry(
            DataSource dataSource,
            Pseudonymizer pseudonymizer,
            SecretHasher hasher,
            DeviceSealer sealer,
            Duration cacheTtl,
            int maxConcurrentHashes) {
        if (maxConcurrentHashes < 1) {
            throw new IllegalArgumentException("maxConcurrentHashes must be >= 1");
        }
        this.store = new DeviceStore(dataSource);
        this.sealer = sealer;
        this.pseudonymizer = pseudonymizer;
        this.hasher = hasher;
        this.cache = new CredentialCache(cacheTtl.toNanos(), MAX_CACHED, System::nanoTime);
        this.hashing = new Semaphore(maxConcurrentHashes);
    }

    /**
     * Registers a device and returns its credentials; the secret is not kept and cannot be shown
     * again.
     */
    public DeviceCredentials register(DeviceRegistration registration) throws SQLException {
        String id = ids.newDeviceId();
        String secret = ids.newSecret();
        SecretHash hash;
        try {
            if (!hashing.tryAcquire(REGISTRATION_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new RegistryBusyException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryBusyException();
        }
        try {
            hash = hasher.hash(secret);
        } finally {
            hashing.release();
        }
        DeviceSealer.Sealed attrs =
                sealer.seal(
                        registration.patientId(),
                        id,
                        registration.manufacturer(),
                        registration.model());
        store.insert(
                id,
                registration,
                attrs,
                pseudonymizer.deviceSerial(registration.manufacturer(), registration.serial()),
                hash);
        return new DeviceCredentials(id, secret);
    }

    /**
     * The device when these exact credentials were verified within the cache TTL, else null.
     * Non-blocking.
     */
    public RegisteredDevice cached(String deviceId, String secret) {
        if (deviceId == null || secret == null || revokedHere.contains(deviceId)) {
            return null;
        }
        return cache.get(deviceId, secret);
    }

    /**
     * Checks a device's credentials against the database; blocking (JDBC and, unless refused early,
     * PBKDF2).
     */
    public AuthResult authenticate(String deviceId, String secret) throws SQLException {
        if (secret == null || !DeviceIds.isPlausible(deviceId)) {
            return AuthResult.BAD_CREDENTIALS;
        }
        DeviceStore.StoredDevice stored = store.find(deviceId);
        if (stored == null) {
            return AuthResult.BAD_CREDENTIALS;
        }
        if (!hashing.tryAcquire()) {
            return AuthResult.BUSY;
        }
        boolean match;
        try {
            match = hasher.verify(secret, stored.secret());
        } finally {
            hashing.release();
        }
        if (!match) {
            return AuthResult.BAD_CREDENTIALS;
        }
        if (stored.revoked() || revokedHere.contains(deviceId)) {
            return AuthResult.REVOKED;
        }
        RegisteredDevice device;
        try {
            device = open(stored);
        } catch (CryptoFailure e) {
            if (CryptoFailure.KEYS_UNAVAILABLE.equals(e.code())) {
                throw e; // the database is away: a retry can help
            }
            // sealed under a destroyed key (its patient erased meanwhile) or altered: no retry will
            // open it, so the device is turned away for good rather than asked to come back
            return AuthResult.REVOKED;
        }
        cache.put(deviceId, secret, device);
        if (revokedHere.contains(deviceId)) {
            // revoked while this verification ran: undo the cache entry it may have just added
            cache.evictDevice(deviceId);
            return AuthResult.REVOKED;
        }
        return AuthResult.accepted(device);
    }

    /**
     * Revokes a device: it cannot authenticate again and listeners are told, so live connections
     * can be closed. Returns false when there is no such device; revoking twice is harmless.
     */
    public boolean revoke(String deviceId) throws SQLException {
        if (!DeviceIds.isPlausible(deviceId) || !store.revoke(deviceId)) {
            return false;
        }
        revokedHere.add(deviceId);
        cache.evictDevice(deviceId);
        for (Consumer<String> l : revocationListeners) {
            l.accept(deviceId);
        }
        return true;
    }

    /**
     * The pseudonym of the patient a device is registered for, or null when there is no such
     * device. Blocking (JDBC).
     */
    public String patientOf(String deviceId) throws SQLException {
        if (!DeviceIds.isPlausible(deviceId)) {
            return null;
        }
        DeviceStore.StoredDevice stored = store.find(deviceId);
        return stored == null ? null : stored.patientId();
    }

    /**
     * The registration of a device by id alone, or null when there is none: for a broker that has
     * authenticated the device itself. Blocking (JDBC, and the data key on a cache miss).
     */
    public Lookup lookup(String deviceId) throws SQLException {
        if (!DeviceIds.isPlausible(deviceId)) {
            return null;
        }
        DeviceStore.StoredDevice stored = store.find(deviceId);
        if (stored == null) {
            return null;
        }
        return new Lookup(open(stored), stored.revoked() || revokedHere.contains(deviceId));
    }

    /**
     * Seals the attributes of registrations stored in clear by earlier versions, {@code batch} rows
     * at a time, until none is left; returns how many. Run once at start-up, on a worker thread.
     */
    public int sealPlaintextRows(int batch) throws SQLException {
        int sealed = 0;
        while (true) {
            List<DeviceStore.PlaintextDevice> rows = store.plaintext(batch);
            for (DeviceStore.PlaintextDevice d : rows) {
                store.seal(d.id(), sealer.seal(d.patientId(), d.id(), d.manufacturer(), d.model()));
                sealed++;
            }
            if (rows.size() < batch) {
                return sealed;
            }
        }
    }

    /**
     * The device as registered, its attributes opened (CryptoFailure, never wrong data, when they
     * do not open).
     */
    private RegisteredDevice open(DeviceStore.StoredDevice s) {
        if (s.sealed() == null) {
            return new RegisteredDevice(
                    s.id(),
                    s.patientId(),
                    s.manufacturer(),
                    s.model()); // not sealed yet (earlier version)
        }
        DeviceSealer.Attributes a = sealer.open(s.patientId(), s.id(), s.keyVersion(), s.sealed());
        return new RegisteredDevice(s.id(), s.patientId(), a.manufacturer(), a.model());
    }

    /**
     * Forgets a device whose registration was deleted (its patient was erased): cached
     * verifications are dropped and listeners told, as for a revocation. Non-blocking.
     */
    public void forget(String deviceId) {
        revokedHere.add(deviceId);
        cache.evictDevice(deviceId);
        for (Consumer<String> l : revocationListeners) {
            l.accept(deviceId);
        }
    }

    /**
     * Drops every cached verification (revocation notices may have been missed): the next CONNECT
     * of each device reads the database, and {@link #onForgetAll} listeners drop what they cache.
     */
    public void forgetCachedCredentials() {
        cache.clear();
        for (Runnable l : forgetAllListeners) {
            l.run();
        }
    }

    /** Called by {@link #forgetCachedCredentials}; must not block. */
    public void onForgetAll(Runnable listener) {
        forgetAllListeners.add(listener);
    }

    /**
     * True when the device was revoked through this registry since the process started.
     * Non-blocking.
     */
    public boolean isRevoked(String deviceId) {
        return revokedHere.contains(deviceId);
    }

    /** Called with the device id after each revocation, on the revoking thread; must not block. */
    public void onRevoked(Consumer<String> listener) {
        revocationListeners.add(listener);
    }
}

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

/**
 * Devices registered to publish for one patient each: registration hands out an id and a secret
 * once; authentication checks them; revocation takes effect at once.
 *
 * <p>Costs and threading: {@link #register}, {@link #authenticate} and {@link #revoke} block (JDBC,
 * PBKDF2) and belong on worker threads; at most {@code maxConcurrentHashes} PBKDF2 computations run
 * at once, beyond which authentication answers {@code BUSY} and registration throws
 * {@link RegistryBusyException}. {@link #cached} and {@link #isRevoked} never block. Thread-safe.
 *
 * <p>Revocation is immediate in this process: cached verifications of the device are dropped, the
 * device is remembered as revoked (so a verification racing with the revocation cannot succeed or
 * be cached), and listeners are told so they can close live connections. Other processes sharing
 * the database see it at their next uncached authentication, at most one cache TTL later.
 */
public final class DeviceRegistry {

    private static final int MAX_CACHED = 100_000;
    private static final long REGISTRATION_WAIT_SECONDS = 5;

    private final DeviceStore store;
    private final Pseudonymizer pseudonymizer;
    private final SecretHasher hasher;
    private final DeviceIds ids = new DeviceIds();
    private final CredentialCache cache;
    private final Semaphore hashing;
    private final Set<String> revokedHere = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> revocationListeners = new CopyOnWriteArrayList<>();

    public DeviceRegistry(DataSource dataSource, Pseudonymizer pseudonymizer, SecretHasher hasher, Duration cacheTtl,
                          int maxConcurrentHashes) {
        if (maxConcurrentHashes < 1) {
            throw new IllegalArgumentException("maxConcurrentHashes must be >= 1");
        }
        this.store = new DeviceStore(dataSource);
        this.pseudonymizer = pseudonymizer;
        this.hasher = hasher;
        this.cache = new CredentialCache(cacheTtl.toNanos(), MAX_CACHED, System::nanoTime);
        this.hashing = new Semaphore(maxConcurrentHashes);
    }

    /** Registers a device and returns its credentials; the secret is not kept and cannot be shown again. */
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
        store.insert(id, registration, pseudonymizer.deviceSerial(registration.manufacturer(), registration.serial()), hash);
        return new DeviceCredentials(id, secret);
    }

    /** The device when these exact credentials were verified within the cache TTL, else null. Non-blocking. */
    public RegisteredDevice cached(String deviceId, String secret) {
        if (deviceId == null || secret == null || revokedHere.contains(deviceId)) {
            return null;
        }
        return cache.get(deviceId, secret);
    }

    /** Checks a device's credentials against the database; blocking (JDBC and, unless refused early, PBKDF2). */
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
        cache.put(deviceId, secret, stored.device());
        if (revokedHere.contains(deviceId)) {
            // revoked while this verification ran: undo the cache entry it may have just added
            cache.evictDevice(deviceId);
            return AuthResult.REVOKED;
        }
        return AuthResult.accepted(stored.device());
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

    /** The pseudonym of the patient a device is registered for, or null when there is no such device. Blocking (JDBC). */
    public String patientOf(String deviceId) throws SQLException {
        if (!DeviceIds.isPlausible(deviceId)) {
            return null;
        }
        DeviceStore.StoredDevice stored = store.find(deviceId);
        return stored == null ? null : stored.device().patientId();
    }

    /**
     * Forgets a device whose registration was deleted (its patient was erased): cached verifications
     * are dropped and listeners told, as for a revocation. Non-blocking.
     */
    public void forget(String deviceId) {
        revokedHere.add(deviceId);
        cache.evictDevice(deviceId);
        for (Consumer<String> l : revocationListeners) {
            l.accept(deviceId);
        }
    }

    /** Drops every cached verification (revocation notices may have been missed): the next CONNECT of each device reads the database. */
    public void forgetCachedCredentials() {
        cache.clear();
    }

    /** True when the device was revoked through this registry since the process started. Non-blocking. */
    public boolean isRevoked(String deviceId) {
        return revokedHere.contains(deviceId);
    }

    /** Called with the device id after each revocation, on the revoking thread; must not block. */
    public void onRevoked(Consumer<String> listener) {
        revocationListeners.add(listener);
    }
}

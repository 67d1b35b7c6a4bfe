package org.jkn.telemetry.store.device;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Recently verified credentials, so a reconnect storm costs one SHA-256 per connection instead of
 * one PBKDF2. The key is SHA-256 of id and secret (the secret has 256 bits of entropy, so a fast
 * hash is enough in memory); nothing is kept on disk. Entries expire after the TTL, and {@link
 * #evictDevice} drops a device's entries at once.
 *
 * <p>Thread-safe and non-blocking: safe to call on an event loop. Bounded: when full, expired
 * entries are purged and, if still full, new ones are simply not cached.
 */
final class CredentialCache {

    private record Entry(RegisteredDevice device, long expiresAtNanos) {}

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final long ttlNanos;
    private final int maxEntries;
    private final LongSupplier nanoTime;

    CredentialCache(long ttlNanos, int maxEntries, LongSupplier nanoTime) {
        this.ttlNanos = ttlNanos;
        this.maxEntries = maxEntries;
        this.nanoTime = nanoTime;
    }

    RegisteredDevice get(String deviceId, String secret) {
        if (ttlNanos <= 0) {
            return null;
        }
        String key = key(deviceId, secret);
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (nanoTime.getAsLong() - e.expiresAtNanos >= 0) {
            entries.remove(key, e);
            return null;
        }
        return e.device;
    }

    void put(String deviceId, String secret, RegisteredDevice device) {
        if (ttlNanos <= 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(e -> now - e.expiresAtNanos >= 0);
            if (entries.size() >= maxEntries) {
                return;
            }
        }
        entries.put(key(deviceId, secret), new Entry(device, now + ttlNanos));
    }

    void evictDevice(String deviceId) {
        entries.values().removeIf(e -> e.device.id().equals(deviceId));
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }

    private static String key(String deviceId, String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(deviceId.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            return Base64.getEncoder()
                    .encodeToString(sha.digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
        }
    }
}

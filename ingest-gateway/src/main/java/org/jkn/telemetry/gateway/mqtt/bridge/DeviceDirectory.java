package org.jkn.telemetry.gateway.mqtt.bridge;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.jkn.telemetry.store.device.DeviceIds;
import org.jkn.telemetry.store.device.DeviceRegistry;
import org.jkn.telemetry.store.device.RegisteredDevice;

/**
 * Which patient a device publishes for, by device id alone. Behind an external broker the broker
 * has already authenticated the device, so no secret is checked here; the registry is asked only
 * for the registration (patient pseudonym, manufacturer, model) and whether it was revoked.
 *
 * <p>Registrations come from {@link DeviceRegistry#lookup} and are remembered for the device-auth
 * cache TTL, as verified secrets are; a revocation forgets them at once (through this process, or
 * another one's change notice). Thread-safe; {@link #find} blocks (JDBC) on a cache miss.
 */
public final class DeviceDirectory {

    private static final int MAX_CACHED = 100_000;

    /** A registered device and whether it was revoked. */
    public record Entry(RegisteredDevice device, boolean revoked) {}

    private record Cached(Entry entry, long expiresAt) {}

    private final DeviceRegistry registry;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    public DeviceDirectory(DeviceRegistry registry, Duration ttl) {
        this.registry = registry;
        this.ttlNanos = ttl.toNanos();
        registry.onRevoked(cache::remove);
        registry.onForgetAll(cache::clear);
    }

    /** The device's registration, or null when no device has this id. */
    public Entry find(String deviceId) throws SQLException {
        if (!DeviceIds.isPlausible(deviceId)) {
            return null;
        }
        long now = System.nanoTime();
        Cached c = cache.get(deviceId);
        if (c != null && now - c.expiresAt < 0) {
            return registry.isRevoked(deviceId) ? new Entry(c.entry.device(), true) : c.entry;
        }
        Entry e = load(deviceId);
        if (e != null && !e.revoked() && ttlNanos > 0) {
            if (cache.size() >= MAX_CACHED) {
                cache.clear(); // a crude bound: a burst of misses is cheaper than unbounded memory
            }
            cache.put(deviceId, new Cached(e, now + ttlNanos));
        }
        return e == null || !registry.isRevoked(deviceId) ? e : new Entry(e.device(), true);
    }

    private Entry load(String deviceId) throws SQLException {
        DeviceRegistry.Lookup l = registry.lookup(deviceId);
        return l == null ? null : new Entry(l.device(), l.revoked());
    }
}

package org.jkn.telemetry.gateway.mqtt.impl;

/**
 * A token bucket for one connection's publishes: {@code perSecond} tokens a second, holding at most
 * {@code perSecond}, so a device may burst briefly but not sustain more. Cheap enough to ask on
 * every PUBLISH: no allocation, no clock call beyond the one passed in.
 *
 * <p>Not thread-safe: one per connection, used on its event loop.
 */
final class PublishRate {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long capacityNanos;
    private final long nanosPerToken;
    private long credit;
    private long lastNanos;

    PublishRate(int perSecond, long nowNanos) {
        this.nanosPerToken = NANOS_PER_SECOND / perSecond;
        this.capacityNanos = nanosPerToken * perSecond;
        this.credit = capacityNanos;
        this.lastNanos = nowNanos;
    }

    /** Takes a token if one is there; false when the connection is over its rate. */
    boolean tryAcquire(long nowNanos) {
        credit = Math.min(capacityNanos, credit + (nowNanos - lastNanos));
        lastNanos = nowNanos;
        if (credit < nanosPerToken) {
            return false;
        }
        credit -= nanosPerToken;
        return true;
    }
}

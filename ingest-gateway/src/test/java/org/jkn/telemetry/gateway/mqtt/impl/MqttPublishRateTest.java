package org.jkn.telemetry.gateway.mqtt.impl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-connection token bucket, on a clock the test moves by hand. */
class MqttPublishRateTest {

    private static final long MS = 1_000_000L;

    @Test
    void aBurstOfTheRateIsAllowedThenOnePerIntervalAndNoHoarding() {
        PublishRate rate = new PublishRate(10, 0);
        for (int i = 0; i < 10; i++) {
            assertTrue(rate.tryAcquire(0), "burst " + i);
        }
        assertFalse(rate.tryAcquire(0), "the eleventh at once is over the rate");
        assertFalse(rate.tryAcquire(99 * MS));
        assertTrue(rate.tryAcquire(100 * MS), "one token every 100 ms");
        assertFalse(rate.tryAcquire(150 * MS));
        long later = 3_600_000 * MS;
        for (int i = 0; i < 10; i++) {
            assertTrue(rate.tryAcquire(later));
        }
        assertFalse(
                rate.tryAcquire(later), "an hour of silence still buys only one second's burst");
    }
}

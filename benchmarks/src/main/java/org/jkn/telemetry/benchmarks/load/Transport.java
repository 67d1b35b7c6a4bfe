package org.jkn.telemetry.benchmarks.load;

import java.util.concurrent.CompletableFuture;

/**
 * How one batch of one simulated patient gets to the gateway (HTTP or MQTT), so the pacing,
 * counting and latency recording in {@link LoadDriver} is the same code for every mode.
 */
interface Transport extends AutoCloseable {

    /** The next batch of this patient (its readings continue the previous batch's). */
    byte[] nextBatch(int patient);

    /**
     * Sends it; the future completes when the gateway acknowledged or refused it, never
     * exceptionally.
     */
    CompletableFuture<Outcome> send(int patient, byte[] batch);

    /** Batches one patient may have unacknowledged at once (MQTT: the server's Receive Maximum). */
    int maxInFlightPerPatient();

    @Override
    void close();

    /**
     * What the gateway answered. {@code accepted}/{@code rejected}: readings, as the answer counts
     * them; {@code refused}: the whole batch was turned away with a retry-later answer (HTTP 503,
     * MQTT PUBACK 0x97...), {@code error}: anything else went wrong (null when nothing did); {@code
     * reason}: the first rejection reason or the refusal code, for the summary; {@code
     * retryAfterMillis}: how long a refused client waits before it sends again.
     */
    record Outcome(
            long accepted,
            long rejected,
            boolean refused,
            String reason,
            String error,
            long retryAfterMillis) {

        static Outcome answered(long accepted, long rejected, String firstReason) {
            return new Outcome(accepted, rejected, false, firstReason, null, 0);
        }

        static Outcome refused(String reason, long retryAfterMillis) {
            return new Outcome(0, 0, true, reason, null, retryAfterMillis);
        }

        static Outcome failed(String error) {
            return new Outcome(0, 0, false, null, error, 0);
        }
    }
}

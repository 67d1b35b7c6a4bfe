package org.jkn.telemetry.benchmarks.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Sends batches round-robin over the patients, at most {@code concurrency} unacknowledged at once,
 * either as fast as acknowledgements allow ({@code rate} 0) or on a fixed schedule of {@code rate}
 * readings per second.
 *
 * <p>On a schedule, latency is measured from the time a batch was due, not from when it could be
 * sent: when the gateway stalls and all {@code concurrency} slots are taken, the batches waiting
 * for a slot count that wait, as the phones queueing them would see it (otherwise the stall would
 * hide as a lower send rate: coordinated omission). As fast as possible, it is measured from the
 * send. Latencies are in microseconds.
 */
final class LoadDriver {

    private static final ScheduledExecutorService RETRY_TIMER =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "retry-after");
                        t.setDaemon(true);
                        return t;
                    });
    private final Transport transport;
    private final int patients;
    private final int readingsPerBatch;
    private final double rate;
    private final Semaphore slots;
    private final AtomicIntegerArray inFlight;
    private final int maxPerPatient;
    private final int concurrency;

    final Recorder latency = new Recorder(3);
    final LongAdder batchesSent = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder refusedBatches = new LongAdder();
    final LongAdder failedBatches = new LongAdder();

    /** Rejection and refusal reasons (and error texts) by count, for the summary. */
    final Map<String, LongAdder> reasons = new ConcurrentHashMap<>();

    final AtomicLong lastAnswerNanos = new AtomicLong();
    private volatile long firstSendNanos;
    private volatile long missedBatches;
    private Thread dispatcher;

    LoadDriver(
            Transport transport, int patients, int readingsPerBatch, double rate, int concurrency) {
        this.transport = transport;
        this.patients = patients;
        this.readingsPerBatch = readingsPerBatch;
        this.rate = rate;
        this.concurrency = concurrency;
        this.slots = new Semaphore(concurrency);
        this.inFlight = new AtomicIntegerArray(patients);
        this.maxPerPatient = transport.maxInFlightPerPatient();
        if ((long) maxPerPatient * patients < concurrency) {
            // otherwise a free slot could find no patient allowed another batch
            throw new IllegalArgumentException(
                    "concurrency "
                            + concurrency
                            + " is above "
                            + maxPerPatient
                            + " in flight per patient x "
                            + patients
                            + " patients");
        }
    }

    /** Starts sending for {@code seconds} on a thread of its own. */
    void start(int seconds) {
        firstSendNanos = System.nanoTime();
        long end = firstSendNanos + TimeUnit.SECONDS.toNanos(seconds);
        dispatcher = new Thread(() -> dispatch(firstSendNanos, end), "load-dispatcher");
        dispatcher.start();
    }

    // hot path: one iteration per batch sent
    private void dispatch(long start, long end) {
        long interval = rate > 0 ? Math.max(1, (long) (readingsPerBatch * 1e9 / rate)) : 0;
        int next = 0;
        long k = 0;
        try {
            while (true) {
                long due = start + k * interval;
                if (due >= end || System.nanoTime() >= end) {
                    break;
                }
                while (rate > 0 && System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime());
                }
                if (!slots.tryAcquire(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break; // every slot still taken at the end of the run
                }
                int patient = patientWithRoom(next);
                next = (patient + 1) % patients;
                inFlight.incrementAndGet(patient);
                byte[] batch = transport.nextBatch(patient);
                long t0 = rate > 0 ? due : System.nanoTime();
                batchesSent.increment();
                var unused =
                        transport.send(patient, batch).thenAccept(o -> answered(patient, t0, o));
                k++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (rate > 0) {
            missedBatches = Math.max(0, (end - start + interval - 1) / interval - k);
        }
    }

    /** The first patient from {@code from} on, round-robin, below its in-flight limit. */
    private int patientWithRoom(int from) {
        int p = from;
        while (inFlight.get(p) >= maxPerPatient) {
            p = (p + 1) % patients;
        }
        return p;
    }

    /** Counts a batch's answer and frees its slot, at once or after the Retry-After asked for. */
    private void answered(int patient, long t0, Transport.Outcome o) {
        long now = System.nanoTime();
        lastAnswerNanos.accumulateAndGet(now, Math::max);
        count(o, now - t0);
        if (o.refused() && o.retryAfterMillis() > 0) {
            // a refused client waits as told (journal-full: Retry-After) instead of hammering the
            // gateway; the batch is not sent again, its stretch of simulated time just stays empty
            var unusedTimer =
                    RETRY_TIMER.schedule(
                            () -> free(patient), o.retryAfterMillis(), TimeUnit.MILLISECONDS);
        } else {
            free(patient);
        }
    }

    private void free(int patient) {
        inFlight.decrementAndGet(patient);
        slots.release();
    }

    private void count(Transport.Outcome o, long nanos) {
        if (o.error() != null) {
            failedBatches.increment();
            reason("error: " + o.error());
            return;
        }
        if (o.refused()) {
            refusedBatches.increment();
            reason("refused: " + o.reason());
            return;
        }
        latency.recordValue(Math.max(1, nanos / 1_000));
        accepted.add(o.accepted());
        rejected.add(o.rejected());
        if (o.reason() != null) {
            reason("rejected (first of batch): " + o.reason());
        }
    }

    private void reason(String r) {
        reasons.computeIfAbsent(r.length() > 160 ? r.substring(0, 160) : r, x -> new LongAdder())
                .increment();
    }

    /** Waits for the dispatcher to stop and for every batch in flight to be answered. */
    boolean awaitAnswers(long timeoutSeconds) throws InterruptedException {
        dispatcher.join();
        if (slots.tryAcquire(concurrency, timeoutSeconds, TimeUnit.SECONDS)) {
            slots.release(concurrency);
            return true;
        }
        return false;
    }

    long firstSendNanos() {
        return firstSendNanos;
    }

    /**
     * Batches the schedule wanted sent but all slots were waiting for acknowledgements (rate > 0).
     */
    long missedBatches() {
        return missedBatches;
    }

    int inFlight() {
        return concurrency - slots.availablePermits();
    }

    /**
     * The latencies recorded since the last call, for a progress line; {@code into} collects the
     * whole run.
     */
    Histogram interval(Histogram into) {
        Histogram h = latency.getIntervalHistogram();
        into.add(h);
        return h;
    }
}

package org.jkn.telemetry.gateway.fhir.export;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One bulk export: who asked ({@code owner}, the only caller who may poll, download or cancel),
 * what ({@code request}, the kick-off URL), when ({@code transactionTime}), where its files go, and
 * how far it got. The worker running it moves it from {@code RUNNING} to {@code COMPLETE} or {@code
 * FAILED} once; a cancel may come from any thread. Thread-safe: every field that changes is
 * volatile or atomic.
 */
public final class ExportJob {

    public enum State {
        RUNNING,
        COMPLETE,
        FAILED
    }

    private final String id;
    private final String owner;
    private final String request;
    private final Instant transactionTime;
    private final Path directory;
    private final AtomicInteger patientsDone = new AtomicInteger();
    private final AtomicLong resources = new AtomicLong();
    private volatile int patientsTotal = -1;
    private volatile State state = State.RUNNING;
    private volatile boolean cancelled;
    private volatile List<OutputFile> output = List.of();
    private volatile Instant endedAt;

    ExportJob(String id, String owner, String request, Instant transactionTime, Path directory) {
        this.id = id;
        this.owner = owner;
        this.request = request;
        this.transactionTime = transactionTime;
        this.directory = directory;
    }

    public String id() {
        return id;
    }

    String owner() {
        return owner;
    }

    /** The kick-off URL, as the manifest's {@code request} repeats it. */
    public String request() {
        return request;
    }

    /** When the export started: nothing received after it is promised to be in it. */
    public Instant transactionTime() {
        return transactionTime;
    }

    Path directory() {
        return directory;
    }

    public State state() {
        return state;
    }

    /** The files of a complete export. */
    public List<OutputFile> output() {
        return output;
    }

    boolean cancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }

    /** When it completed or failed; null while it runs. */
    public Instant endedAt() {
        return endedAt;
    }

    /** How far it got, for {@code X-Progress}: patients done of how many, resources written. */
    public String progress() {
        int total = patientsTotal;
        return total < 0
                ? "finding patients"
                : patientsDone.get()
                        + " of "
                        + total
                        + " patients, "
                        + resources.get()
                        + " resources";
    }

    void patientsTotal(int total) {
        patientsTotal = total;
    }

    void patientDone(long written) {
        resources.addAndGet(written);
        patientsDone.incrementAndGet();
    }

    void complete(List<OutputFile> files, Instant now) {
        output = List.copyOf(files);
        endedAt = now;
        state = State.COMPLETE;
    }

    void fail(Instant now) {
        endedAt = now;
        state = State.FAILED;
    }
}

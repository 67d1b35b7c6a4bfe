package org.jkn.telemetry.store.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Group commit for the audit trail. Callers hand their record to one writer thread through a
 * bounded queue and wait until it is committed; the writer inserts whatever has queued up (at most
 * {@link #MAX_BATCH}) in one transaction. Concurrent requests then share one WAL flush and one
 * connection instead of each holding a pooled connection through its own flush; a lone request
 * waits exactly as long as a direct insert would.
 *
 * <p>Thread-safe. A full queue, a failed batch or a timeout is an {@link SQLException} for every
 * caller concerned: none of them may answer as if recorded. A record whose caller timed out may
 * still be committed later: the trail may hold a request that was refused, never miss one that was
 * answered.
 */
final class AuditWriter implements AutoCloseable {

    static final int MAX_BATCH = 256;
    private static final int QUEUE_CAPACITY = 4096;
    private static final long WAIT_MILLIS = 10_000;
    static final String INSERT =
            "insert into audit_events (id, recorded, patient_id, action, interaction, resource_type, "
                    + "resource_id, query, outcome, outcome_reason, actor_kind, actor_subject, actor_fhir_user, actor_org, source) "
                    + "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private record Pending(AuditRecord record, CompletableFuture<Void> done) {}

    private final DataSource dataSource;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread thread;
    private volatile boolean closed;

    AuditWriter(DataSource dataSource) {
        this.dataSource = dataSource;
        this.thread = new Thread(this::run, "audit-writer");
        thread.setDaemon(true);
        thread.start();
    }

    /** Returns once the record is committed; throws when it is not (or not known to be). */
    void write(AuditRecord r) throws SQLException {
        await(submit(r));
    }

    /**
     * Queues the record without waiting for its commit; {@link #await} tells whether it was. For a
     * caller with other work to do meanwhile (a read whose record is known before it runs).
     */
    CompletableFuture<Void> submit(AuditRecord r) {
        Pending p = new Pending(r, new CompletableFuture<>());
        try {
            if (closed || !queue.offer(p, WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                p.done()
                        .completeExceptionally(
                                new SQLException(
                                        closed
                                                ? "the audit log is closed"
                                                : "the audit queue is full",
                                        "53000"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.done()
                    .completeExceptionally(
                            new SQLException(
                                    "interrupted while the audit record was queued", "57014"));
        }
        return p.done();
    }

    /** Waits for a submitted record's commit; throws when it is not (or not known to be) done. */
    static void await(CompletableFuture<Void> done) throws SQLException {
        try {
            done.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while the audit record was written", "57014");
        } catch (TimeoutException e) {
            throw new SQLException("the audit record was not committed in time", "57014");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            throw new SQLException("the audit record could not be written", "58000", e.getCause());
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
            } catch (InterruptedException e) {
                closed = true;
            } finally {
                batch.clear();
            }
        }
        failAll(new SQLException("the audit log is closed", "53000"));
    }

    private void commit(List<Pending> batch) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (Pending p : batch) {
                    bind(ps, p.record());
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            batch.forEach(p -> p.done().completeExceptionally(e));
            return;
        }
        batch.forEach(p -> p.done().complete(null));
    }

    static void bind(PreparedStatement ps, AuditRecord r) throws SQLException {
        AuditEntry e = r.entry();
        ps.setString(1, r.id());
        ps.setObject(2, timestamp(r.recordedMicros()));
        ps.setString(3, e.patientId());
        ps.setString(4, e.interaction().action().code());
        ps.setString(5, e.interaction().code());
        ps.setString(6, e.resourceType());
        ps.setString(7, e.resourceId());
        ps.setString(8, e.query());
        ps.setShort(9, (short) e.outcome().code());
        ps.setString(10, e.outcomeReason());
        ps.setString(11, e.actor().kind());
        ps.setString(12, e.actor().subject());
        ps.setString(13, e.actor().fhirUser());
        ps.setString(14, e.actor().organization());
        ps.setString(15, r.source());
    }

    static OffsetDateTime timestamp(long micros) {
        return Instant.ofEpochSecond(
                        Math.floorDiv(micros, 1_000_000L),
                        Math.floorMod(micros, 1_000_000L) * 1000L)
                .atOffset(ZoneOffset.UTC);
    }

    private void failAll(SQLException e) {
        Pending p;
        while ((p = queue.poll()) != null) {
            p.done().completeExceptionally(e);
        }
    }

    /** Commits what is queued, then stops; later writes fail. */
    @Override
    public void close() {
        closed = true;
        try {
            thread.join(WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failAll(new SQLException("the audit log is closed", "53000"));
    }
}

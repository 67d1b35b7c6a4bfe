package org.jkn.telemetry.store.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every instance sharing the database about changes that invalidate what they cache: a
 * consent change, an erasure, a device revocation. The change's transaction {@link #publish
 * publishes} a notice (PostgreSQL {@code NOTIFY}, delivered only if that transaction commits); each
 * instance {@link #listen listens} on a dedicated connection and drops the affected cache entries,
 * normally within milliseconds, instead of waiting for them to expire.
 *
 * <p>A notice names a patient pseudonym or a device id, never a NIK or a value. When the listening
 * connection is lost, notices sent meanwhile are lost with it, so once listening resumes {@link
 * Listener#missed} is called (drop everything cached). Nothing is dropped at the loss itself: the
 * database is usually away then, nothing can change without it, and the cached keys and decisions
 * are what keeps ingest going; the caches' TTLs bound staleness in between.
 */
public final class ChangeNotices implements AutoCloseable {

    public static final String CHANNEL = "telemetry_changes";
    private static final Logger log = LoggerFactory.getLogger(ChangeNotices.class);
    private static final int POLL_MILLIS = 500;
    private static final long PING_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long MAX_BACKOFF_MILLIS = 5_000;

    /**
     * What changed; the subject is a patient pseudonym, or a device id for {@link #DEVICE_REVOKED}.
     */
    public enum Kind {
        CONSENT("consent"),
        ERASURE("erasure"),
        DEVICE_REVOKED("device-revoked");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        static Kind of(String code) {
            for (Kind k : values()) {
                if (k.code.equals(code)) {
                    return k;
                }
            }
            return null;
        }
    }

    /** Called on the listening thread; must not block for long. */
    public interface Listener {
        void changed(Kind kind, String subject);

        /** Notices may have been lost: forget everything that a notice would have invalidated. */
        void missed();
    }

    /**
     * A connection for listening only, outside the pool (it is held for the life of the process).
     */
    @FunctionalInterface
    public interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private final ConnectionSource connections;
    private final Listener listener;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean listening;
    private final AtomicLong heard = new AtomicLong();
    private volatile Connection current;

    private ChangeNotices(ConnectionSource connections, Listener listener) {
        this.connections = connections;
        this.listener = listener;
        this.thread = new Thread(this::run, "change-notices");
        thread.setDaemon(true);
    }

    /** Starts listening on its own thread. */
    public static ChangeNotices listen(ConnectionSource connections, Listener listener) {
        ChangeNotices n = new ChangeNotices(connections, listener);
        n.thread.start();
        return n;
    }

    /**
     * Adds a notice to the caller's transaction: sent to every listener when, and only if, it
     * commits.
     */
    public static void publish(Connection c, Kind kind, String subject) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, kind.code + ':' + subject);
            ps.execute();
        }
    }

    /** True while the listening connection is up. */
    public boolean isListening() {
        return listening;
    }

    private void run() {
        long backoff = 50;
        while (running) {
            try (Connection c = connections.open()) {
                current = c;
                PGConnection pg = c.unwrap(PGConnection.class);
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                backoff = 50;
                listener.missed(); // whatever was published while not listening (before LISTEN took
                // effect)
                listening = true; // and caught up: what is cached from now on hears its notices
                long lastPing = System.nanoTime();
                while (running) {
                    PGNotification[] notices = pg.getNotifications(POLL_MILLIS);
                    if (notices != null) {
                        for (PGNotification n : notices) {
                            dispatch(n.getParameter());
                        }
                    }
                    if (System.nanoTime() - lastPing > PING_NANOS) {
                        try (Statement s = c.createStatement()) {
                            s.execute("select 1"); // a silently dead connection shows here
                        }
                        lastPing = System.nanoTime();
                    }
                }
            } catch (
                    Throwable
                            e) { // whatever it is, the listener must go on listening or say why it
                // cannot
                if (!running) {
                    return;
                }
                // nothing is dropped here: while the database is away nothing can change, and what
                // is cached keeps ingest going; notices missed meanwhile are made up for on
                // resuming
                listening = false;
                log.warn(
                        "listening for change notices failed ({}); caches rely on their TTLs; retrying in {} ms",
                        e instanceof SQLException s && s.getSQLState() != null
                                ? "SQLSTATE " + s.getSQLState()
                                : e.getClass().getSimpleName(),
                        backoff);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            } finally {
                current = null;
                listening = false;
            }
        }
    }

    /** How many notices this instance has heard (well-formed or not) since it started. */
    public long heard() {
        return heard.get();
    }

    private void dispatch(String payload) {
        heard.incrementAndGet();
        int colon = payload == null ? -1 : payload.indexOf(':');
        Kind kind = colon < 0 ? null : Kind.of(payload.substring(0, colon));
        if (kind == null || colon == payload.length() - 1) {
            log.warn("ignored a malformed change notice");
            return;
        }
        try {
            listener.changed(kind, payload.substring(colon + 1));
        } catch (RuntimeException e) {
            log.error(
                    "a change notice listener failed ({}); dropping every cached entry",
                    e.getClass().getSimpleName());
            listener.missed();
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread); // out of a back-off pause at once
        Connection c = current;
        if (c != null) {
            try {
                c.close(); // ends a getNotifications wait at once
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

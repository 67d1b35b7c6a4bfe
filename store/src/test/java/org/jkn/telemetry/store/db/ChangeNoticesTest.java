package org.jkn.telemetry.store.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.jkn.telemetry.store.fixtures.TestDatabases;
import org.jkn.telemetry.testing.Poll;
import org.jkn.telemetry.testing.Sql;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change notices over a real PostgreSQL: only committed changes, malformed ones ignored, a lost
 * connection reported and resumed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeNoticesTest {

    @TempDir static Path dir;
    Database db;
    ChangeNotices notices;
    final List<String> received = new CopyOnWriteArrayList<>();
    final AtomicInteger missed = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        db = TestDatabases.openWithFixturePartitions(dir.resolve("pg"));
        notices =
                ChangeNotices.listen(
                        db::dedicatedConnection,
                        new ChangeNotices.Listener() {
                            @Override
                            public void changed(ChangeNotices.Kind kind, String subject) {
                                received.add(kind + " " + subject);
                            }

                            @Override
                            public void missed() {
                                missed.incrementAndGet();
                            }
                        });
        Poll.until("listening", notices::isListening);
    }

    @AfterAll
    void stop() throws Exception {
        notices.close();
        db.close();
    }

    private void publish(ChangeNotices.Kind kind, String subject, boolean commit) throws Exception {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            ChangeNotices.publish(c, kind, subject);
            if (commit) {
                c.commit();
            } else {
                c.rollback();
            }
        }
    }

    @Test
    void onlyCommittedChangesAreNoticedAndMalformedNoticesAreIgnored() throws Exception {
        received.clear();
        publish(ChangeNotices.Kind.CONSENT, "p-rolled-back", false);
        Sql.execute(
                db.dataSource(), "select pg_notify('" + ChangeNotices.CHANNEL + "', 'no-colon')");
        Sql.execute(
                db.dataSource(), "select pg_notify('" + ChangeNotices.CHANNEL + "', 'erasure:')");
        Sql.execute(
                db.dataSource(),
                "select pg_notify('" + ChangeNotices.CHANNEL + "', 'drop-table:x'';--')");
        Sql.execute(
                db.dataSource(),
                "select pg_notify('" + ChangeNotices.CHANNEL + "', repeat('x', 7999))");
        publish(ChangeNotices.Kind.ERASURE, "p-committed", true);
        publish(ChangeNotices.Kind.DEVICE_REVOKED, "dev-1", true);
        // notices arrive in commit order: once the last one is in, a rolled-back or malformed
        // notice that got through would be in before it
        Poll.until("the committed notices arrive", () -> received.contains("DEVICE_REVOKED dev-1"));
        assertEquals(List.of("ERASURE p-committed", "DEVICE_REVOKED dev-1"), received);
        assertTrue(notices.isListening(), "malformed notices do not stop the listener");
    }

    @Test
    void aLostConnectionIsReportedAsMissedAndListeningResumes() throws Exception {
        int before = missed.get();
        Sql.execute(
                db.dataSource(),
                "select pg_terminate_backend(pid) from pg_stat_activity "
                        + "where application_name = 'telemetry-gateway-notices'");
        Poll.until(
                "the gap is reported once listening resumes",
                () -> missed.get() >= before + 1 && notices.isListening());
        received.clear();
        publish(ChangeNotices.Kind.CONSENT, "p-after-gap", true);
        Poll.until("notices arrive again", () -> received.contains("CONSENT p-after-gap"));
    }
}

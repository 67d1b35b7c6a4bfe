package org.jkn.telemetry.store.copy;

import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.jkn.telemetry.store.crypto.ReadingCrypto;
import org.jkn.telemetry.store.journal.DrainListener;
import org.jkn.telemetry.store.journal.Journal;
import org.jkn.telemetry.store.journal.JournalDrainer;

/**
 * Drains the journal in {@code args[0]} into the database at {@code args[1]}, as a gateway does,
 * with {@code args[2]} readings per write over {@code args[3]} writers, its sessions named {@code
 * args[4]}, until it is killed. Nothing is ever closed: the parent decides when it dies.
 */
public final class JournalDrainerMain {

    private JournalDrainerMain() {}

    public static void main(String[] args) throws Exception {
        Path journalDir = Path.of(args[0]);
        int maxReadingsPerWrite = Integer.parseInt(args[2]);
        int writers = Integer.parseInt(args[3]);
        HikariDataSource pool = ChildDatabase.pool(args[1], args[4], writers + 2);
        ReadingCrypto crypto = ChildDatabase.crypto(pool);
        Journal journal = Journal.open(journalDir, false, crypto);
        new JournalDrainer(journal, pool, DrainListener.NONE, maxReadingsPerWrite, writers).start();
        new CountDownLatch(1)
                .await(); // the drainer's thread is a daemon: this keeps the process alive
    }
}

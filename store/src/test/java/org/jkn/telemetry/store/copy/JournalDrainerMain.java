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
 *
 * <p>Each committed write is followed by a pause of {@link #PACE_MILLIS}, so that a journal of a
 * few writes is still being drained when the parent, having seen the first commit, kills the child
 * at a random moment: on a fast machine an unpaced child drained everything before the kill.
 */
public final class JournalDrainerMain {

    private static final long PACE_MILLIS = 150;

    private JournalDrainerMain() {}

    private static final DrainListener PACED =
            new DrainListener() {
                @Override
                public void stored(int readings, int inserted) {
                    try {
                        Thread.sleep(PACE_MILLIS); // kept sleep: the pace is what is wanted
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void writeFailed(Exception cause) {}

                @Override
                public void corruptRecord(long index, Exception cause) {}
            };

    public static void main(String[] args) throws Exception {
        Path journalDir = Path.of(args[0]);
        int maxReadingsPerWrite = Integer.parseInt(args[2]);
        int writers = Integer.parseInt(args[3]);
        HikariDataSource pool = ChildDatabase.pool(args[1], args[4], writers + 2);
        ReadingCrypto crypto = ChildDatabase.crypto(pool);
        Journal journal = Journal.open(journalDir, false, crypto);
        new JournalDrainer(journal, pool, PACED, maxReadingsPerWrite, writers).start();
        new CountDownLatch(1)
                .await(); // the drainer's thread is a daemon: this keeps the process alive
    }
}

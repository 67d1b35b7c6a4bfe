package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;

import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Opens a journal in {@code args[0]}, appends a batch and reads it back, then stays alive for
 * {@code args[1]} milliseconds so that anything started in the background has time to act. Exit
 * status 0 when the batch came back equal, 2 when it did not, 3 when JUnit is visible (Chronicle
 * mutes its analytics under JUnit, which would hide what this run is meant to show).
 */
public final class JournalSmokeMain {

    private JournalSmokeMain() {}

    public static void main(String[] args) throws Exception {
        if (visible("org.junit.jupiter.api.Test") || visible("org.junit.Test")) {
            System.exit(3);
        }
        JournalBatch sent =
                batch(
                        "p-smoke",
                        "dev-1",
                        List.of(heartRate("hr-1", "2026-11-22T07:30:00+07:00", 72)));
        JournalBatch read;
        try (Journal journal = Journal.open(Path.of(args[0]), true, null)) {
            journal.appendVersion2(
                    sent); // no database here: the record format is not what this checks
            try (ExcerptTailer tailer = journal.createTailer();
                    DocumentContext dc = tailer.readingDocument()) {
                read = dc.isPresent() ? JournalCodec.read(dc.wire().bytes()) : null;
            }
        }
        // kept sleep: a child process's lifetime, so that a background thread has the time to act
        Thread.sleep(Long.parseLong(args[1]));
        System.exit(sent.equals(read) ? 0 : 2);
    }

    private static boolean visible(String className) {
        try {
            Class.forName(className, false, JournalSmokeMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}

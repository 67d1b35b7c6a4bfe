package org.jkn.telemetry.store.journal;

import static org.jkn.telemetry.store.fixtures.Readings.batch;
import static org.jkn.telemetry.store.fixtures.Readings.heartRate;

import java.nio.file.Path;
import java.util.List;

/**
 * Appends batches to the journal in {@code args[0]} as fast as it can, from record number {@code
 * args[1]}, printing each record's number once its append has returned (that is when the gateway
 * acknowledges), until it is killed. {@code args[2]} {@code sync} msyncs every append before it
 * returns, as {@code JOURNAL_SYNC=true} does.
 */
public final class JournalAppenderMain {

    private JournalAppenderMain() {}

    public static void main(String[] args) throws Exception {
        int from = Integer.parseInt(args[1]);
        boolean sync = args.length > 2 && "sync".equals(args[2]);
        try (Journal journal = Journal.open(Path.of(args[0]), sync, null)) {
            for (int n = from; ; n++) {
                // a plaintext record: no database here, and the record format is not what this
                // checks
                journal.appendVersion2(
                        batch(
                                "p-crash",
                                "dev-1",
                                List.of(
                                        heartRate(
                                                "c" + n,
                                                "2026-11-22T07:00:00+07:00",
                                                60 + n % 40))));
                System.out.println(n);
            }
        }
    }
}

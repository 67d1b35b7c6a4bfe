package org.jkn.telemetry.benchmarks.load;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * What the same database takes with nothing in the way: a narrow table (patient, time, value, the
 * primary key on the first two) filled with pgjdbc's COPY, one transaction per chunk as the
 * gateway's drainer commits per write batch. The ratio of the gateway's stored readings/s to this
 * says how much of the database's raw ingest the whole path (HTTP, normalizing, sealing, journal,
 * wider rows and indexes) keeps.
 */
final class CopyBaseline {

    static final String TABLE = "e2e_copy_baseline";

    /** Rows per patient in a row, like one uploaded batch. */
    private static final int RUN = 1000;

    private CopyBaseline() {}

    /**
     * Copies {@code rows} rows in chunks of {@code chunk}; returns rows per second of COPY time.
     * Drops the table after.
     */
    static double run(Connection c, long rows, int chunk, int patients, long firstEpochSecond)
            throws Exception {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("drop table if exists " + TABLE);
            s.execute(
                    "create table "
                            + TABLE
                            + " (patient_id text, t timestamptz, value double precision, primary key (patient_id, t))");
        }
        // pseudonym-shaped ids (40 hex characters), as readings.patient_id holds
        String[] ids = new String[patients];
        for (int p = 0; p < patients; p++) {
            byte[] b = new byte[20];
            ThreadLocalRandom.current().nextBytes(b);
            ids[p] = HexFormat.of().formatHex(b);
        }
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        long copyNanos = 0;
        try {
            for (long done = 0; done < rows; done += chunk) {
                int n = (int) Math.min(chunk, rows - done);
                // generated outside the timed part: the baseline is the database, not this
                // machine's string building
                byte[] text = chunkText(ids, done, n, firstEpochSecond);
                long t0 = System.nanoTime();
                copy.copyIn(
                        "copy " + TABLE + " (patient_id, t, value) from stdin",
                        new ByteArrayInputStream(text));
                copyNanos += System.nanoTime() - t0;
            }
        } finally {
            try (Statement s = c.createStatement()) {
                s.execute("drop table if exists " + TABLE);
            }
        }
        return rows / (copyNanos / 1e9);
    }

    /**
     * Rows {@code from} .. {@code from + n - 1}: runs of {@link #RUN} consecutive seconds of one
     * patient, the patients taking turns, so each (patient, t) appears once.
     */
    private static byte[] chunkText(String[] ids, long from, int n, long firstEpochSecond) {
        StringBuilder b = new StringBuilder(n * 72);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long cachedDay = Long.MIN_VALUE;
        String date = null;
        for (long row = from; row < from + n; row++) {
            long run = row / RUN;
            int patient = (int) (run % ids.length);
            long second = firstEpochSecond + (run / ids.length) * RUN + row % RUN;
            long day = Math.floorDiv(second, 86_400);
            if (day != cachedDay) {
                cachedDay = day;
                date = LocalDate.ofEpochDay(day).toString();
            }
            int s = Math.floorMod(second, 86_400);
            b.append(ids[patient])
                    .append('\t')
                    .append(date)
                    .append(' ')
                    .append(s / 36_000)
                    .append(s / 3600 % 10)
                    .append(':')
                    .append(s / 600 % 6)
                    .append(s / 60 % 10)
                    .append(':')
                    .append(s % 60 / 10)
                    .append(s % 10)
                    .append("+00\t")
                    .append(55 + r.nextInt(60))
                    .append('\n');
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}

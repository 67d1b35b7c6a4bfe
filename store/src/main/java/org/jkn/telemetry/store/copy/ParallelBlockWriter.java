package org.jkn.telemetry.store.copy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.jkn.telemetry.store.block.BlockKey;
import org.jkn.telemetry.store.block.BlockReadings;
import org.jkn.telemetry.store.crypto.ReadingCrypto;

/**
 * A drainer's writes over {@code n} {@link BlockWriter}s: one chunk's blocks are split by patient
 * into {@code n} transactions that run at once (merging is CPU work on this side: open, decode,
 * encode, seal), then the journal checkpoint is advanced in a transaction of its own once every
 * part has committed. With one writer, blocks and checkpoint share one transaction as before.
 *
 * <p>A crash between the parts and the checkpoint replays the chunk; blocks recognise its readings
 * (same device, reading id and start), so nothing is stored twice.
 *
 * <p>Not thread-safe: owned by the drainer thread, which runs one part itself.
 */
public final class ParallelBlockWriter implements AutoCloseable {

    private final List<BlockWriter> writers = new ArrayList<>();
    private final ExecutorService pool;

    public ParallelBlockWriter(DataSource dataSource, ReadingCrypto crypto, int n) {
        for (int i = 0; i < n; i++) {
            writers.add(new BlockWriter(dataSource, crypto));
        }
        pool =
                n == 1
                        ? null
                        : Executors.newFixedThreadPool(
                                n - 1,
                                r -> {
                                    Thread t = new Thread(r, "journal-drainer-writer");
                                    t.setDaemon(true);
                                    return t;
                                });
    }

    /** Writes the blocks and then the checkpoint; returns the readings newly stored. */
    public int write(Map<BlockKey, BlockReadings> blocks, String journalId, long lastIndex)
            throws SQLException {
        int n = writers.size();
        if (n == 1 || blocks.size() < 2) {
            return writers.get(0).write(blocks, journalId, lastIndex);
        }
        List<Map<BlockKey, BlockReadings>> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            parts.add(new HashMap<>());
        }
        for (Map.Entry<BlockKey, BlockReadings> e : blocks.entrySet()) {
            parts.get(Math.floorMod(e.getKey().patientId().hashCode(), n))
                    .put(e.getKey(), e.getValue());
        }
        List<Future<Integer>> running = new ArrayList<>(n - 1);
        for (int i = 1; i < n; i++) {
            BlockWriter w = writers.get(i);
            Map<BlockKey, BlockReadings> part = parts.get(i);
            running.add(pool.submit(() -> w.write(part, null, 0)));
        }
        int inserted = 0;
        SQLException failed = null;
        try {
            inserted += writers.get(0).write(parts.get(0), null, 0);
        } catch (SQLException e) {
            failed = e;
        }
        for (Future<Integer> f : running) {
            try {
                inserted += f.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                failed =
                        cause instanceof SQLException s
                                ? s
                                : new SQLException("a block writer failed", "58000", cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while writing blocks", "57014", e);
            }
        }
        if (failed != null) {
            throw failed;
        }
        writers.get(0).write(Map.of(), journalId, lastIndex);
        return inserted;
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}

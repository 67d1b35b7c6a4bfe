package org.jkn.telemetry.store.journal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Keeps what the drainer reported, for assertions from the test thread. */
final class RecordingListener implements DrainListener {

    final AtomicLong readings = new AtomicLong();
    final AtomicLong inserted = new AtomicLong();
    final List<Integer> readingsPerWrite = new CopyOnWriteArrayList<>();
    final AtomicInteger failedWrites = new AtomicInteger();
    final List<Long> corruptIndexes = new CopyOnWriteArrayList<>();
    final AtomicInteger filesDeleted = new AtomicInteger();

    @Override
    public void stored(int readings, int inserted) {
        readingsPerWrite.add(readings);
        this.inserted.addAndGet(inserted);
        this.readings.addAndGet(readings);
    }

    @Override
    public void writeFailed(Exception cause) {
        failedWrites.incrementAndGet();
    }

    @Override
    public void corruptRecord(long index, Exception cause) {
        corruptIndexes.add(index);
    }

    @Override
    public void journalFilesDeleted(int files) {
        filesDeleted.addAndGet(files);
    }
}
